import JSONRPCCore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A JSON-RPC 2.0 server on a Unix stream socket, one JSON text per line.
///
/// ``run()`` listens, serves until ``shutdown()`` is called or its task is cancelled, then drains: it stops
/// accepting and reading, answers every request already read (in-flight asynchronous ones included), flushes,
/// closes the connections, removes the socket file it created and returns.
///
/// ```swift
/// var methods = JSONRPCMethods()
/// methods.registerImmediate("daemon.ping") { _, _ in JSONRPCResult("pong") }
/// methods.registerAsync("host.refresh") { request, context in
///     struct Params: Decodable { var force: Bool? }
///     let params = try request.decodeParams(Params.self)
///     return try JSONRPCResult(encoding: await cache.refresh(force: params.force ?? false))
/// }
///
/// let server = JSONRPCServer(
///     address: .unixSocket(path: "/run/evmcsd/evmcsd.sock", mode: 0o660),
///     methods: methods,
///     logger: logger
/// )
/// try await withGracefulShutdownHandler {
///     try await server.run()
/// } onGracefulShutdown: {
///     server.shutdown()
/// }
/// ```
///
/// ## Design
///
/// The public surface is structured concurrency: ``run()`` is an `async` function that owns the listener and
/// every connection, and asynchronous methods are `async` closures. Per connection, the byte-level work is a
/// `ChannelDuplexHandler` rather than a `NIOAsyncChannel` loop, on purpose: immediate methods (answers from
/// memory, the daemon's hot path) are parsed, answered and written on the event loop with no task hop, while
/// asynchronous ones run as tasks whose answers the handler re-orders into request order. The handler also
/// owns the per-connection limits that need event-loop precision: line length while bytes arrive, read
/// back-pressure by pending requests and buffered output, the idle timer, and the drain on shutdown. A
/// `NIOAsyncChannel` loop would add a task switch and an async-sequence element per request and make those
/// limits depend on the consumer's scheduling; Docs/performance.md has the figures.
public final class JSONRPCServer: Sendable {
    private enum Lifecycle {
        case idle
        case running(shutdownWaiter: CheckedContinuation<Void, Never>?)
        case shutdownRequested
        case finished
    }

    /// Where the server listens.
    public let address: Address
    /// The limits in force.
    public let configuration: Configuration
    private let methods: JSONRPCMethods
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let statisticsCollector: StatisticsCollector
    private let registry: ConnectionRegistry
    private let lifecycle = Mutex(Lifecycle.idle)

    /// Creates a server; nothing happens until ``run()``.
    ///
    /// - Parameters:
    ///   - address: The socket to listen on.
    ///   - configuration: Limits and timeouts.
    ///   - methods: The methods to answer.
    ///   - logger: The logger for connection events and handler failures (metadata: `connection.id`, `peer.uid`,
    ///     `peer.gid`, `peer.pid`).
    ///   - eventLoopGroup: The event loops serving connections; immediate handlers run on them.
    ///   - statistics: Where the server counts; pass one made beforehand to read the counters from code that
    ///     exists before the server.
    ///   - connectionLimits: How many connections are admitted, in total and per uid, and the slots kept for
    ///     privileged peers (default 256 in total); a refused connection gets one -32000 error line and is closed.
    ///     Changing the policy's limits applies to connections accepted from then on.
    public init(
        address: Address,
        configuration: Configuration = Configuration(),
        methods: JSONRPCMethods,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        statistics: StatisticsCollector = StatisticsCollector(),
        connectionLimits: ConnectionLimitsPolicy = ConnectionLimitsPolicy(ConnectionLimits())
    ) {
        self.address = address
        self.configuration = configuration
        self.methods = methods
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.statisticsCollector = statistics
        self.registry = ConnectionRegistry(policy: connectionLimits)
    }

    /// The counters so far; safe to read from any thread at any time.
    public var statistics: Statistics { self.statisticsCollector.snapshot() }

    /// Serves until shutdown; see ``run(onListening:)``.
    ///
    /// - Throws: ``JSONRPCServerError`` if the socket cannot be set up or the server already ran.
    public func run() async throws {
        try await self.run(onListening: {})
    }

