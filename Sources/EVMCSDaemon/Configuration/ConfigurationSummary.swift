/// The effective configuration as `evmcsd --check-config` prints it: every key of
/// ``ConfigurationSetting/all`` with its value.
public enum ConfigurationSummary {
    /// The summary of `configuration`, loaded from `file`.
    ///
    /// - Parameters:
    ///   - configuration: The effective configuration.
    ///   - file: Where it was read from, for the first line.
    /// - Returns: One line per key, `key = value`, after `configuration OK (file)`.
    public static func describe(_ configuration: DaemonConfiguration, file: String) -> String {
        (["configuration OK (\(file))"] + ConfigurationSetting.all.map { "\($0.key) = \($0.describe(configuration))" })
            .joined(separator: "\n")
    }
}
