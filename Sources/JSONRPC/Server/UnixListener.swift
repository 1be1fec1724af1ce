import Glibc

/// The listening socket: either created here on a path (mode and group set before it listens) or adopted from the
/// caller (systemd socket activation).
struct UnixListener: Sendable {
    /// The bound socket, handed to NIO which starts listening on it.
    let descriptor: CInt
    /// The socket file this listener created and removes on shutdown; `nil` for adopted descriptors.
    private let socketFile: SocketFile?

    private struct SocketFile: Sendable {
        var path: String
        var device: UInt64
        var inode: UInt64
    }

    static func adopt(descriptor: CInt) -> UnixListener {
        UnixListener(descriptor: descriptor, socketFile: nil)
    }

    /// Creates a socket bound to `path` with file mode `mode` (and group `group`), not yet listening, so no client can
    /// connect before the permissions are in place. A stale socket file (nobody accepting) is replaced; anything else
    /// at `path` is left alone and reported.
    static func bind(path: String, mode: UInt32, group: UInt32?) throws(JSONRPCServerError) -> UnixListener {
        let address: UnixSocketAddress
        do throws(UnixSocketAddress.Failure) {
            address = try UnixSocketAddress(path: path)
        } catch {
            throw JSONRPCServerError(code: .invalidPath, message: error.operation, cause: error)
        }
        try self.removeStaleSocket(at: path, address: address)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw self.failure("socket()") }
        do throws(JSONRPCServerError) {
            guard address.withSockaddr({ Glibc.bind(descriptor, $0, $1) }) == 0 else {
                throw self.failure("bind(\(path))")
            }
            do throws(JSONRPCServerError) {
                guard chmod(path, mode_t(mode)) == 0 else { throw self.failure("chmod(\(path))") }
                if let group, chown(path, uid_t.max, gid_t(group)) != 0 { throw self.failure("chown(\(path))") }
                var status = stat()
                guard lstat(path, &status) == 0 else { throw self.failure("lstat(\(path))") }
                let file = SocketFile(path: path, device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
                return UnixListener(descriptor: descriptor, socketFile: file)
            } catch {
                unlink(path)
                throw error
            }
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// Closes the descriptor if NIO never took it over.
    func closeUnadopted() {
        close(self.descriptor)
        self.removeSocketFile()
    }

    /// Removes the socket file if it is still the one this listener created (not replaced by another instance).
    func removeSocketFile() {
        guard let file = self.socketFile else { return }
        var status = stat()
        guard lstat(file.path, &status) == 0, UInt64(status.st_dev) == file.device,
            UInt64(status.st_ino) == file.inode
        else { return }
        unlink(file.path)
    }

    private static func removeStaleSocket(at path: String, address: UnixSocketAddress) throws(JSONRPCServerError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw self.failure("lstat(\(path))")
        }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw JSONRPCServerError(code: .pathOccupied, message: "\(path) exists and is not a socket")
        }
        do throws(UnixSocketAddress.Failure) {
            close(try address.connectedStream())
        } catch {
            guard error.errno == ECONNREFUSED else {
                throw JSONRPCServerError(code: .systemCallFailed, message: error.operation, errno: error.errno, cause: error)
            }
            guard unlink(path) == 0 || errno == ENOENT else { throw self.failure("unlink(\(path))") }
            return
        }
        throw JSONRPCServerError(code: .addressInUse, message: "another server is listening on \(path)")
    }

    /// Captures `errno` before the message is built (building it may change `errno`).
    private static func failure(_ operation: @autoclosure () -> String) -> JSONRPCServerError {
        let code = errno
        return JSONRPCServerError(code: .systemCallFailed, message: operation(), errno: code)
    }
}
