import TOMLKit

/// One key of evmcsd.toml, and everything the daemon does with it, in one row: how the file's
/// value is read (type and range), whether a reload applies it at run time or it waits for a
/// restart, and how `--check-config` prints it. ``all`` is the one list of keys: the loader,
/// reloads and the summary all read it.
struct ConfigurationSetting: Sendable {
    /// The key as written in the file and in messages: `section.name` (`cache.history-size`).
    let key: String
    /// Whether a reload applies it; otherwise the running value stays until a restart.
    let appliesAtRunTime: Bool
    /// Reads the file's value into a configuration.
    let apply: @Sendable (any TOMLValueConvertible, _ source: String, inout DaemonConfiguration) throws(ConfigurationError) -> Void
    /// Whether two configurations differ in this setting.
    let differs: @Sendable (DaemonConfiguration, DaemonConfiguration) -> Bool
    /// Copies this setting from the running configuration into a reloaded one.
    let keepRunning: @Sendable (inout DaemonConfiguration, DaemonConfiguration) -> Void
    /// The effective value as `--check-config` prints it.
    let describe: @Sendable (DaemonConfiguration) -> String

    /// The section (`cache`, `exporters.nfd`) and the name within it (`history-size`).
    var section: (name: String, key: String) {
        let dot = key.lastIndex(of: ".")!
        return (String(key[..<dot]), String(key[key.index(after: dot)...]))
    }

    private init<Value: Equatable & Sendable>(
        _ key: String,
        _ path: any WritableKeyPath<DaemonConfiguration, Value> & Sendable,
        _ value: ConfigurationValue<Value>,
        appliesAtRunTime: Bool,
        show: @escaping @Sendable (Value) -> String
    ) {
        self.key = key
        self.appliesAtRunTime = appliesAtRunTime
        self.apply = { text, source, configuration throws(ConfigurationError) in
            configuration[keyPath: path] = try value.read(text, key, source)
        }
        self.differs = { $0[keyPath: path] != $1[keyPath: path] }
        self.keepRunning = { $0[keyPath: path] = $1[keyPath: path] }
        self.describe = { show($0[keyPath: path]) }
    }

    /// When a changed value takes effect.
    private enum Reload {
        /// A reload applies it.
        case live
        /// The next start applies it; a reload reports it in `needRestart`.
        case restart
    }

    /// A row of the table.
    private static func row<Value: Equatable & Sendable>(
        _ key: String,
        _ path: any WritableKeyPath<DaemonConfiguration, Value> & Sendable,
        _ value: ConfigurationValue<Value>,
        _ reload: Reload,
        show: @escaping @Sendable (Value) -> String = { "\($0)" }
    ) -> ConfigurationSetting {
        ConfigurationSetting(key, path, value, appliesAtRunTime: reload == .live, show: show)
    }

    private static func seconds(_ duration: Duration) -> String { "\(duration.components.seconds)" }

    /// Every key of the file, in the order config/evmcsd.toml documents them.
    static let all: [ConfigurationSetting] = [
        row("socket.path", \.socketPath, .absolutePath, .restart),
        row("socket.mode", \.socketMode, .mode, .restart, show: FileMode.format),
        row("socket.group", \.socketGroup, .optionalName, .restart, show: { $0 ?? "(process group)" }),
        row("authorization.admin-group", \.adminGroup, .optionalName, .live, show: { $0 ?? "(root only)" }),
        row("cache.directory", \.cacheDirectory, .absolutePath, .restart),
        row("cache.revalidate-seconds", \.revalidateInterval, .seconds(1...86_400), .live, show: seconds),
        row("cache.history-size", \.historySize, .integer(1...10_000), .live),
        row("probe.device", \.devicePath, .absolutePath, .restart),
        row("probe.sysfs-root", \.sysfsRoot, .absolutePath, .restart),
        row("probe.procfs-root", \.procfsRoot, .absolutePath, .restart),
        row("probe.profile", \.profileFile, .optionalName, .restart, show: { $0 ?? "(live probe)" }),
        row("limits.max-line-bytes", \.limits.maxLineBytes, .integer(1024...(64 << 20)), .restart),
        row("limits.max-batch", \.limits.maxBatch, .integer(1...10_000), .restart),
        row("limits.max-connections", \.limits.maxConnections, .integer(1...100_000), .live),
        row("limits.max-connections-per-uid", \.limits.maxConnectionsPerUID, .integer(1...100_000), .live),
        row("limits.reserved-connections", \.limits.reservedConnections, .integer(0...100_000), .live),
        row("limits.idle-timeout-seconds", \.limits.idleTimeout, .seconds(1...86_400), .restart, show: seconds),
        row("limits.max-pending-requests", \.limits.maxPendingRequests, .integer(1...100_000), .restart),
        row("log.level", \.logLevel, .level, .live),
        row("exporters.prometheus.enabled", \.prometheus.enabled, .bool, .live),
        row("exporters.prometheus.path", \.prometheus.path, .absolutePath, .live),
        row("exporters.nfd.enabled", \.nfd.enabled, .bool, .live),
        row("exporters.nfd.path", \.nfd.path, .absolutePath, .live),
        row("exporters.nfd.expiry-seconds", \.nfdExpiry, .seconds(60...31_536_000), .live, show: seconds),
    ]

    /// The settings by key.
    static let byKey: [String: ConfigurationSetting] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// What a reload from `running` to `loaded` does: the settings applied now, those that
    /// need a restart, and the configuration to run with (restart-only settings keep their
    /// running values).
    static func reloadPlan(from running: DaemonConfiguration, to loaded: DaemonConfiguration) -> (
        applied: [String], needRestart: [String], effective: DaemonConfiguration
    ) {
        var applied: [String] = []
        var needRestart: [String] = []
        var effective = loaded
        for setting in all {
            if setting.differs(running, loaded) {
                if setting.appliesAtRunTime { applied.append(setting.key) } else { needRestart.append(setting.key) }
            }
            if !setting.appliesAtRunTime { setting.keepRunning(&effective, running) }
        }
        return (applied, needRestart, effective)
    }
}
