import Glibc

/// A Unix-domain socket path as a validated `sockaddr_un`, and a blocking connect to it:
/// shared by the server's listener and by the plain-socket clients (scripts, tools, tests)
/// that talk to it without NIO.
public struct UnixSocketAddress: Sendable {
    /// A failed system call on a Unix socket.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The kind of failure.
        public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
            /// The stable name of the kind, e.g. `"systemCall"`.
            public let rawValue: String

            /// Creates a code from its stable name.
            public init(rawValue: String) {
                self.rawValue = rawValue
            }

            /// The path cannot be a socket address (empty, too long, or with a NUL byte).
            public static let invalidPath = Code(rawValue: "invalidPath")
            /// `socket()` or `connect()` failed; ``Failure/errno`` says why.
            public static let systemCall = Code(rawValue: "systemCall")

            /// The stable name of the kind.
            public var description: String { rawValue }
        }

        /// The kind of failure.
        public var code: Code
        /// The call and the path, e.g. `connect(/run/evmcsd/evmcsd.sock)`.
        public var operation: String
        /// `errno` of the call, or 0 for a path that cannot be a socket address.
        public var errno: CInt

        /// The operation, with the system's text for `errno` if a call failed.
        public var description: String {
            errno == 0 ? operation : "\(operation): \(String(cString: strerror(errno)))"
        }
    }

    /// The path.
    public let path: String
    private let address: sockaddr_un

    /// Validates `path`: 1 to 107 bytes (the size of `sun_path` less the terminator), no NUL.
    public init(path: String) throws(Failure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else {
            throw Failure(code: .invalidPath, operation: "socket path must be 1 to \(capacity - 1) bytes without NUL: \(path)", errno: 0)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        self.path = path
        self.address = address
    }

    /// Calls `body` with the address as a `sockaddr` and its length (for bind, connect).
    public func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: self.address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// A new blocking, close-on-exec stream socket connected to this address; the caller owns
    /// the descriptor. Nothing is left open when it fails.
    public func connectedStream() throws(Failure) -> CInt {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(code: .systemCall, operation: "socket()", errno: errno) }
        guard self.withSockaddr({ connect(descriptor, $0, $1) }) == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(code: .systemCall, operation: "connect(\(self.path))", errno: code)
        }
        return descriptor
    }

    /// ``connectedStream()`` to `path`.
    public static func connectedStream(to path: String) throws(Failure) -> CInt {
        try UnixSocketAddress(path: path).connectedStream()
    }
}
