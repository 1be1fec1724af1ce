import Logging
import TOMLKit

/// Reads evmcsd's TOML configuration on top of the defaults, rejecting unknown keys and bad
/// values with the key that is wrong.
public enum ConfigurationLoader {
    /// Every key of the file, by section: what config/evmcsd.toml must document.
    public static let keys: [String: [String]] = [
        "socket": ["path", "mode", "group"],
        "authorization": ["admin-group"],
        "cache": ["directory", "revalidate-seconds", "history-size"],
        "probe": ["device", "sysfs-root", "procfs-root", "profile"],
        "limits": [
            "max-line-bytes", "max-batch", "max-connections", "max-connections-per-uid", "reserved-connections",
            "idle-timeout-seconds", "max-pending-requests",
        ],
        "log": ["level"],
        "exporters.prometheus": ["enabled", "path"],
        "exporters.nfd": ["enabled", "path", "expiry-seconds"],
    ]

    /// Applies the TOML text `text` (read from `source`) to `base`.
    public static func apply(_ text: String, source: String, to base: DaemonConfiguration) throws(ConfigurationError)
        -> DaemonConfiguration
    {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                source: source,
                key: "",
                message:
                    "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)"
            )
        } catch {
            throw ConfigurationError(source: source, key: "", message: "not valid TOML: \(error)")
        }
        var reader = Reader(source: source, configuration: base)
        try reader.read(root)
        return reader.configuration
    }

    private struct Reader {
        let source: String
        var configuration: DaemonConfiguration

        mutating func read(_ root: TOMLTable) throws(ConfigurationError) {
            for key in root.keys {
                guard let table = root[key]?.table else {
                    throw fail(key, "expected a [\(key)] section; known sections: \(Self.sections)")
                }
                if key == "exporters" {
                    for exporter in table.keys {
                        guard let section = table[exporter]?.table,
                            ConfigurationLoader.keys["exporters.\(exporter)"] != nil
                        else {
                            throw fail("exporters.\(exporter)", "unknown exporter (known: prometheus, nfd)")
                        }
                        try readSection("exporters.\(exporter)", section)
                    }
                } else {
                    guard ConfigurationLoader.keys[key] != nil else {
                        throw fail(key, "unknown section; known sections: \(Self.sections)")
                    }
                    try readSection(key, table)
                }
            }
        }

        static let sections = ConfigurationLoader.keys.keys.map { "[\($0)]" }.sorted().joined(separator: ", ")

        private mutating func readSection(_ section: String, _ table: TOMLTable) throws(ConfigurationError) {
            let known = ConfigurationLoader.keys[section] ?? []
            var prometheusEnabled: Bool?
            var prometheusPath: String?
            var nfdEnabled: Bool?
            var nfdPath: String?
            for key in table.keys {
                let path = "\(section).\(key)"
                guard known.contains(key), let value = table[key] else {
                    throw fail(path, "unknown key; [\(section)] knows: \(known.joined(separator: ", "))")
                }
                switch path {
                case "socket.path": configuration.socketPath = try absolutePath(value, path)
                case "socket.mode": configuration.socketMode = try mode(value, path)
                case "socket.group": configuration.socketGroup = try optionalName(value, path)
                case "authorization.admin-group": configuration.adminGroup = try optionalName(value, path)
                case "cache.directory": configuration.cacheDirectory = try absolutePath(value, path)
                case "cache.revalidate-seconds":
                    configuration.revalidateInterval = .seconds(try integer(value, path, 1...86_400))
                case "cache.history-size": configuration.historySize = try integer(value, path, 1...10_000)
                case "probe.device": configuration.devicePath = try absolutePath(value, path)
                case "probe.sysfs-root": configuration.sysfsRoot = try absolutePath(value, path)
                case "probe.procfs-root": configuration.procfsRoot = try absolutePath(value, path)
                case "probe.profile": configuration.profileFile = try optionalName(value, path)
                case "limits.max-line-bytes":
                    configuration.limits.maxLineBytes = try integer(value, path, 1024...(64 << 20))
                case "limits.max-batch": configuration.limits.maxBatch = try integer(value, path, 1...10_000)
                case "limits.max-connections":
                    configuration.limits.maxConnections = try integer(value, path, 1...100_000)
                case "limits.max-connections-per-uid":
                    configuration.limits.maxConnectionsPerUID = try integer(value, path, 1...100_000)
                case "limits.reserved-connections":
                    configuration.limits.reservedConnections = try integer(value, path, 0...100_000)
                case "limits.idle-timeout-seconds":
                    configuration.limits.idleTimeout = .seconds(try integer(value, path, 1...86_400))
                case "limits.max-pending-requests":
                    configuration.limits.maxPendingRequests = try integer(value, path, 1...100_000)
                case "log.level": configuration.logLevel = try level(value, path)
                case "exporters.prometheus.enabled": prometheusEnabled = try bool(value, path)
                case "exporters.prometheus.path": prometheusPath = try absolutePath(value, path)
                case "exporters.nfd.enabled": nfdEnabled = try bool(value, path)
                case "exporters.nfd.path": nfdPath = try absolutePath(value, path)
                case "exporters.nfd.expiry-seconds":
                    configuration.nfdExpiry = .seconds(try integer(value, path, 60...31_536_000))
                default: throw fail(path, "unknown key")
                }
            }
            if section == "exporters.prometheus" {
                configuration.prometheusFile =
                    prometheusEnabled == true
                    ? (prometheusPath ?? "/var/lib/prometheus/node-exporter/evmcsd.prom") : nil
            }
            if section == "exporters.nfd" {
                configuration.nfdFile =
                    nfdEnabled == true ? (nfdPath ?? "/etc/kubernetes/node-feature-discovery/features.d/evmcsd") : nil
            }
        }

        // MARK: Value readers

        private func string(_ value: any TOMLValueConvertible, _ path: String) throws(ConfigurationError) -> String {
            guard let text = value.string else { throw fail(path, "expected a string") }
            return text
        }

        private func absolutePath(_ value: any TOMLValueConvertible, _ path: String) throws(ConfigurationError)
            -> String
        {
            let text = try string(value, path)
            guard text.hasPrefix("/") else { throw fail(path, "expected an absolute path, got \"\(text)\"") }
            return text
        }

        private func optionalName(_ value: any TOMLValueConvertible, _ path: String) throws(ConfigurationError)
            -> String?
        {
            let text = try string(value, path)
            return text.isEmpty ? nil : text
        }

        private func integer(_ value: any TOMLValueConvertible, _ path: String, _ range: ClosedRange<Int>)
            throws(ConfigurationError) -> Int
        {
            guard let number = value.int else { throw fail(path, "expected an integer") }
            guard range.contains(number) else {
                throw fail(path, "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
            }
            return number
        }

        private func bool(_ value: any TOMLValueConvertible, _ path: String) throws(ConfigurationError) -> Bool {
            guard let flag = value.bool else { throw fail(path, "expected true or false") }
            return flag
        }

        private func mode(_ value: any TOMLValueConvertible, _ path: String) throws(ConfigurationError) -> UInt32 {
            if let number = value.int, (0...0o777).contains(number) { return UInt32(number) }
            if let text = value.string, let parsed = FileMode.parse(text) { return parsed }
            throw fail(path, "expected an octal file mode such as \"0660\"")
        }

        private func level(_ value: any TOMLValueConvertible, _ path: String) throws(ConfigurationError) -> Logger.Level
        {
            let text = try string(value, path)
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw fail(path, "unknown level \"\(text)\" (trace, debug, info, notice, warning, error, critical)")
            }
            return level
        }

        private func fail(_ key: String, _ message: String) -> ConfigurationError {
            ConfigurationError(source: source, key: key, message: message)
        }
    }
}

/// Octal file modes as written in configuration and on the command line.
public enum FileMode {
    /// Parses `0660`, `660` or `0o660` (permission bits only).
    public static func parse(_ text: String) -> UInt32? {
        var digits = Substring(text)
        if digits.hasPrefix("0o") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 4, let value = UInt32(digits, radix: 8), value <= 0o777 else {
            return nil
        }
        return value
    }

    /// `0660`.
    public static func format(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
