extension JSONRPCServer {
    /// Where the server listens.
    public struct Address: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case path(String, mode: UInt32, group: UInt32?)
            case descriptor(CInt)
        }

        let kind: Kind

        /// A Unix stream socket created at `path`.
        ///
        /// The socket file gets `mode` (and `group`) before the socket listens, so no client can connect under
        /// looser permissions. A stale socket file (nobody accepting) is replaced; a live socket or any other file
        /// makes ``JSONRPCServer/run()`` throw. The file is removed on shutdown. The parent directory must exist.
        ///
        /// - Parameters:
        ///   - path: The socket path (at most 107 bytes).
        ///   - mode: The file mode, default `0o660`.
        ///   - group: A group id to own the socket file, or `nil` to keep the process's.
        /// - Returns: The address.
        public static func unixSocket(path: String, mode: UInt32 = 0o660, group: UInt32? = nil) -> Address {
            Address(kind: .path(path, mode: mode, group: group))
        }

        /// An already bound (and possibly listening) Unix stream socket, e.g. fd 3 from systemd socket activation.
        /// The server takes ownership of the descriptor and never removes the socket file.
        ///
        /// - Parameter descriptor: The socket's file descriptor.
        /// - Returns: The address.
        public static func listeningSocket(descriptor: CInt) -> Address {
            Address(kind: .descriptor(descriptor))
        }
    }

    /// Limits and timeouts; every limit is answered with a clear error and affects only the client that hits it.
    public struct Configuration: Sendable {
        /// The longest request line in bytes, line feed excluded (default 1 MiB). A longer line is answered with
        /// -32001 (id null) and the connection is closed.
        public var maximumLineLength = 1 << 20
        /// The most elements a batch may have (default 64); more are answered with one -32002 error (id null).
        public var maximumBatchSize = 64
        /// The most requests per connection that are read but not answered on the wire (default 128). At the limit
        /// the server stops reading from that connection until responses go out. Values below 1 count as 1.
        public var maximumPendingRequestsPerConnection = 128
        /// The most asynchronous requests running or queued server-wide (default 4096); more are answered with
        /// -32000 at once.
        public var maximumPendingAsyncRequests = 4096
        /// The deepest JSON nesting accepted in a request (default 128).
        public var maximumNestingDepth = 128
        /// Output buffered per connection before the server stops reading from a client that does not read its
        /// responses (default 64 KiB). Reading resumes below half of it.
        public var maximumBufferedOutputBytes = 64 * 1024
        /// How long a connection may stay without a complete request and with nothing pending before it is
        /// closed (default 300 s); bytes of an unfinished line do not count, so a client trickling a partial
        /// line is closed too. `nil` disables the timeout.
        public var idleTimeout: Duration? = .seconds(300)
        /// How long shutdown waits for in-flight requests before closing the remaining connections (default 30 s).
        public var shutdownGracePeriod: Duration = .seconds(30)

        /// Creates the default configuration.
        public init() {}
    }
}
