import TOMLKit

/// Reads evmcsd's TOML configuration on top of the defaults, rejecting unknown keys and bad
/// values with the key that is wrong.
public enum ConfigurationLoader {
    /// Every key of the file, by section (from ``ConfigurationSetting/all``): what
    /// config/evmcsd.toml must document.
    public static let keys: [String: [String]] = Dictionary(
        grouping: ConfigurationSetting.all.map(\.section),
        by: \.name
    ).mapValues { $0.map(\.key) }

    /// Applies the TOML text `text` (read from `source`) to `base`.
    public static func apply(_ text: String, source: String, to base: DaemonConfiguration) throws(ConfigurationError)
        -> DaemonConfiguration
    {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                code: .syntax,
                source: source,
                key: "",
                message:
                    "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)",
                cause: error
            )
        } catch {
            throw ConfigurationError(code: .syntax, source: source, key: "", message: "not valid TOML: \(error)")
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
            for key in table.keys {
                let path = "\(section).\(key)"
                guard let setting = ConfigurationSetting.byKey[path], let value = table[key] else {
                    throw fail(path, "unknown key; [\(section)] knows: \(known.joined(separator: ", "))")
                }
                try setting.apply(value, source, &configuration)
            }
        }

        private func fail(_ key: String, _ message: String) -> ConfigurationError {
            ConfigurationError(code: .unknownKey, source: source, key: key, message: message)
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
