/// A configuration file or command-line value evmcsd cannot use: where and why.
///
/// Equality compares everything but ``cause``.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of a configuration problem.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the category, e.g. `"invalidValue"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The file cannot be read (missing when required, too large, not UTF-8, an I/O error).
        public static let unreadableFile = Code(rawValue: "unreadableFile")
        /// The file is not valid TOML.
        public static let syntax = Code(rawValue: "syntax")
        /// A section, key or exporter evmcsd does not know.
        public static let unknownKey = Code(rawValue: "unknownKey")
        /// A value of the wrong type or out of range.
        public static let invalidValue = Code(rawValue: "invalidValue")
        /// A group name that does not resolve.
        public static let unknownGroup = Code(rawValue: "unknownGroup")

        /// The stable name of the category.
        public var description: String { rawValue }
    }

    /// The category of the problem.
    public var code: Code
    /// The file (or `command line`).
    public var source: String
    /// The key, e.g. `limits.max-line-bytes`; empty for file-level problems.
    public var key: String
    /// What is wrong, for the operator.
    public var message: String
    /// The underlying error (the TOML parser's), when there is one.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the problem.
    ///   - source: The file, or `command line`.
    ///   - key: The key, or empty for file-level problems.
    ///   - message: What is wrong.
    ///   - cause: The underlying error, if any.
    public init(
        code: Code,
        source: String,
        key: String,
        message: String,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.source = source
        self.key = key
        self.message = message
        self.cause = cause
    }

    /// `source: key: message` (`source: message` without a key).
    public var description: String {
        key.isEmpty ? "\(source): \(message)" : "\(source): \(key): \(message)"
    }

    /// Whether two errors have the same code, place and message (causes are not compared).
    public static func == (lhs: ConfigurationError, rhs: ConfigurationError) -> Bool {
        lhs.code == rhs.code && lhs.source == rhs.source && lhs.key == rhs.key && lhs.message == rhs.message
    }
}
