import EVMCSProtocol
import JSONRPC
import KVMProbe
import Logging
import Synchronization
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// What the method handlers work with: the state, the refresher, the settings that can be
/// reloaded, and the server's counters.
final class DaemonCore: Sendable {
    let store: CapabilityStore
    let refresher: ProfileRefresher
    let exporters: Exporters
    /// The `daemon.status` answer template.
    let statusAnswers = StatusAnswerCache()
    let logger: Logger
    let sourceDescription: String
    let socketDescription: String
    let processID = Int(getpid())
    let startedAt: Double
    /// `startedAt` as RFC 3339, as `daemon.status` reports it.
    let startedAtText: String
    let startedInstant = ContinuousClock.now
    private let settings: Mutex<Settings>
    private let server = Mutex<JSONRPCServer?>(nil)
    private let reloader = Mutex<(@Sendable (String) async -> Result<ReloadResult, ConfigurationError>)?>(nil)

    struct Settings: Sendable {
        var configuration: DaemonConfiguration
        var admin: AdminPolicy
    }

    init(
        store: CapabilityStore,
        refresher: ProfileRefresher,
        exporters: Exporters,
        settings: Settings,
        sourceDescription: String,
        socketDescription: String,
        logger: Logger
    ) {
        self.startedAt = Timestamp.unixNow()
        self.startedAtText = Timestamp.rfc3339(unixSeconds: self.startedAt)
        self.store = store
        self.refresher = refresher
        self.exporters = exporters
        self.settings = Mutex(settings)
        self.sourceDescription = sourceDescription
        self.socketDescription = socketDescription
        self.logger = logger
    }

    var currentSettings: Settings { settings.withLock { $0 } }

    func update(_ new: Settings) { settings.withLock { $0 = new } }

    func attach(_ server: JSONRPCServer) { self.server.withLock { $0 = server } }

    var statistics: JSONRPCServer.Statistics? { server.withLock { $0 }?.statistics }

    /// Sets what `daemon.reload` runs (the service's reload, installed once it exists).
    func installReloader(_ reload: @escaping @Sendable (String) async -> Result<ReloadResult, ConfigurationError>) {
        reloader.withLock { $0 = reload }
    }

    func reloadConfiguration(trigger: String) async -> Result<ReloadResult, ConfigurationError> {
        guard let reload = reloader.withLock({ $0 }) else {
            return .failure(ConfigurationError(source: "daemon", key: "", message: "reload is not available yet"))
        }
        return await reload(trigger)
    }

    /// Throws "not authorized" (and logs the attempt) unless the peer may call `method`.
    func authorize(_ method: EVMCSMethod, _ context: JSONRPCContext) throws(JSONRPCError) {
        let policy = currentSettings.admin
        let peer = context.peer
        guard !method.requiresAdmin || policy.allows(peer) else {
            logger.warning(
                "refused admin method",
                metadata: [
                    "method": "\(method.rawValue)", "peer.uid": "\(peer.uid)", "peer.gid": "\(peer.gid)",
                    "peer.pid": "\(peer.pid)",
                ]
            )
            throw JSONRPCError(
                code: JSONRPCError.Code(rawValue: EVMCSErrorCode.notAuthorized),
                message: "Not authorized",
                data: [
                    "method": .string(method.rawValue), "uid": .number(JSONNumber(Int(peer.uid))),
                    "allowed": .string(policy.description),
                ]
            )
        }
        if method.requiresAdmin {
            logger.notice(
                "admin method called",
                metadata: ["method": "\(method.rawValue)", "peer.uid": "\(peer.uid)", "peer.pid": "\(peer.pid)"]
            )
        }
    }

    /// The served profile, or the documented "not ready" error.
    func serving() throws(JSONRPCError) -> CapabilityStore.Serving {
        guard let serving = store.serving else {
            throw JSONRPCError(
                code: JSONRPCError.Code(rawValue: EVMCSErrorCode.notReady),
                message: "No profile measured yet"
            )
        }
        return serving
    }
}
