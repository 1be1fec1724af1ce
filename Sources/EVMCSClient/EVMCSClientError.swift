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
        /// The path cannot be a socket evmcsd listens on (a path component is a file, the path is too long…).
        case unusableSocketPath
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
        case .daemonNotRunning, .permissionDenied, .unusableSocketPath, .connectionLost, .timedOut, .notAuthorized, .shuttingDown,
            .overloaded, .notReady:
            true
        default: false
        }
    }

    init(_ error: JSONRPCClientError, socketPath: String) {
        switch error.code {
        case .connectFailed:
            let path = error.path ?? socketPath
            let code = error.errno ?? 0
            if code == EACCES || code == EPERM {
                self.init(
                    kind: .permissionDenied,
                    message: "no permission to connect to \(path): join the socket's group (evmcsd) or run as root"
                )
            } else if code != ENOENT && code != ECONNREFUSED {
                self.init(
                    kind: .unusableSocketPath,
                    message:
                        "cannot connect to \(path) (\(String(cString: strerror(code)))): it is not a socket evmcsd can listen on; give --socket or $EVMCSD_SOCKET"
                )
            } else {
                self.init(
                    kind: .daemonNotRunning,
                    message:
                        "evmcsd is not running at \(path) (\(String(cString: strerror(code)))): start it (systemctl start evmcsd.socket, or make run) or give --socket"
                )
            }
        case .connectionClosed:
            self.init(
                kind: .connectionLost,
                message: "the connection to evmcsd at \(socketPath) was lost; is the daemon restarting?"
            )
        case .timedOut:
            self.init(kind: .timedOut, message: "evmcsd did not answer \(error.method ?? "the call") in time")
        case .cancelled:
            self.init(kind: .cancelled, message: "the call of \(error.method ?? "a method") was cancelled")
        case .server:
            if let serverError = error.serverError {
                self.init(server: serverError)
            } else {
                self.init(kind: .protocolViolation, message: "unexpected answer from evmcsd: \(error.message)")
            }
        default:
            self.init(kind: .protocolViolation, message: "unexpected answer from evmcsd: \(Self.reason(error))")
        }
    }

    /// What a malformed response was, without the transport's prefix.
    private static func reason(_ error: JSONRPCClientError) -> String {
        let prefix = "malformed response: "
        return error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
    }

    init(kind: Kind, message: String, data: String? = nil) {
        self.kind = kind
        self.message = message
        self.data = data
    }

    private init(server error: JSONRPCError) {
        let kind = EVMCSError(rawValue: error.code.rawValue).map(Kind.init) ?? .other(error.code.rawValue)
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

extension EVMCSClientError.Kind {
    /// The kind of an error of the contract's table.
    init(_ error: EVMCSError) {
        switch error {
        case .parseError: self = .parseError
        case .invalidRequest: self = .invalidRequest
        case .methodNotFound: self = .methodNotFound
        case .invalidParams: self = .invalidParams
        case .internalError: self = .internalError
        case .overloaded: self = .overloaded
        case .requestTooLarge: self = .requestTooLarge
        case .batchTooLarge: self = .batchTooLarge
        case .shuttingDown: self = .shuttingDown
        case .notAuthorized: self = .notAuthorized
        case .invalidDocument: self = .invalidDocument
        case .probeFailed: self = .probeFailed
        case .notReady: self = .notReady
        case .reloadFailed: self = .reloadFailed
        case .fleetFailed: self = .fleetFailed
        }
    }
}
