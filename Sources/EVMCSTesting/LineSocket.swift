import JSONRPC

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking client on a Unix stream socket that writes and reads newline-delimited lines with
/// timeouts, as a script or socat talks to evmcsd. The one socket client of the tests and tools;
/// JSON is left to the caller.
public final class LineSocket {
    /// Why a socket operation failed.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The kind of failure.
        public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
            /// The stable name of the kind, e.g. `"timeout"`.
            public let rawValue: String

            /// Creates a code from its stable name.
            public init(rawValue: String) {
                self.rawValue = rawValue
            }

            /// The connection could not be made; ``Failure/errno`` says why.
            public static let connect = Code(rawValue: "connect")
            /// Nothing arrived within the timeout.
            public static let timeout = Code(rawValue: "timeout")
            /// The peer closed the connection (EOF or reset).
            public static let closed = Code(rawValue: "closed")
            /// A read or write failed; ``Failure/errno`` says why.
            public static let io = Code(rawValue: "io")

            /// The stable name of the kind.
            public var description: String { rawValue }
        }

        /// The kind of failure.
        public let code: Code
        /// The system error, 0 when none applies.
        public let errno: Int32

        /// Nothing arrived in time.
        public static let timeout = Failure(code: .timeout, errno: 0)
        /// The peer closed the connection.
        public static let closed = Failure(code: .closed, errno: 0)

        /// Connecting failed with `errno`.
        public static func connect(_ errno: Int32) -> Failure { Failure(code: .connect, errno: errno) }

        /// A read or write failed with `errno`.
        public static func io(_ errno: Int32) -> Failure { Failure(code: .io, errno: errno) }

        /// What failed, with the system's text for `errno`.
        public var description: String {
            switch code {
            case .connect: "connect failed: \(String(cString: strerror(errno)))"
            case .timeout: "timed out"
            case .closed: "connection closed by the peer"
            default: "I/O error: \(String(cString: strerror(errno)))"
            }
        }
    }

    /// The connected socket.
    public let descriptor: Int32
    private var buffer: [UInt8] = []

    /// Connects to the socket at `path`.
    ///
    /// - Parameter path: The socket's path.
    /// - Throws: ``Failure`` with ``Failure/Code/connect``.
    public init(path: String) throws(Failure) {
        // Connected before `self` exists: a failed connect leaves no object whose deinit would
        // close the descriptor a second time.
        do throws(UnixSocketAddress.Failure) {
            descriptor = try UnixSocketAddress.connectedStream(to: path)
        } catch {
            throw .connect(error.errno)
        }
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes` (blocking).
    public func send(_ bytes: [UInt8]) throws(Failure) {
        if let code = Self.writeAll(bytes, to: descriptor) { throw .io(code) }
    }

    /// Writes all of `bytes` to `descriptor` (blocking), for use from another thread.
    ///
    /// - Returns: The errno on failure, `nil` on success.
    @discardableResult
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += count
        }
        return nil
    }

    /// Closes the write side (the server still answers what it has read).
    public func shutdownWrite() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// The next line, without its line feed.
    ///
    /// - Parameter timeout: Seconds to wait for it.
    /// - Throws: ``Failure`` (``Failure/Code/closed`` at end of stream, ``Failure/Code/timeout``).
    public func readLine(timeout: Double) throws(Failure) -> String {
        let deadline = Self.now() + timeout
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            try fill(until: deadline)
        }
    }

    /// Whether the peer closes the connection (EOF or reset) within `timeout` seconds; lines that arrive meanwhile
    /// are kept for ``readLine(timeout:)``.
    public func isClosedByPeer(timeout: Double) -> Bool {
        let deadline = Self.now() + timeout
        while true {
            do throws(Failure) {
                try fill(until: deadline)
            } catch {
                return error.code == .closed
            }
        }
    }

    private func fill(until deadline: Double) throws(Failure) {
        let remaining = deadline - Self.now()
        guard remaining > 0 else { throw .timeout }
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptorSet, 1, Int32(min(remaining, 60) * 1000))
        if ready < 0 {
            if errno == EINTR { return }
            throw .io(errno)
        }
        guard ready > 0 else { throw .timeout }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EINTR || errno == EAGAIN { return }
            if errno == ECONNRESET { throw .closed }
            throw .io(errno)
        }
        guard count > 0 else { throw .closed }
        buffer.append(contentsOf: chunk[0..<count])
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
