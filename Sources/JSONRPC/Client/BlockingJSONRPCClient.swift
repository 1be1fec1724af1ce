import Glibc
import NIOCore
import Synchronization

/// A JSON-RPC 2.0 client on one blocking Unix-socket connection: a call writes its request and
/// reads until its answer arrives, on the calling thread, with no event loop and no thread of
/// its own — for a process that makes a call or two and exits (`evmcsctl status`), where
/// starting event loops would cost more than the call. Calls from several threads take turns;
/// notifications the server sends are skipped. ``JSONRPCClient`` pipelines calls and delivers
/// notifications.
///
/// ```swift
/// let client = try BlockingJSONRPCClient(unixSocketPath: "/run/evmcsd/evmcsd.sock")
/// let status = try client.call("daemon.status", as: MyStatus.self)
/// client.close()
/// ```
public final class BlockingJSONRPCClient: Sendable {
    private let state: Mutex<Connection>

    /// Connects to a Unix socket.
    /// - Throws: ``JSONRPCClientError/connectFailed(path:errno:)`` (`EINVAL` for a path that cannot
    ///   be a socket address).
    public init(unixSocketPath path: String) throws(JSONRPCClientError) {
        do {
            self.state = Mutex(Connection(descriptor: try UnixSocketAddress.connectedStream(to: path)))
        } catch {
            throw .connectFailed(path: path, errno: error.errno == 0 ? EINVAL : error.errno)
        }
    }

    deinit { self.close() }

    /// Calls `method` and returns its raw result.
    /// - Parameters:
    ///   - params: Encoded with `JSONEncoder` (sorted keys); `nil` sends no params.
    ///   - timeout: How long to wait for the answer.
    /// - Throws: ``JSONRPCClientError``.
    public func call(
        _ method: String,
        params: (some Encodable & Sendable)? = Optional<JSONRPCClient.Empty>.none,
        timeout: Duration = .seconds(30)
    ) throws(JSONRPCClientError) -> JSONValue {
        let params = try JSONRPCRequestLine.encode(params: params)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        return try self.state.withLock { connection throws(JSONRPCClientError) in
            try connection.call(method, params: params, deadline: deadline)
        }
    }

    /// Calls `method` and decodes its result as `T`.
    public func call<T: Decodable>(
        _ method: String,
        params: (some Encodable & Sendable)? = Optional<JSONRPCClient.Empty>.none,
        as type: T.Type,
        timeout: Duration = .seconds(30)
    ) throws(JSONRPCClientError) -> T {
        try self.call(method, params: params, timeout: timeout).decodedResult(of: method, as: T.self)
    }

    /// Closes the connection; later calls fail with ``JSONRPCClientError/connectionClosed``.
    public func close() {
        self.state.withLock { $0.close() }
    }
}

/// The descriptor and what has been read from it.
private struct Connection {
    var descriptor: CInt
    var nextID = 1
    var reader = ResponseLineReader()
    /// Set once the connection is unusable (closed, broken framing, an error for the whole
    /// connection); every later call fails with it.
    var failure: JSONRPCClientError?

    init(descriptor: CInt) {
        self.descriptor = descriptor
    }

    mutating func call(_ method: String, params: [UInt8]?, deadline: ContinuousClock.Instant) throws(JSONRPCClientError)
        -> JSONValue
    {
        if let failure { throw failure }
        let id = self.nextID
        self.nextID += 1
        var line: [UInt8] = []
        JSONRPCRequestLine.write(id: id, method: method, params: params, to: &line)
        try self.send(line)
        while true {
            switch JSONRPCInbound(try self.nextValue(method: method, deadline: deadline)) {
            case .response(id, let result): return try result.get()
            case .connectionError(let error): throw self.fail(error)
            case .response, .notification, .ignored: continue  // an earlier call's late answer, or a notification
            }
        }
    }

    mutating func close() {
        guard self.descriptor >= 0 else { return }
        Glibc.close(self.descriptor)
        self.descriptor = -1
        self.failure = self.failure ?? .connectionClosed
    }

    private mutating func fail(_ error: JSONRPCClientError) -> JSONRPCClientError {
        self.failure = error
        self.close()
        return error
    }

    private mutating func send(_ bytes: [UInt8]) throws(JSONRPCClientError) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                Glibc.send(self.descriptor, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw self.fail(.connectionClosed)
            }
            sent += count
        }
    }

    private mutating func nextValue(method: String, deadline: ContinuousClock.Instant) throws(JSONRPCClientError)
        -> JSONValue
    {
        while true {
            switch self.reader.next() {
            case .value(let value): return value
            case .malformed(let why): throw self.fail(.malformedResponse(why))
            case .tooLong: throw self.fail(ResponseLineReader.tooLongError)
            case .incomplete: try self.receive(method: method, deadline: deadline)
            }
        }
    }

    /// Waits until bytes arrive (or the deadline passes) and hands them to the reader.
    private mutating func receive(method: String, deadline: ContinuousClock.Instant) throws(JSONRPCClientError) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw .timedOut(method: method) }
        let milliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
        var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(clamping: milliseconds + 1))
        if ready < 0 && errno == EINTR { return }
        if ready == 0 { throw .timedOut(method: method) }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let count = ready < 0 ? -1 : chunk.withUnsafeMutableBytes { read(self.descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { return }
        guard count > 0 else { throw self.fail(.connectionClosed) }
        self.reader.append(ByteBuffer(bytes: chunk[0..<count]))
    }
}
