import EVMCSProtocol
import JSONRPC
import KVMProbe
import Logging
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// What the method handlers work with: the state, the refresher, the subscriptions, the
/// settings in force, the reloader and the server's counters. Built before the server, from
/// parts that know nothing of it.
final class DaemonCore: Sendable {
    let store: CapabilityStore
    let refresher: ProfileRefresher
    let exporters: Exporters
    let subscriptions: SubscriptionHub
    let settings: DaemonSettings
    let reloader: ConfigurationReloader
    let statistics: StatisticsCollector
    /// The `daemon.status` answer template.
    let statusAnswers = StatusAnswerCache()
    let logger: Logger
    let sourceDescription: String
    let socketDescription: String
    let processID = Int(getpid())
    let startedAt: Double
    /// `startedAt` as RFC 3339, as `daemon.status` reports it.
    let startedAtText: String

    init(
        store: CapabilityStore,
        refresher: ProfileRefresher,
        exporters: Exporters,
        subscriptions: SubscriptionHub,
        settings: DaemonSettings,
        reloader: ConfigurationReloader,
        statistics: StatisticsCollector,
        sourceDescription: String,
        socketDescription: String,
        logger: Logger
    ) {
        self.startedAt = Timestamp.unixNow()
        self.startedAtText = Timestamp.rfc3339(unixSeconds: self.startedAt)
        self.store = store
        self.refresher = refresher
        self.exporters = exporters
        self.subscriptions = subscriptions
        self.settings = settings
        self.reloader = reloader
        self.statistics = statistics
        self.sourceDescription = sourceDescription
        self.socketDescription = socketDescription
        self.logger = logger
    }

    /// Throws "not authorized" (and logs the attempt) unless the peer may call `method`.
    func authorize(_ method: EVMCSMethod, _ context: JSONRPCContext) throws(JSONRPCError) {
        let policy = settings.current.admin
        let peer = context.peer
        guard !method.requiresAdmin || policy.allows(peer) else {
            context.logger.warning(
                "refused admin method",
                metadata: ["peer.gid": "\(peer.gid)", "peer.pid": "\(peer.pid)"]
            )
            throw JSONRPCError(
                .notAuthorized,
                data: [
                    "method": .string(method.rawValue), "uid": .number(JSONNumber(Int(peer.uid))),
                    "allowed": .string(policy.description),
                ]
            )
        }
        if method.requiresAdmin {
            context.logger.notice("admin method called", metadata: ["peer.pid": "\(peer.pid)"])
        }
    }

    /// The served profile, or the documented "not ready" error.
    func serving() throws(JSONRPCError) -> CapabilityStore.Serving {
        guard let serving = store.serving else {
            throw JSONRPCError(.notReady)
        }
        return serving
    }
}
