/// One JSON-RPC request or notification, as handed to a method handler.
public struct JSONRPCRequest: Sendable {
    /// The method name.
    public let method: String
    /// The id to answer with; `nil` for a notification (which gets no response).
    public let id: JSONRPCID?
    /// The parameters (an array or object) as the server parsed them, or `nil` if absent.
    public let params: JSONValue?

    /// Creates a request, e.g. to call handlers directly in tests.
    ///
    /// - Parameters:
    ///   - method: The method name.
    ///   - id: The request id; `nil` makes it a notification.
    ///   - params: An array or object, or `nil` if absent.
    public init(method: String, id: JSONRPCID?, params: JSONValue? = nil) {
        self.method = method
        self.id = id
        self.params = params
    }

    /// Whether the request has `params`.
    public var hasParams: Bool { self.params != nil }

    /// Whether this is a notification (no id, no response).
    public var isNotification: Bool { self.id == nil }

    /// Rejects parameters for a method that takes none; absent params, `{}` and `[]` are accepted.
    ///
    /// - Throws: ``JSONRPCError`` -32602 whose `data` is `{"field":"params","reason":"<method> takes no params"}`.
    public func expectNoParams() throws(JSONRPCError) {
        switch self.params {
        case nil, .object([])?, .array([])?: return
        default: throw JSONRPCError.invalidParams(field: "params", reason: "\(self.method) takes no params")
        }
    }

    /// Decodes the parameters from the parsed tree with ``JSONValueDecoder`` (no second parse).
    ///
    /// Absent parameters decode as an empty object, so types whose properties are all optional accept them.
    /// A custom `init(from:)` can reject a value with `DecodingError.dataCorruptedError(…, debugDescription:)`; the
    /// description becomes the `reason`.
    ///
    /// - Parameter type: The type to decode.
    /// - Returns: The decoded parameters.
    /// - Throws: ``JSONRPCError`` -32602 whose `data` is `{"field":"params.<path>","reason":…}`, also for a member
    ///   name that appears twice in one object (`"reason":"duplicate member \"view\""`).
    public func decodeParams<Params: Decodable>(_ type: Params.Type = Params.self) throws(JSONRPCError) -> Params {
        let tree = self.params ?? .object([])
        if let duplicate = tree.firstDuplicateMember {
            throw JSONRPCError.invalidParams(
                field: (["params"] + duplicate.path).joined(separator: "."),
                reason: duplicate.reason
            )
        }
        do {
            return try JSONValueDecoder().decode(Params.self, from: tree)
        } catch let error as DecodingError {
            throw ParamsDecodingFailure(error).rpcError
        } catch {
            throw JSONRPCError.invalidParams(field: "params", reason: String(describing: error))
        }
    }
}
