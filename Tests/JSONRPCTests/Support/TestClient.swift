import EVMCSTesting
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

/// A plain POSIX Unix-socket client speaking newline-delimited JSON: ``LineSocket`` run on blocking threads.
final class TestClient: Sendable {
    let descriptor: CInt
    private let socket: Mutex<LineSocket>
    private let timeoutSeconds: Double

    private init(socket: sending LineSocket, timeoutSeconds: Double) {
        self.descriptor = socket.descriptor
        self.socket = Mutex(socket)
        self.timeoutSeconds = timeoutSeconds
    }

    /// Connects to `path`; reads time out after `timeoutSeconds`.
    static func connect(_ path: String, timeoutSeconds: Int = 10) async throws -> TestClient {
        try await BlockingIO.run {
            TestClient(socket: try LineSocket(path: path), timeoutSeconds: Double(timeoutSeconds))
        }
    }

    /// Sends `text` exactly (no line feed added).
    func send(_ text: String) async throws {
        try await self.send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        let descriptor = self.descriptor
        try await BlockingIO.run {
            if let code = LineSocket.writeAll(bytes, to: descriptor) { throw SocketError(operation: "send", code: code) }
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
        let timeout = self.timeoutSeconds
        return try await BlockingIO.run {
            try self.socket.withLock { socket -> String? in
                do throws(LineSocket.Failure) {
                    return try socket.readLine(timeout: timeout)
                } catch where error.code == .closed {
                    return nil
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
        // Not under the lock: a reader may be waiting in it.
        shutdown(self.descriptor, Int32(SHUT_WR))
    }
}

/// A socket path unique to this process and call.
func uniqueSocketPath() -> String {
    "/tmp/jrpc-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
}
