import Glibc
import JSONRPC
import NIOPosix
import Synchronization

/// Runs blocking socket calls on dedicated threads, never on the cooperative pool (which has only as many threads
/// as cores and also runs the server's asynchronous handlers).
enum BlockingIO {
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 6)
        pool.start()
        return pool
    }()

    static func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await self.pool.runIfActive(body)
    }
}

struct SocketError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32
    var description: String { "\(self.operation) failed: \(String(cString: strerror(self.code)))" }
}

/// A plain POSIX Unix-socket client speaking newline-delimited JSON.
final class TestClient: Sendable {
    let descriptor: CInt
    /// Bytes read but not yet returned as lines.
    private let pending = Mutex<[UInt8]>([])

    private init(descriptor: CInt) {
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }

    /// Connects to `path`; reads and writes time out after `timeoutSeconds`.
    static func connect(_ path: String, timeoutSeconds: Int = 10) async throws -> TestClient {
        try await BlockingIO.run {
            let descriptor = try UnixSocketAddress.connectedStream(to: path)
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            return TestClient(descriptor: descriptor)
        }
    }

    /// Sends `text` exactly (no line feed added).
    func send(_ text: String) async throws {
        try await self.send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        let descriptor = self.descriptor
        try await BlockingIO.run {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes {
                    Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard sent > 0 else {
                    if errno == EINTR { continue }
                    throw SocketError(operation: "send", code: errno)
                }
                offset += sent
            }
        }
    }

    /// Sends each string followed by a line feed, in one write.
    func sendLines(_ lines: [String]) async throws {
        try await self.send(lines.map { $0 + "\n" }.joined())
    }

    /// Writes `chunk` repeatedly without blocking until the socket refuses more or `limit` bytes are written.
    ///
    /// - Returns: The bytes written and whether the socket refused more.
    func sendUntilBlocked(_ chunk: [UInt8], limit: Int) async throws -> (written: Int, blocked: Bool) {
        let descriptor = self.descriptor
        return try await BlockingIO.run {
            var written = 0
            var offset = 0
            while written < limit {
                let sent = chunk[offset...].withUnsafeBytes {
                    Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if sent < 0 {
                    if errno == EAGAIN || errno == EWOULDBLOCK { return (written, true) }
                    if errno == EINTR { continue }
                    throw SocketError(operation: "send", code: errno)
                }
                written += sent
                offset = (offset + sent) % chunk.count
            }
            return (written, false)
        }
    }

    /// The next line without its line feed, or `nil` at end of stream (EOF or reset).
    func readLine() async throws -> String? {
        let descriptor = self.descriptor
        return try await BlockingIO.run {
            try self.pending.withLock { pending -> String? in
                while true {
                    if let lineFeed = pending.firstIndex(of: 0x0A) {
                        let line = String(decoding: pending[..<lineFeed], as: UTF8.self)
                        pending.removeSubrange(...lineFeed)
                        return line
                    }
                    var chunk = [UInt8](repeating: 0, count: 65536)
                    let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if received > 0 {
                        pending.append(contentsOf: chunk[..<received])
                    } else if received == 0 || errno == ECONNRESET {
                        return nil
                    } else if errno != EINTR {
                        throw SocketError(operation: "recv", code: errno)
                    }
                }
            }
        }
    }

    /// The next line parsed as JSON; fails at end of stream.
    func readJSON() async throws -> JSONValue {
        guard let line = try await self.readLine() else { throw SocketError(operation: "readJSON", code: EPIPE) }
        return try JSONParser().parse(line)
    }

    /// Sends one line and reads one line back.
    func call(_ line: String) async throws -> JSONValue {
        try await self.sendLines([line])
        return try await self.readJSON()
    }

    /// Reads lines until end of stream.
    func readToEnd() async throws -> [String] {
        var lines: [String] = []
        while let line = try await self.readLine() { lines.append(line) }
        return lines
    }

    /// Closes the write direction (the server sees end of input).
    func shutdownWrite() {
        shutdown(self.descriptor, Int32(SHUT_WR))
    }
}

/// A socket path unique to this process and call.
func uniqueSocketPath() -> String {
    "/tmp/jrpc-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
}
