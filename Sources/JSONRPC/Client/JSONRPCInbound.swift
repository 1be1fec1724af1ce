/// What one JSON text from the server means to a client, shared by ``JSONRPCClient`` and
/// ``BlockingJSONRPCClient``.
enum JSONRPCInbound {
    /// A notification (a request without an id).
    case notification(JSONRPCNotification)
    /// The answer to the request with this id: its result, or the server's error.
    case response(id: Int, Result<JSONValue, JSONRPCClientError>)
    /// An error with id null: it concerns the whole connection (overloaded, request too large),
    /// so every call waiting on it fails with it.
    case connectionError(JSONRPCClientError)
    /// A response with neither an id nor an error: nothing to deliver.
    case ignored

    init(_ value: JSONValue) {
        if let method = value["method"]?.string, value["id"] == nil {
            self = .notification(JSONRPCNotification(method: method, params: value["params"]))
            return
        }
        let serverError = value["error"].map { error in
            JSONRPCClientError.server(
                JSONRPCError(
                    code: JSONRPCError.Code(
                        rawValue: error["code"]?.number?.int64.map(Int.init) ?? JSONRPCError.Code.internalError.rawValue
                    ),
                    message: error["message"]?.string ?? "",
                    data: error["data"]
                )
            )
        }
        guard let id = value["id"]?.number?.int64.map(Int.init) else {
            self = serverError.map { .connectionError($0) } ?? .ignored
            return
        }
        self = .response(id: id, serverError.map { .failure($0) } ?? .success(value["result"] ?? .null))
    }
}
