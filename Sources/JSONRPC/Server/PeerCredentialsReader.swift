import Glibc
import NIOCore

/// Reads `SO_PEERCRED` from a connected Unix socket.
enum PeerCredentialsReader {
    /// `struct ucred` is hidden from Swift (it needs `_GNU_SOURCE`); its layout is `{ pid_t pid; uid_t uid;
    /// gid_t gid; }`, three 4-byte fields, read here at their byte offsets.
    private static let ucredSize = 12

    /// Reads the credentials of the peer of `channel`; call on its event loop (e.g. in the child initializer).
    static func read(from channel: any Channel) throws -> JSONRPCPeerCredentials {
        let credentials = try channel.pipeline.syncOperations.withUnsafeTransportIfAvailable(
            of: NIOBSDSocket.Handle.self
        ) { descriptor in
            try self.read(descriptor: descriptor)
        }
        guard let credentials else {
            throw JSONRPCServerError(code: .systemCallFailed, message: "the channel exposes no socket descriptor")
        }
        return credentials
    }

    private static func read(descriptor: CInt) throws -> JSONRPCPeerCredentials {
        try withUnsafeTemporaryAllocation(byteCount: self.ucredSize, alignment: 4) { buffer in
            var length = socklen_t(self.ucredSize)
            guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, buffer.baseAddress, &length) == 0 else {
                throw JSONRPCServerError(code: .systemCallFailed, message: "getsockopt(SO_PEERCRED)", errno: errno)
            }
            return JSONRPCPeerCredentials(
                uid: buffer.load(fromByteOffset: 4, as: UInt32.self),
                gid: buffer.load(fromByteOffset: 8, as: UInt32.self),
                pid: buffer.load(fromByteOffset: 0, as: Int32.self)
            )
        }
    }
}
