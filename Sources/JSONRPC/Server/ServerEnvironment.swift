import JSONRPCCore
import Logging
import NIOCore
import Synchronization

/// Everything the connections of one running server share.
final class ServerEnvironment: Sendable {
    let dispatcher: RequestDispatcher
    let statistics: StatisticsCollector
    let registry: ConnectionRegistry
    let logger: Logger
    private let lastConnectionID = Atomic<UInt64>(0)

    init(
        configuration: JSONRPCServer.Configuration,
        methods: JSONRPCMethods,
        statistics: StatisticsCollector,
        registry: ConnectionRegistry,
        logger: Logger
    ) {
        self.registry = registry
        self.dispatcher = RequestDispatcher(configuration: configuration, methods: methods, statistics: statistics)
        self.statistics = statistics
        self.logger = logger
    }

    /// Takes its place in the admission order; called on the listener's event loop as the connection is accepted.
    func connectionAccepted(_ channel: any Channel) {
        self.registry.issueTicket(channel)
        channel.closeFuture.whenComplete { _ in
            if self.registry.remove(channel) {
                self.statistics.connectionsOpen.wrappingSubtract(1, ordering: .relaxed)
            }
        }
    }

    /// Sets up an accepted connection once it is admitted; runs on its event loop before the first byte is read.
    func initializeConnection(_ channel: any Channel) -> EventLoopFuture<Void> {
        let id = self.lastConnectionID.wrappingAdd(1, ordering: .relaxed).newValue
        let peer: JSONRPCPeerCredentials
        do {
            peer = try PeerCredentialsReader.read(from: channel)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return self.registry.arrive(channel, peer: peer).flatMapThrowing { admission in
            switch admission {
            case .admitted:
                try self.serve(channel, id: id, peer: peer)
            case .refused(let refusal, let limit):
                self.statistics.recordRefusal(refusal)
                self.reject(channel, id: id, peer: peer, error: .tooManyConnections(refusal, limit: limit, peer: peer))
            case .draining:
                self.reject(channel, id: id, peer: peer, error: .shuttingDown)
            case .gone:
                break
            }
        }
    }

    private func serve(_ channel: any Channel, id: UInt64, peer: JSONRPCPeerCredentials) throws {
        self.statistics.connectionsOpen.wrappingAdd(1, ordering: .relaxed)
        self.statistics.connectionsAccepted.wrappingAdd(1, ordering: .relaxed)
        var logger = self.logger
        logger[metadataKey: "connection.id"] = "\(id)"
        logger[metadataKey: "peer.uid"] = "\(peer.uid)"
        logger[metadataKey: "peer.gid"] = "\(peer.gid)"
        logger[metadataKey: "peer.pid"] = "\(peer.pid)"
        logger.debug("connection accepted")
        let connection = JSONRPCConnection(id: id, peer: peer, transport: ChannelConnectionTransport(channel: channel))
        try channel.pipeline.syncOperations.addHandler(
            ConnectionHandler(
                dispatcher: self.dispatcher,
                connection: connection,
                logger: logger,
                eventLoop: channel.eventLoop
            )
        )
    }

    private func reject(_ channel: any Channel, id: UInt64, peer: JSONRPCPeerCredentials, error: JSONRPCError) {
        self.statistics.connectionsRejected.wrappingAdd(1, ordering: .relaxed)
        self.statistics.recordError(error.code)
        self.logger.info(
            "connection refused",
            metadata: [
                "connection.id": "\(id)", "peer.uid": "\(peer.uid)", "peer.pid": "\(peer.pid)",
                "rpc.error.code": "\(error.code)", "reason": "\(error.data?["reason"]?.string ?? error.message)",
            ]
        )
        try? channel.syncOptions?.setOption(.autoRead, value: false)
        try? channel.pipeline.syncOperations.addHandler(RejectConnectionHandler(error: error))
    }
}
