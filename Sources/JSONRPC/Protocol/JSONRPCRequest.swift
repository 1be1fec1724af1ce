#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One JSON-RPC request or notification, as handed to a method handler.
public struct JSONRPCRequest: Sendable {
    /// The method name.
    public let method: String
    /// The id to answer with; `nil` for a notification (which gets no response).
    public let id: JSONRPCID?
    /// The exact, already validated JSON text of `params` (an array or object), if present.
    let paramsText: [UInt8]?

    init(method: String, id: JSONRPCID?, paramsText: [UInt8]?) {
        self.method = method
        self.id = id
        self.paramsText = paramsText
    }

    /// Creates a request, e.g. to call handlers directly in tests.
    ///
    /// - Parameters:
    ///   - method: The method name.
    ///   - id: The request id; `nil` makes it a notification.
    ///   - params: An array or object, or `nil` if absent.
    public init(method: String, id: JSONRPCID?, params: JSONValue? = nil) {
        self.init(method: method, id: id, paramsText: params?.serialized())
    }

    /// Whether the request has `params` (without parsing them).
    public var hasParams: Bool { self.paramsText != nil }

    /// Whether this is a notification (no id, no response).
    public var isNotification: Bool { self.id == nil }

    /// The parameters as a value (an array or object), or `nil` if absent. Parsed on each access.
    public var params: JSONValue? {
        // The text was validated when the request was read, so parsing cannot fail here.
        self.paramsText.flatMap { try? JSONParser(maximumDepth: .max).parse($0) }
    }

    /// Rejects parameters for a method that takes none; absent params, `{}` and `[]` are accepted.
    ///
    /// - Throws: ``JSONRPCError`` -32602 whose `data` is `{"field":"params","reason":"<method> takes no params"}`.
    public func expectNoParams() throws(JSONRPCError) {
        guard let text = self.paramsText else { return }
        // The text is validated JSON: an empty object or array is its brackets and whitespace.
        let significant = text.filter { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard significant.count == 2 else {
            throw JSONRPCError.invalidParams(field: "params", reason: "\(self.method) takes no params")
        }
    }

    /// Decodes the parameters with Foundation's `JSONDecoder`.
    ///
    /// Absent parameters decode as an empty object, so types whose properties are all optional accept them.
    /// A custom `init(from:)` can reject a value with `DecodingError.dataCorruptedError(…, debugDescription:)`; the
    /// description becomes the `reason`.
    ///
    /// - Parameter type: The type to decode.
    /// - Returns: The decoded parameters.
    /// - Throws: ``JSONRPCError`` -32602 whose `data` is `{"field":"params.<path>","reason":…}`, also for a member
    ///   name that appears twice in one object (`"reason":"duplicate member \"view\""`), which `JSONDecoder` would
    ///   resolve silently.
    public func decodeParams<Params: Decodable>(_ type: Params.Type = Params.self) throws(JSONRPCError) -> Params {
        let text = self.paramsText ?? Array("{}".utf8)
        if let duplicate = self.params?.firstDuplicateMember {
            throw JSONRPCError.invalidParams(
                field: (["params"] + duplicate.path).joined(separator: "."),
                reason: duplicate.reason
            )
        }
        do {
            return try JSONDecoder().decode(Params.self, from: Data(text))
        } catch let error as DecodingError {
            throw ParamsDecodingFailure(error).rpcError
        } catch {
            throw JSONRPCError.invalidParams(field: "params", reason: String(describing: error))
        }
    }
}
