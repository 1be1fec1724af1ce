import EVMCSProtocol
import JSONRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Why a call to evmcsd failed, with a message that says what to do.
public struct EVMCSClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, one case per documented error code plus the transport failures.
    public enum Kind: Sendable, Hashable {
        /// No daemon at the socket (no socket file, or nobody listening).
        case daemonNotRunning
        /// The socket exists but this user may not connect to it.
        case permissionDenied
        /// The connection was lost before the answer arrived.
        case connectionLost
        /// No answer in time.
        case timedOut
        /// The calling task was cancelled before the answer arrived.
        case cancelled
        /// The daemon's answer was not what the protocol promises.
        case protocolViolation
        /// ``EVMCSClient/subscribe()`` on a client connected with ``EVMCSClient/Transport/blocking``.
        case subscriptionUnavailable
        // JSON-RPC standard errors.
        case parseError, invalidRequest, methodNotFound, invalidParams, internalError
        // Transport limits of the server.
        case overloaded, requestTooLarge, batchTooLarge, shuttingDown
        // evmcsd's application errors.
        case notAuthorized, invalidDocument, probeFailed, notReady, reloadFailed, fleetFailed
        /// A server error code this client does not know.
        case other(Int)
    }

    public var kind: Kind
    public var message: String
    /// The server's error `data`, serialized, when there was one (e.g. `{"field":…,"reason":…}`).
    public var data: String?

    public var description: String { message }

    /// Whether the daemon could not be reached, could not answer yet (no profile, overloaded,
    /// stopping) or refused the caller (evmcsctl exit status 3).
    public var isUnreachableOrUnauthorized: Bool {
        switch kind {
        case .daemonNotRunning, .permissionDenied, .connectionLost, .timedOut, .notAuthorized, .shuttingDown,
            .overloaded, .notReady:
            true
        default: false
        }
    }

    init(_ error: JSONRPCClientError, socketPath: String) {
        switch error {
        case .connectFailed(let path, let code) where code == EACCES || code == EPERM:
            self.init(
                kind: .permissionDenied,
                message: "no permission to connect to \(path): join the socket's group (evmcsd) or run as root"
            )
        case .connectFailed(let path, let code):
            self.init(
                kind: .daemonNotRunning,
                message:
                    "evmcsd is not running at \(path) (\(String(cString: strerror(code)))): start it (systemctl start evmcsd.socket, or make run) or give --socket"
            )
        case .connectionClosed:
            self.init(
                kind: .connectionLost,
                message: "the connection to evmcsd at \(socketPath) was lost; is the daemon restarting?"
            )
        case .timedOut(let method):
            self.init(kind: .timedOut, message: "evmcsd did not answer \(method) in time")
        case .cancelled(let method):
            self.init(kind: .cancelled, message: "the call of \(method) was cancelled")
        case .malformedResponse(let why):
            self.init(kind: .protocolViolation, message: "unexpected answer from evmcsd: \(why)")
        case .server(let error):
            self.init(server: error)
        }
    }

    init(kind: Kind, message: String, data: String? = nil) {
        self.kind = kind
        self.message = message
        self.data = data
    }

    private init(server error: JSONRPCError) {
        let kind: Kind
        switch error.code.rawValue {
        case -32700: kind = .parseError
        case -32600: kind = .invalidRequest
        case -32601: kind = .methodNotFound
        case -32602: kind = .invalidParams
        case -32603: kind = .internalError
        case -32000: kind = .overloaded
        case -32001: kind = .requestTooLarge
        case -32002: kind = .batchTooLarge
        case -32003: kind = .shuttingDown
        case EVMCSErrorCode.notAuthorized: kind = .notAuthorized
        case EVMCSErrorCode.invalidDocument: kind = .invalidDocument
        case EVMCSErrorCode.probeFailed: kind = .probeFailed
        case EVMCSErrorCode.notReady: kind = .notReady
        case EVMCSErrorCode.reloadFailed: kind = .reloadFailed
        case EVMCSErrorCode.fleetFailed: kind = .fleetFailed
        case let code: kind = .other(code)
        }
        var message = error.message
        if let field = error.data?["field"]?.string, let reason = error.data?["reason"]?.string {
            message += ": \(field): \(reason)"
        } else if let reason = error.data?["reason"]?.string {
            message += ": \(reason)"
        } else if kind == .notAuthorized, let allowed = error.data?["allowed"]?.string {
            message += ": only \(allowed) may call \(error.data?["method"]?.string ?? "this method")"
        }
        self.init(kind: kind, message: message, data: error.data?.serializedString)
    }
}
