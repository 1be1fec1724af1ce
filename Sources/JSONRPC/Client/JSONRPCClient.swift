import NIOCore
import NIOPosix
import Synchronization

/// A JSON-RPC 2.0 client over one newline-delimited Unix stream connection: requests are
/// pipelined and matched to answers by id, so many tasks can call concurrently; server
/// notifications arrive as an `AsyncStream`.
///
/// ```swift
/// let client = try await JSONRPCClient.connect(unixSocketPath: "/run/evmcsd/evmcsd.sock")
/// let status = try await client.call("daemon.status", as: MyStatus.self)
/// await client.close()
/// ```
public final class JSONRPCClient: Sendable {
    private struct State {
        var nextID = 1
        var pending: [Int: EventLoopPromise<JSONValue>] = [:]
        var listeners: [Int: AsyncStream<JSONRPCNotification>.Continuation] = [:]
        var nextListener = 0
        var closed = false
        /// An error the server sent for the whole connection (id null), reported to every
        /// call that fails because of it.
        var connectionError: JSONRPCClientError?
    }

    private let channel: any Channel
    private let state: Mutex<State>

    private init(channel: any Channel) {
        self.channel = channel
        self.state = Mutex(State())
    }

    /// Connects to a Unix socket.
    /// - Throws: ``JSONRPCClientError/connectFailed(path:errno:)``.
    public static func connect(
        unixSocketPath path: String,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(JSONRPCClientError) -> JSONRPCClient {
        let box = ClientBox()
        let bootstrap = ClientBootstrap(group: eventLoopGroup).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    ClientResponseHandler(onValue: { box.deliver($0) }, onClose: { box.deliverClose() })
                )
            }
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
        } catch let error as IOError {
            throw .connectFailed(path: path, errno: error.errnoCode)
        } catch {
            throw .connectFailed(path: path, errno: Self.errno(of: error))
        }
        let client = JSONRPCClient(channel: channel)
        box.attach(client)
        return client
    }

    /// Calls `method` and returns its raw result.
    ///
    /// Cancelling the calling task ends the wait at once with ``JSONRPCClientError/cancelled(method:)``; the
    /// request may still have reached the server, and its answer is then discarded.
    /// - Parameters:
    ///   - params: Encoded with `JSONEncoder` (sorted keys); `nil` sends no params.
    ///   - timeout: How long to wait for the answer.
    /// - Throws: ``JSONRPCClientError``.
    public func call(
        _ method: String,
        params: (some Encodable & Sendable)? = Optional<Empty>.none,
        timeout: Duration = .seconds(30)
    ) async throws(JSONRPCClientError) -> JSONValue {
        guard !Task.isCancelled else { throw .cancelled(method: method) }
        let paramsText = try JSONRPCRequestLine.encode(params: params)
        let promise = channel.eventLoop.makePromise(of: JSONValue.self)
        let admission: Result<Int, JSONRPCClientError> = state.withLock { state in
            guard !state.closed else { return .failure(state.connectionError ?? .connectionClosed) }
            let id = state.nextID
            state.nextID += 1
            state.pending[id] = promise
            return .success(id)
        }
        let id: Int
        switch admission {
        case .success(let admitted): id = admitted
        case .failure(let error):
            promise.fail(error)
            throw error
        }
        var line = ByteBuffer()
        JSONRPCRequestLine.write(id: id, method: method, params: paramsText, to: &line)
        let timer = channel.eventLoop.scheduleTask(
            in: .nanoseconds(
                Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            )
        ) {
            self.resolve(id, with: .failure(JSONRPCClientError.timedOut(method: method)))
        }
        defer { timer.cancel() }
        channel.writeAndFlush(line).whenFailure { _ in
            self.resolve(id, with: .failure(JSONRPCClientError.connectionClosed))
        }
        let outcome: Result<JSONValue, any Error> = await withTaskCancellationHandler {
            do {
                return .success(try await promise.futureResult.get())
            } catch {
                return .failure(error)
            }
        } onCancel: {
            self.resolve(id, with: .failure(JSONRPCClientError.cancelled(method: method)))
        }
        switch outcome {
        case .success(let value): return value
        case .failure(let error as JSONRPCClientError): throw error
        case .failure: throw .connectionClosed
        }
    }

    /// Calls `method` and decodes its result as `T`.
    public func call<T: Decodable>(
        _ method: String,
        params: (some Encodable & Sendable)? = Optional<Empty>.none,
        as type: T.Type,
        timeout: Duration = .seconds(30)
    ) async throws(JSONRPCClientError) -> T {
        try await call(method, params: params, timeout: timeout).decodedResult(of: method, as: T.self)
    }

    /// Server notifications from now on, until the connection closes.
    public func notifications() -> AsyncStream<JSONRPCNotification> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: JSONRPCNotification.self,
            bufferingPolicy: .bufferingNewest(1024)
        )
        let registered: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            let key = state.nextListener
            state.nextListener += 1
            state.listeners[key] = continuation
            return key
        }
        if let registered {
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.listeners.removeValue(forKey: registered) }
            }
        } else {
            continuation.finish()
        }
        return stream
    }

    /// Closes the connection; pending calls fail with ``JSONRPCClientError/connectionClosed``.
    public func close() async {
        try? await channel.close()
        closed()
    }

    /// An empty params placeholder type for calls without params.
    public struct Empty: Encodable, Sendable {}

    // MARK: Inbound

    fileprivate func receive(_ result: Result<JSONValue, JSONRPCClientError>) {
        guard case .success(let value) = result else {
            channel.close(promise: nil)
            return
        }
        switch JSONRPCInbound(value) {
        case .notification(let notification):
            let listeners = state.withLock { Array($0.listeners.values) }
            for listener in listeners { listener.yield(notification) }
        case .response(let id, let result):
            resolve(id, with: result.mapError { $0 })
        case .connectionError(let error):
            failAll(with: error)
        case .ignored:
            break
        }
    }

    fileprivate func closed() {
        let (pending, listeners, error) = state.withLock { state in
            state.closed = true
            defer {
                state.pending.removeAll()
                state.listeners.removeAll()
            }
            return (
                Array(state.pending.values), Array(state.listeners.values), state.connectionError ?? .connectionClosed
            )
        }
        for promise in pending { promise.fail(error) }
        for listener in listeners { listener.finish() }
    }

    private func failAll(with error: JSONRPCClientError) {
        let pending = state.withLock { state in
            state.connectionError = error
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for promise in pending { promise.fail(error) }
    }

    private func resolve(_ id: Int, with result: Result<JSONValue, any Error>) {
        guard let promise = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        promise.completeWith(result)
    }

    private static func errno(of error: any Error) -> Int32 {
        if case .unixDomainSocketPathTooLong? = error as? SocketAddressError { return ENAMETOOLONG }
        if let connection = error as? NIOConnectionError,
            let first = connection.connectionErrors.first?.error as? IOError
        {
            return first.errnoCode
        }
        return ECONNREFUSED
    }
}

/// Lets the channel's handler reach the client, which exists only once the channel does:
/// whatever arrives before (a server's "too many connections" line, an immediate close) is
/// kept and delivered on attach.
private final class ClientBox: Sendable {
    private struct Early {
        var client: JSONRPCClient?
        var values: [Result<JSONValue, JSONRPCClientError>] = []
        var closed = false
    }

    private let state = Mutex(Early())

    func attach(_ client: JSONRPCClient) {
        let (values, closed) = state.withLock { state in
            state.client = client
            defer { state.values.removeAll() }
            return (state.values, state.closed)
        }
        for value in values { client.receive(value) }
        if closed { client.closed() }
    }

    func deliver(_ value: Result<JSONValue, JSONRPCClientError>) {
        let client: JSONRPCClient? = state.withLock { state in
            if state.client == nil { state.values.append(value) }
            return state.client
        }
        client?.receive(value)
    }

    func deliverClose() {
        let client: JSONRPCClient? = state.withLock { state in
            if state.client == nil { state.closed = true }
            return state.client
        }
        client?.closed()
    }
}
