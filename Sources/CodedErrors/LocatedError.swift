/// An error about one place in an input: a category, where (a file path, or a dotted path into a
/// document), one line for humans, and the error underneath when there is one.
///
/// ```swift
/// public typealias DocumentError = LocatedError<DocumentErrorCode>
/// throw DocumentError(.invalidField, path: "kvm.apiVersion", message: "expected an integer")
/// ```
///
/// Equality and hashing cover ``code``, ``path`` and ``message``; ``cause`` is not compared.
public struct LocatedError<Category: ErrorCode>: Error, Sendable, Hashable, CustomStringConvertible {
    /// The type of the category (`FleetError.Code.noProfiles`).
    public typealias Code = Category

    /// The category of the failure.
    public let code: Code
    /// Where: a file path, or a dotted path into a document (`$` for the document itself).
    public let path: String
    /// What is wrong at ``path``, for humans.
    public let message: String
    /// The underlying error, when one led to this one.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the failure.
    ///   - path: Where.
    ///   - message: What is wrong there.
    ///   - cause: The underlying error, if any.
    public init(_ code: Code, path: String, message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.cause = cause
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }

    /// Whether two errors have the same code, path and message.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.path == rhs.path && lhs.message == rhs.message
    }

    /// Hashes the code, the path and the message, the parts ``==(_:_:)`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(path)
        hasher.combine(message)
    }
}