    /// Listens, serves until ``shutdown()`` or task cancellation, drains, and returns.
    ///
    /// Asynchronous methods run as child tasks of this call. On graceful ``shutdown()`` they run to completion; if
    /// this task is cancelled they are cancelled too (a handler throwing `CancellationError` is answered with
    /// -32003) and the drain proceeds the same way. Connections still open after
    /// ``Configuration/shutdownGracePeriod`` are closed.
    ///
    /// - Parameter onListening: Called once the socket accepts connections (e.g. to notify systemd).
    /// - Throws: ``JSONRPCServerError`` if the socket cannot be set up or the server already ran; NIO errors if
    ///   the socket cannot be adopted.
    public func run(onListening: @Sendable () async -> Void) async throws {
        guard try self.begin() else { return }
        defer { self.lifecycle.withLock { $0 = .finished } }

        let listener = try self.makeListener()
        let environment = ServerEnvironment(
            configuration: self.configuration,
            methods: self.methods,
            statistics: self.statisticsCollector,
            registry: self.registry,
            logger: self.logger
        )
        let serverChannel: any Channel
        do {
            serverChannel = try await self.bootstrap(environment).withBoundSocket(listener.descriptor).get()
        } catch {
            listener.closeUnadopted()
            throw error
        }
        self.logger.info("listening", metadata: ["socket": "\(self.address)"])

        await withDiscardingTaskGroup { group in
            group.addTask { await environment.dispatcher.jobs.run() }
            await onListening()
            await self.waitForShutdownRequest()
            self.logger.info(
                "shutting down",
                metadata: ["connections.open": "\(environment.registry.openChannels.count)"]
            )
            try? await serverChannel.close()
            listener.removeSocketFile()
            await self.drainConnections(environment)
            environment.dispatcher.jobs.finish()
        }
        self.logger.info("stopped")
    }

    /// Asks a running server to shut down gracefully; ``run()`` returns once the drain is complete.
    /// Calling it before ``run()`` makes ``run()`` return at once; calling it again has no effect.
    public func shutdown() {
        let waiter: CheckedContinuation<Void, Never>? = self.lifecycle.withLock { state in
            switch state {
            case .idle:
                state = .shutdownRequested
                return nil
            case .running(let waiter):
                state = .shutdownRequested
                return waiter
            case .shutdownRequested, .finished:
                return nil
            }
        }
        waiter?.resume()
    }

    /// Moves to `running`; `false` if shutdown was already requested.
    private func begin() throws -> Bool {
        try self.lifecycle.withLock { state in
            switch state {
            case .idle:
                state = .running(shutdownWaiter: nil)
                return true
            case .shutdownRequested:
                state = .finished
                return false
            case .running, .finished:
                throw JSONRPCServerError(code: .alreadyStarted, message: "run() may be called only once")
            }
        }
    }

    private func waitForShutdownRequest() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.lifecycle.withLock { state in
                    guard case .running = state else { return true }
                    state = .running(shutdownWaiter: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.shutdown()
        }
    }

    private func makeListener() throws -> UnixListener {
        switch self.address.kind {
        case .path(let path, let mode, let group):
            return try UnixListener.bind(path: path, mode: mode, group: group)
        case .descriptor(let descriptor):
            return UnixListener.adopt(descriptor: descriptor)
        }
    }

    private func bootstrap(_ environment: ServerEnvironment) -> ServerBootstrap {
        let highWaterMark = max(self.configuration.maximumBufferedOutputBytes, 2)
        return ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AdmissionOrderHandler(environment: environment))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(
                .writeBufferWaterMark,
                value: ChannelOptions.Types.WriteBufferWaterMark(low: highWaterMark / 2, high: highWaterMark)
            )
            .childChannelInitializer { channel in
                environment.initializeConnection(channel)
            }
    }

    /// Tells every connection to drain, then waits until all are closed (at most the grace period).
    private func drainConnections(_ environment: ServerEnvironment) async {
        let deadline = NIODeadline.now() + TimeAmount(self.configuration.shutdownGracePeriod)
        for channel in environment.registry.beginDraining() {
            channel.pipeline.fireUserInboundEventTriggered(DrainRequest(deadline: deadline))
        }
        while case let open = environment.registry.openChannels, !open.isEmpty {
            for channel in open {
                try? await channel.closeFuture.get()
            }
        }
    }
}

extension JSONRPCServer.Address: CustomStringConvertible {
    /// The path, or `fd:<n>` for an adopted descriptor.
    public var description: String {
        switch self.kind {
        case .path(let path, _, _): path
        case .descriptor(let descriptor): "fd:\(descriptor)"
        }
    }
}
