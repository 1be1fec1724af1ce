import Glibc

/// Unix-domain sockets on raw descriptors, as a C program would use them.
///
/// Every descriptor is created close-on-exec, so the daemons the benchmark spawns inherit none
/// of the benchmark's connections.
enum UnixSocket {
    /// A connected, blocking stream socket.
    ///
    /// - Parameter path: The socket file.
    /// - Throws: ``SystemError`` (e.g. `ENOENT` before the server listens).
    static func connect(to path: String) throws(SystemError) -> Int32 {
        let descriptor = try SystemError.check(
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0),
            "socket(AF_UNIX, SOCK_STREAM)"
        )
        let result = try Self.withAddress(path) { address, length in Glibc.connect(descriptor, address, length) }
        guard result == 0 else {
            let error = SystemError("connect(\(path))")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// A non-blocking listening stream socket bound to `path` (an existing file there is replaced).
    static func listen(at path: String, backlog: Int32) throws(SystemError) -> Int32 {
        let descriptor = try Self.bound(
            type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
            path: path
        )
        guard Glibc.listen(descriptor, backlog) == 0 else {
            let error = SystemError("listen(\(path))")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// A datagram socket bound to `path`, e.g. to receive `sd_notify` messages.
    static func datagram(boundTo path: String) throws(SystemError) -> Int32 {
        try Self.bound(type: Int32(SOCK_DGRAM.rawValue), path: path)
    }

    /// Makes reads and writes on `descriptor` return `EAGAIN` instead of blocking.
    static func setNonBlocking(_ descriptor: Int32) throws(SystemError) {
        let flags = try SystemError.check(fcntl(descriptor, F_GETFL), "fcntl(F_GETFL)")
        try SystemError.check(fcntl(descriptor, F_SETFL, flags | O_NONBLOCK), "fcntl(F_SETFL, O_NONBLOCK)")
    }

    /// Writes all of `bytes` to a blocking descriptor.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError("write")
            }
            offset += written
        }
    }

    /// Writes all of `bytes` to a blocking descriptor.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(SystemError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(SystemError) in try Self.writeAll(descriptor, buffer) }
        }
        try result.get()
    }

    private static func bound(type: Int32, path: String) throws(SystemError) -> Int32 {
        let descriptor = try SystemError.check(
            socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0),
            "socket(AF_UNIX)"
        )
        unlink(path)
        let result = try Self.withAddress(path) { address, length in bind(descriptor, address, length) }
        guard result == 0 else {
            let error = SystemError("bind(\(path))")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Calls `body` with a `sockaddr_un` for `path`.
    private static func withAddress(
        _ path: String,
        _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) throws(SystemError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw SystemError("socket path \(path)", code: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: bytes)
            path[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}
