import JSONCore

/// Why a document was rejected: where (a dotted path to the bad field, `$` for the root), what is
/// wrong, and the parse or decoding error underneath.
///
/// ```swift
/// do {
///     _ = try DocumentLoader.hostProfile(from: bytes)
/// } catch {
///     print(error.code, error.path, error.message)  // "invalidField" "kvm.apiVersion" "expected an integer"
///     if let decoding = error.cause as? DecodingError { … }
/// }
/// ```
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    /// The category of a rejection.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the category, e.g. `"invalidField"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The bytes are not JSON; the cause is the `JSONParseError` (or the `DecodingError` when the
        /// decoder found no document at the root).
        public static let notJSON = Code(rawValue: "notJSON")
        /// `schema` is missing or names a document evmcsd does not read.
        public static let unsupportedSchema = Code(rawValue: "unsupportedSchema")
        /// A document of the other kind than the one asked for (a VM requirements document where a
        /// host profile was expected, or the reverse).
        public static let wrongDocument = Code(rawValue: "wrongDocument")
        /// A field is missing, of the wrong type, unknown or out of range; the cause is the `DecodingError`.
        public static let invalidField = Code(rawValue: "invalidField")

        /// The stable name of the category.
        public var description: String { rawValue }
    }

    /// The category of the rejection.
    public let code: Code
    /// Dotted path to the offending field, e.g. `vmx.system.0x48d` (array elements by index, as in params
    /// errors: ``CodingPathText``); `$` for the document itself.
    public let path: String
    /// What is wrong at ``path``, for humans.
    public let message: String
    /// The parse or decoding error the rejection comes from, when there is one.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the rejection.
    ///   - path: The dotted path of the bad field, `$` for the document.
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

    /// Converts a `DecodingError` into a path and a sentence, keeping it as the cause.
    init(_ error: DecodingError, prefix: String = "") {
        func render(_ codingPath: [any CodingKey]) -> String { CodingPathText.render(codingPath, under: prefix) }
        let (code, path, message): (Code, String, String)
        switch error {
        case .typeMismatch(let type, let context):
            (code, path, message) = (.invalidField, render(context.codingPath), "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            (code, path, message) = (
                .invalidField, render(context.codingPath), "expected \(Self.describe(type)), found null"
            )
        case .keyNotFound(let key, let context):
            (code, path, message) = (
                .invalidField, render(context.codingPath + [key]), "missing required field \"\(key.stringValue)\""
            )
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let detail = context.underlyingError.map { "\($0)" } ?? context.debugDescription
            (code, path, message) = (.notJSON, "$", "not valid JSON (\(detail))")
        case .dataCorrupted(let context):
            (code, path, message) = (.invalidField, render(context.codingPath), context.debugDescription)
        @unknown default:
            (code, path, message) = (.invalidField, "$", "\(error)")
        }
        self.init(code, path: path, message: message, cause: error)
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is UInt32.Type, is UInt64.Type: "an integer"
        case is [Any].Type: "an array"
        default: type == [String: Any].self ? "an object" : "a value of type \(type)"
        }
    }
}
