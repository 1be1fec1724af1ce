/// Why the server could not start.
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

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What failed.
    ///   - errno: The `errno` value, if a system call failed.
    public init(code: Code, message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// `"<code>: <message>"` plus the `errno` if there is one.
    public var description: String {
        let suffix = self.errno.map { " (errno \($0))" } ?? ""
        return "\(self.code): \(self.message)\(suffix)"
    }
}
