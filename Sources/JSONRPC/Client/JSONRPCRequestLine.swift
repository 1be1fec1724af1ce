#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The text of a client's request, shared by ``JSONRPCClient`` and ``BlockingJSONRPCClient``.
enum JSONRPCRequestLine {
    /// `params` as JSON text (`JSONEncoder`: sorted keys, slashes unescaped), `nil` for none.
    /// - Throws: ``JSONRPCClientError/malformedResponse(_:)`` if `params` cannot be encoded.
    static func encode(params: (some Encodable)?) throws(JSONRPCClientError) -> [UInt8]? {
        guard let params else { return nil }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Array(try encoder.encode(params))
        } catch {
            throw .malformedResponse("cannot encode params: \(error)", cause: error)
        }
    }

    /// Appends `{"jsonrpc":"2.0","id":ID,"method":METHOD}` (with `"params":PARAMS` when given) and
    /// the line feed that ends it.
    static func write(id: Int, method: String, params: [UInt8]?, to output: inout some JSONOutput) {
        output.appendASCII("{\"jsonrpc\":\"2.0\",\"id\":")
        writeUTF8(String(id), to: &output)
        output.appendASCII(",\"method\":")
        writeJSONString(method, to: &output)
        if let params {
            output.appendASCII(",\"params\":")
            params.withUnsafeBytes { output.appendBytes($0) }
        }
        output.appendASCII("}\n")
    }
}

extension JSONValue {
    /// This value, the result of a call to `method`, decoded as `T` from the tree (``JSONValueDecoder``).
    /// - Throws: ``JSONRPCClientError/malformedResponse(_:)`` naming `method` and `T`.
    public func decodedResult<T: Decodable>(of method: String, as type: T.Type) throws(JSONRPCClientError) -> T {
        do {
            return try JSONValueDecoder().decode(T.self, from: self)
        } catch {
            throw .malformedResponse("result of \(method) does not decode as \(T.self): \(error)", cause: error)
        }
    }
}
