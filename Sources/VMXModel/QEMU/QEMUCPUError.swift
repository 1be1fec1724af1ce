/// Why a QEMU `-cpu` string (or a running QEMU's CPU) gives no requirements.
///
/// Equatable and Hashable over ``code`` and ``message``; ``cause`` is not compared.
public struct QEMUCPUError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a failure.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the category, e.g. `"unknownModel"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// An empty string, a property without a name, a bad on/off value.
        public static let malformed = Code(rawValue: "malformed")
        /// A model or model version QEMU does not have.
        public static let unknownModel = Code(rawValue: "unknownModel")
        /// Properties QEMU's x86 CPUs do not have.
        public static let unknownFeatures = Code(rawValue: "unknownFeatures")
        /// `host`/`max` without the profile of the host that gives their values.
        public static let needsProfile = Code(rawValue: "needsProfile")
        /// `enforce` is set and the host lacks requested features (QEMU refuses to start).
        public static let enforceFailed = Code(rawValue: "enforceFailed")

        /// The stable name of the category.
        public var description: String { rawValue }
    }

    /// The category of the failure.
    public let code: Code
    /// One line for humans, naming the model, version or features concerned.
    public let message: String
    /// The underlying error, when one led to the failure; the `-cpu` parser and model table set none.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the failure.
    ///   - message: One line for humans.
    ///   - cause: The underlying error, if any.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Whether two errors have the same code and message; ``cause`` is not compared.
    public static func == (lhs: QEMUCPUError, rhs: QEMUCPUError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// Hashes ``code`` and ``message``, the parts ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    /// The message.
    public var description: String { message }
}
