/// A request id: a number, a string or `null`, kept with its exact source text so responses echo it byte for byte.
public struct JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    /// The id as a value: `.number`, `.string` or `.null`.
    public let value: JSONValue
    /// The id's JSON text exactly as the client sent it.
    public let jsonText: String

    init(value: JSONValue, jsonText: String) {
        self.value = value
        self.jsonText = jsonText
    }

    /// Creates a numeric id.
    ///
    /// - Parameter number: The id.
    public init(_ number: Int) {
        self.init(value: .number(JSONNumber(number)), jsonText: String(number))
    }

    /// Creates a string id.
    ///
    /// - Parameter string: The id.
    public init(_ string: String) {
        let value = JSONValue.string(string)
        self.init(value: value, jsonText: value.serializedString)
    }

    /// The id's JSON text.
    public var description: String { self.jsonText }
}
