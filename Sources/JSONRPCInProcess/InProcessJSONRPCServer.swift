import JSONRPCCore
import Logging
import NIOCore
import Synchronization

/// Serves ``JSONRPCMethods`` to clients in the same process: the in-process transport, for tests of code that
/// registers methods (a service layer) without sockets, processes or peer-credential look-ups.
///
/// Connections run the same ``ConnectionSession`` as the Unix-socket transport, so parsing, ordering, limits,
/// batches, notifications and the idle timeout behave the same; there is no output back-pressure (a client's
/// lines are buffered in memory). Each connection's session runs on `eventLoop`, whose clock it uses. Asynchronous
/// answers come back to it from other threads, so it must be thread-safe: a `MultiThreadedEventLoopGroup`'s loop,
/// or a `NIOAsyncTestingEventLoop` to control time (not an `EmbeddedEventLoop`).
///
/// ```swift
/// let server = InProcessJSONRPCServer(methods: methods, logger: logger, eventLoop: loop)
/// async let jobs: Void = server.run()
/// let connection = server.connect(peer: JSONRPCPeerCredentials(uid: 1000, gid: 1000, pid: 4242))
/// connection.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}"#)
/// for await line in connection.lines { … }
/// await server.shutdown()
/// await jobs
/// ```
public final class InProcessJSONRPCServer: Sendable {
    private let dispatcher: RequestDispatcher
    private let logger: Logger
    private let eventLoop: any EventLoop
    private let connections = Mutex<(open: [UInt64: InProcessJSONRPCConnection], draining: NIODeadline?)>(([:], nil))
    private let lastConnectionID = Atomic<UInt64>(0)

    /// Creates a server; asynchronous methods run once ``run()`` does.
    ///
    /// - Parameters:
    ///   - methods: The methods to answer.
    ///   - configuration: Limits and timeouts (the socket-only ones, such as the output limit, do not apply).
    ///   - statistics: Where requests and errors are counted.
    ///   - logger: The connections' logger.
    ///   - eventLoop: Where every connection's session runs, and whose clock it uses.
    public init(
        methods: JSONRPCMethods,
        configuration: JSONRPCServerConfiguration = JSONRPCServerConfiguration(),
        statistics: StatisticsCollector = StatisticsCollector(),
        logger: Logger,
        eventLoop: any EventLoop
    ) {
        self.dispatcher = RequestDispatcher(configuration: configuration, methods: methods, statistics: statistics)
        self.logger = logger
        self.eventLoop = eventLoop
    }

    /// Runs asynchronous methods as child tasks until ``shutdown()``, then waits for the running ones.
    public func run() async {
        await withTaskCancellationHandler {
            await self.dispatcher.jobs.run()
        } onCancel: {
            self.dispatcher.jobs.finish()
        }
    }

    /// Opens a connection from a client with the given credentials.
    ///
    /// - Parameter peer: What handlers see as the peer (`context.peer`).
    /// - Returns: The client's end of the connection.
    public func connect(peer: JSONRPCPeerCredentials) -> InProcessJSONRPCConnection {
        let id = self.lastConnectionID.wrappingAdd(1, ordering: .relaxed).newValue
        var logger = self.logger
        logger[metadataKey: "connection.id"] = "\(id)"
        let connection = InProcessJSONRPCConnection(
            id: id,
            peer: peer,
            dispatcher: self.dispatcher,
            logger: logger,
            eventLoop: self.eventLoop
        )
        let draining = self.connections.withLock { connections in
            connections.open[id] = connection
            return connections.draining
        }
        connection.onClose { [weak self] in _ = self?.connections.withLock { $0.open.removeValue(forKey: id) } }
        // A connection opened during shutdown drains at once: its requests are answered with -32003.
        if let draining { connection.drain(deadline: draining) }
        return connection
    }

    /// The connections open now.
    public var openConnections: Int { self.connections.withLock { $0.open.count } }

    /// Drains every connection (requests already sent are answered, new ones get -32003), waits until they are
    /// closed or `gracePeriod` is over, then stops ``run()`` once the running asynchronous methods are done.
    ///
    /// - Parameter gracePeriod: How long connections may take to drain before they are closed.
    public func shutdown(gracePeriod: TimeAmount = .seconds(30)) async {
        let deadline = self.eventLoop.now + gracePeriod
        let open = self.connections.withLock { connections in
            connections.draining = deadline
            return Array(connections.open.values)
        }
        for connection in open { connection.drain(deadline: deadline) }
        for connection in open { await connection.closed() }
        self.dispatcher.jobs.finish()
    }
}
