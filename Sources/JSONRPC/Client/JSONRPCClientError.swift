#if canImport(Glibc)
    import Glibc
#endif

/// Why a JSON-RPC call did not produce a result.
public enum JSONRPCClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Connecting failed; `errno` is the system error (ENOENT: no socket file, ECONNREFUSED:
    /// nobody listening, EACCES: no permission).
    case connectFailed(path: String, errno: Int32)
    /// The connection closed before the answer arrived.
    case connectionClosed
    /// No answer within the timeout.
    case timedOut(method: String)
    /// The calling task was cancelled before the answer arrived; a late answer is discarded.
    case cancelled(method: String)
    /// The peer sent something that is not a JSON-RPC response.
    case malformedResponse(String)
    /// The server answered with an error.
    case server(JSONRPCError)

    public var description: String {
        switch self {
        case .connectFailed(let path, let code): "cannot connect to \(path): \(String(cString: strerror(code)))"
        case .connectionClosed: "the connection closed before the answer arrived"
        case .timedOut(let method): "no answer to \(method) in time"
        case .cancelled(let method): "the call of \(method) was cancelled"
        case .malformedResponse(let why): "malformed response: \(why)"
        case .server(let error): "server error \(error.code.rawValue): \(error.message)"
        }
    }
}

/// A server-sent notification (a JSON-RPC request without an id).
public struct JSONRPCNotification: Sendable {
    public let method: String
    public let params: JSONValue?
}
