import JSONCore

/// Why a document was rejected: where (a dotted path to the bad field, `$` for the root) and
/// what is wrong.
public struct DocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Dotted path to the offending field, e.g. `vmx.system.0x48d` (array elements by index, as in params
    /// errors: ``CodingPathText``); `$` for the document itself.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// Converts a `DecodingError` into a path and a sentence.
    init(_ error: DecodingError, prefix: String = "") {
        func render(_ codingPath: [any CodingKey]) -> String { CodingPathText.render(codingPath, under: prefix) }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(path: render(context.codingPath), message: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(path: render(context.codingPath), message: "expected \(Self.describe(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(
                path: render(context.codingPath + [key]),
                message: "missing required field \"\(key.stringValue)\""
            )
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(
                    path: "$",
                    message: "not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))"
                )
            } else {
                self.init(path: render(context.codingPath), message: context.debugDescription)
            }
        @unknown default:
            self.init(path: "$", message: "\(error)")
        }
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
