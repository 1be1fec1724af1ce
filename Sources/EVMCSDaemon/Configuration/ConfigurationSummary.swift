/// The effective configuration as `evmcsd --check-config` prints it.
public enum ConfigurationSummary {
    public static func describe(_ configuration: DaemonConfiguration, file: String) -> String {
        let limits = configuration.limits
        let lines = [
            "configuration OK (\(file))",
            "socket.path = \(configuration.socketPath)",
            "socket.mode = \(FileMode.format(configuration.socketMode))",
            "socket.group = \(configuration.socketGroup ?? "(process group)")",
            "authorization.admin-group = \(configuration.adminGroup ?? "(root only)")",
            "cache.directory = \(configuration.cacheDirectory)",
            "cache.revalidate-seconds = \(configuration.revalidateInterval.components.seconds)",
            "cache.history-size = \(configuration.historySize)",
            "probe = \(configuration.profileFile.map { "recorded \($0)" } ?? "live \(configuration.devicePath) (sysfs \(configuration.sysfsRoot), procfs \(configuration.procfsRoot))")",
            "limits = line \(limits.maxLineBytes) B, batch \(limits.maxBatch), connections \(limits.maxConnections) (per uid \(limits.maxConnectionsPerUID), reserved \(limits.reservedConnections)), idle \(limits.idleTimeout.components.seconds) s, pending \(limits.maxPendingRequests)",
            "log.level = \(configuration.logLevel)",
            "exporters.prometheus = \(configuration.prometheusFile ?? "off")",
            "exporters.nfd = \(configuration.nfdFile.map { "\($0) (expiry \(configuration.nfdExpiry.components.seconds) s)" } ?? "off")",
        ]
        return lines.joined(separator: "\n")
    }
}
