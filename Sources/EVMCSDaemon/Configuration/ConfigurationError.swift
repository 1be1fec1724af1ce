/// A configuration file or command-line value evmcsd cannot use: where and why.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or `command line`).
    public var source: String
    /// The key, e.g. `limits.max-line-bytes`; empty for file-level problems.
    public var key: String
    public var message: String

    public init(source: String, key: String, message: String) {
        self.source = source
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(source): \(message)" : "\(source): \(key): \(message)"
    }
}
