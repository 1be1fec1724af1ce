/// Turns a `DecodingError` into a -32602 error naming the field and the reason.
struct ParamsDecodingFailure {
    let field: String
    let reason: String

    init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self.field = Self.path(context.codingPath)
            self.reason = "expected \(Self.describe(type))"
        case .valueNotFound(let type, let context):
            self.field = Self.path(context.codingPath)
            self.reason = "expected \(Self.describe(type)), found null"
        case .keyNotFound(let key, let context):
            self.field = Self.path(context.codingPath + [key])
            self.reason = "missing"
        case .dataCorrupted(let context):
            self.field = Self.path(context.codingPath)
            self.reason = context.debugDescription
        @unknown default:
            self.field = "params"
            self.reason = String(describing: error)
        }
    }

    var rpcError: JSONRPCError { .invalidParams(field: self.field, reason: self.reason) }

    /// `params.a.0.b`: keys by name, array elements by index (``CodingPathText``).
    static func path(_ codingPath: [any CodingKey]) -> String {
        CodingPathText.render(codingPath, under: "params")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type, is Character.Type: "string"
        case is Bool.Type: "boolean"
        case is any FixedWidthInteger.Type: "integer"
        case is any BinaryFloatingPoint.Type: "number"
        case is [String: Any].Type: "object"
        case is [Any].Type: "array"
        default: String(describing: type)
        }
    }
}
