/// Which settings a reload applies while running and which wait for a restart: one row per
/// setting, named by its configuration key.
struct ReloadRule: Sendable {
    /// The configuration key (`cache.revalidate-seconds`).
    let key: String
    /// Whether a reload applies it; otherwise the running value stays until a restart.
    let appliesAtRunTime: Bool
    /// Whether two configurations differ in this setting.
    let differs: @Sendable (DaemonConfiguration, DaemonConfiguration) -> Bool
    /// Copies this setting from the running configuration into a reloaded one.
    let keepRunning: @Sendable (inout DaemonConfiguration, DaemonConfiguration) -> Void

    private init<Value: Equatable & Sendable>(
        _ key: String,
        _ path: any WritableKeyPath<DaemonConfiguration, Value> & Sendable,
        appliesAtRunTime: Bool
    ) {
        self.key = key
        self.appliesAtRunTime = appliesAtRunTime
        self.differs = { $0[keyPath: path] != $1[keyPath: path] }
        self.keepRunning = { $0[keyPath: path] = $1[keyPath: path] }
    }

    private static func live<Value: Equatable & Sendable>(
        _ key: String,
        _ path: any WritableKeyPath<DaemonConfiguration, Value> & Sendable
    ) -> ReloadRule {
        ReloadRule(key, path, appliesAtRunTime: true)
    }

    private static func restart<Value: Equatable & Sendable>(
        _ key: String,
        _ path: any WritableKeyPath<DaemonConfiguration, Value> & Sendable
    ) -> ReloadRule {
        ReloadRule(key, path, appliesAtRunTime: false)
    }

    /// Every setting of ``DaemonConfiguration``.
    static let all: [ReloadRule] = [
        live("log.level", \.logLevel),
        live("authorization.admin-group", \.adminGroup),
        live("cache.revalidate-seconds", \.revalidateInterval),
        live("cache.history-size", \.historySize),
        live("exporters.prometheus", \.prometheusFile),
        live("exporters.nfd", \.nfdFile),
        live("exporters.nfd.expiry-seconds", \.nfdExpiry),
        restart("socket.path", \.socketPath),
        restart("socket.mode", \.socketMode),
        restart("socket.group", \.socketGroup),
        restart("cache.directory", \.cacheDirectory),
        live("limits.max-connections", \.limits.maxConnections),
        live("limits.max-connections-per-uid", \.limits.maxConnectionsPerUID),
        live("limits.reserved-connections", \.limits.reservedConnections),
        restart("limits.max-line-bytes", \.limits.maxLineBytes),
        restart("limits.max-batch", \.limits.maxBatch),
        restart("limits.idle-timeout-seconds", \.limits.idleTimeout),
        restart("limits.max-pending-requests", \.limits.maxPendingRequests),
        restart("probe.device", \.devicePath),
        restart("probe.sysfs-root", \.sysfsRoot),
        restart("probe.procfs-root", \.procfsRoot),
        restart("probe.profile", \.profileFile),
    ]

    /// What a reload from `running` to `loaded` does: the settings applied now, those that
    /// need a restart, and the configuration to run with (restart-only settings keep their
    /// running values).
    static func plan(from running: DaemonConfiguration, to loaded: DaemonConfiguration) -> (
        applied: [String], needRestart: [String], effective: DaemonConfiguration
    ) {
        var applied: [String] = []
        var needRestart: [String] = []
        var effective = loaded
        for rule in all {
            if rule.differs(running, loaded) {
                if rule.appliesAtRunTime { applied.append(rule.key) } else { needRestart.append(rule.key) }
            }
            if !rule.appliesAtRunTime { rule.keepRunning(&effective, running) }
        }
        return (applied, needRestart, effective)
    }
}
