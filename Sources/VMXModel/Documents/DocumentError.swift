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
public typealias DocumentError = LocatedError<DocumentErrorCode>

/// The category of a ``DocumentError``.
public enum DocumentErrorCode: String, ErrorCode {
    /// The bytes are not JSON; the cause is the `JSONParseError` (or the `DecodingError` when the
    /// decoder found no document at the root).
    case notJSON

    /// `schema` is missing or names a document evmcsd does not read.
    case unsupportedSchema

    /// A document of the other kind than the one asked for (a VM requirements document where a
    /// host profile was expected, or the reverse).
    case wrongDocument

    /// A field is missing, of the wrong type, unknown or out of range; the cause is the `DecodingError`.
    case invalidField
}

extension DocumentError {
    /// Converts a `DecodingError` into a path and a sentence, keeping it as the cause.
    init(_ error: DecodingError, prefix: String = "") {
        func render(_ codingPath: [any CodingKey]) -> String { CodingPathText.render(codingPath, under: prefix) }
        let (code, path, message): (DocumentErrorCode, String, String)
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
