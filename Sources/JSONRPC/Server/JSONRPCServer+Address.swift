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
}
