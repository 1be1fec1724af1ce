/// Why the server could not start.
///
/// Equality and hashing cover everything but ``cause``.
public struct JSONRPCServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// A stable identifier.
        public var rawValue: String

        /// Creates a code.
        ///
        /// - Parameter rawValue: A stable identifier.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// Another process is accepting connections on the socket path.
        public static let addressInUse = Code(rawValue: "addressInUse")
        /// The socket path exists and is not a socket; it is left alone.
        public static let pathOccupied = Code(rawValue: "pathOccupied")
        /// The socket path does not fit in `sockaddr_un` or contains a NUL byte.
        public static let invalidPath = Code(rawValue: "invalidPath")
        /// A system call failed; see ``JSONRPCServerError/errno``.
        public static let systemCallFailed = Code(rawValue: "systemCallFailed")
        /// ``JSONRPCServer/run()`` was called more than once.
        public static let alreadyStarted = Code(rawValue: "alreadyStarted")

        /// The identifier.
        public var description: String { self.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What failed, with the path or system call.
    public var message: String
    /// The `errno` value for ``Code/systemCallFailed`` and some others.
    public var errno: Int32?
    /// The underlying error (a socket address that cannot be used, a failed probe of the old socket), if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What failed.
    ///   - errno: The `errno` value, if a system call failed.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, errno: Int32? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.cause = cause
    }

    /// Whether two errors have the same code, message and errno (causes are not compared).
    public static func == (lhs: JSONRPCServerError, rhs: JSONRPCServerError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.errno == rhs.errno
    }

    /// Hashes the code, message and errno.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
        hasher.combine(self.errno)
    }

    /// `"<code>: <message>"` plus the `errno` if there is one.
    public var description: String {
        let suffix = self.errno.map { " (errno \($0))" } ?? ""
        return "\(self.code): \(self.message)\(suffix)"
    }
}
