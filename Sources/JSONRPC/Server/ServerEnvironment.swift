import Logging
import NIOCore
import Synchronization

/// Everything the connections of one running server share.
final class ServerEnvironment: Sendable {
    let configuration: JSONRPCServer.Configuration
    let methods: JSONRPCMethods
    let parser: MessageParser
    let statistics: StatisticsCollector
    let jobs: AsyncJobQueue
    let registry = ConnectionRegistry()
    let logger: Logger
    private let lastConnectionID = Atomic<UInt64>(0)

    init(
        configuration: JSONRPCServer.Configuration,
        methods: JSONRPCMethods,
        statistics: StatisticsCollector,
        logger: Logger
    ) {
        self.configuration = configuration
        self.methods = methods
        self.parser = MessageParser(
            maximumDepth: configuration.maximumNestingDepth,
            maximumBatchSize: configuration.maximumBatchSize
        )
        self.statistics = statistics
        self.jobs = AsyncJobQueue(limit: configuration.maximumPendingAsyncRequests, statistics: statistics)
        self.logger = logger
    }

    /// Sets up an accepted connection; runs on its event loop before the first byte is read.
    func initializeConnection(_ channel: any Channel) throws {
        let id = self.lastConnectionID.wrappingAdd(1, ordering: .relaxed).newValue
        switch self.registry.admit(id: id, channel: channel, limit: self.configuration.maximumConnections) {
        case .admitted:
            break
        case .overLimit:
            self.reject(channel, id: id, error: .overloaded("too many connections"))
            return
        case .draining:
            self.reject(channel, id: id, error: .shuttingDown)
            return
        }
        self.statistics.connectionsOpen.wrappingAdd(1, ordering: .relaxed)
        self.statistics.connectionsAccepted.wrappingAdd(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { _ in
            self.registry.remove(id: id)
            self.statistics.connectionsOpen.wrappingSubtract(1, ordering: .relaxed)
        }
        let peer = try PeerCredentialsReader.read(from: channel)
        var logger = self.logger
        logger[metadataKey: "connection.id"] = "\(id)"
        logger[metadataKey: "peer.uid"] = "\(peer.uid)"
        logger[metadataKey: "peer.gid"] = "\(peer.gid)"
        logger[metadataKey: "peer.pid"] = "\(peer.pid)"
        logger.debug("connection accepted")
        let connection = JSONRPCConnection(id: id, peer: peer, channel: channel)
        let context = JSONRPCContext(connection: connection, logger: logger)
        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(environment: self, context: context))
    }

    private func reject(_ channel: any Channel, id: UInt64, error: JSONRPCError) {
        self.statistics.connectionsRejected.wrappingAdd(1, ordering: .relaxed)
        self.statistics.recordError(error.code)
        self.logger.info(
            "connection refused",
            metadata: ["connection.id": "\(id)", "rpc.error.code": "\(error.code)", "reason": "\(error.message)"]
        )
        try? channel.syncOptions?.setOption(.autoRead, value: false)
        try? channel.pipeline.syncOperations.addHandler(RejectConnectionHandler(error: error))
    }

    /// Counts an error response.
    func record(_ outcome: Result<JSONRPCResult, JSONRPCError>) {
        if case .failure(let error) = outcome { self.statistics.recordError(error.code) }
    }

    /// The error sent for a handler's failure; unexpected errors are logged and hidden behind -32603.
    func rpcError(from error: any Error, request: JSONRPCRequest, logger: Logger) -> JSONRPCError {
        switch error {
        case let error as JSONRPCError:
            return error
        case is CancellationError:
            return .shuttingDown
        default:
            logger.error(
                "method handler failed",
                metadata: ["rpc.method": "\(request.method)", "error": "\(String(reflecting: error))"]
            )
            return .internalError
        }
    }
}
