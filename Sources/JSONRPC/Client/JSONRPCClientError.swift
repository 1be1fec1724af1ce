#if canImport(Glibc)
    import Glibc
#endif

/// Why a JSON-RPC call did not produce a result.
///
/// Equality and hashing cover everything but ``cause``.
public struct JSONRPCClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the kind, e.g. `"connectFailed"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// Connecting failed; ``JSONRPCClientError/errno`` is the system error (ENOENT: no socket
        /// file, ECONNREFUSED: nobody listening, EACCES: no permission).
        public static let connectFailed = Code(rawValue: "connectFailed")
        /// The connection closed before the answer arrived.
        public static let connectionClosed = Code(rawValue: "connectionClosed")
        /// No answer within the timeout.
        public static let timedOut = Code(rawValue: "timedOut")
        /// The calling task was cancelled before the answer arrived; a late answer is discarded.
        public static let cancelled = Code(rawValue: "cancelled")
        /// The peer sent something that is not a JSON-RPC response (or params could not be encoded).
        public static let malformedResponse = Code(rawValue: "malformedResponse")
        /// The server answered with an error: ``JSONRPCClientError/serverError``.
        public static let server = Code(rawValue: "server")

        /// The stable name of the kind.
        public var description: String { rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened, for humans.
    public let message: String
    /// The socket path of a failed connect.
    public let path: String?
    /// The system error of a failed connect.
    public let errno: Int32?
    /// The method that timed out or was cancelled.
    public let method: String?
    /// The server's error, for ``Code/server``.
    public let serverError: JSONRPCError?
    /// The underlying error (an encoding or decoding error), when there is one.
    public let cause: (any Error & Sendable)?

    private init(
        _ code: Code,
        _ message: String,
        path: String? = nil,
        errno: Int32? = nil,
        method: String? = nil,
        serverError: JSONRPCError? = nil,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
        self.method = method
        self.serverError = serverError
        self.cause = cause
    }

    /// Connecting to `path` failed with `errno`.
    public static func connectFailed(path: String, errno: Int32) -> JSONRPCClientError {
        JSONRPCClientError(
            .connectFailed,
            "cannot connect to \(path): \(String(cString: strerror(errno)))",
            path: path,
            errno: errno
        )
    }

    /// The connection closed before the answer arrived.
    public static let connectionClosed = JSONRPCClientError(
        .connectionClosed,
        "the connection closed before the answer arrived"
    )

    /// No answer to `method` within the timeout.
    public static func timedOut(method: String) -> JSONRPCClientError {
        JSONRPCClientError(.timedOut, "no answer to \(method) in time", method: method)
    }

    /// The call of `method` was cancelled.
    public static func cancelled(method: String) -> JSONRPCClientError {
        JSONRPCClientError(.cancelled, "the call of \(method) was cancelled", method: method)
    }

    /// Something that is not a JSON-RPC response arrived (`why` says what), or `cause` made a
    /// request or a result unusable.
    public static func malformedResponse(_ why: String, cause: (any Error & Sendable)? = nil) -> JSONRPCClientError {
        JSONRPCClientError(.malformedResponse, "malformed response: \(why)", cause: cause)
    }

    /// The server answered with `error`.
    public static func server(_ error: JSONRPCError) -> JSONRPCClientError {
        JSONRPCClientError(.server, "server error \(error.code.rawValue): \(error.message)", serverError: error)
    }

    /// The message.
    public var description: String { message }

    /// Whether two errors are the same failure (causes are not compared).
    public static func == (lhs: JSONRPCClientError, rhs: JSONRPCClientError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.path == rhs.path && lhs.errno == rhs.errno
            && lhs.method == rhs.method && lhs.serverError == rhs.serverError
    }

    /// Hashes what ``==(_:_:)`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(path)
        hasher.combine(errno)
        hasher.combine(method)
        hasher.combine(serverError)
    }
}

/// A server-sent notification (a JSON-RPC request without an id).
public struct JSONRPCNotification: Sendable {
    public let method: String
    public let params: JSONValue?
}
