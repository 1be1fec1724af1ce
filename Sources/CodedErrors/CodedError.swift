/// An error with a category, one line for humans, and the error underneath when there is one: the
/// shape of the errors of evmcsd's modules that need nothing more.
///
/// ```swift
/// public typealias FleetError = CodedError<FleetErrorCode>
/// throw FleetError(.noProfiles, "no host profiles given")
/// catch let error as FleetError where error.code == .noProfiles { … }
/// ```
///
/// Equality and hashing cover ``code`` and ``message``; ``cause`` is not compared.
public struct CodedError<Category: ErrorCode>: Error, Sendable, Hashable, CustomStringConvertible {
    /// The type of the category (`FleetError.Code.noProfiles`).
    public typealias Code = Category

    /// The category of the failure.
    public let code: Code
    /// One line for humans, naming what it concerns.
    public let message: String
    /// The underlying error, when one led to this one.
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

    /// The message.
    public var description: String { message }

    /// Whether two errors have the same code and message.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// Hashes the code and the message, the parts ``==(_:_:)`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}
