import EVMCSProtocol
import JSONRPC
import KVMProbe
import Logging
import VMXModel

/// The daemon's parts, built in one direction, each from parts that exist before it: the
/// store, the counters and the limits policy; the subscription hub; the exporters and the
/// refresher; the settings and the reloader; the handlers' core; the method table. What comes
/// from the host (socket activation, groups, the probe source) is injected with a
/// ``DaemonEnvironment``.
///
/// ``DaemonService`` serves the methods on the Unix socket; tests serve the same parts over the
/// in-process transport.
struct DaemonAssembly: Sendable {
    /// Where the server listens.
    let address: JSONRPCServer.Address
    /// The JSON-RPC limits of the configuration.
    let serverConfiguration: JSONRPCServer.Configuration
    /// Whether the socket came from systemd (then evmcsd neither creates nor removes it).
    let socketActivated: Bool
    let settings: DaemonSettings
    let store: CapabilityStore
    let statistics: StatisticsCollector
    let connectionLimits: ConnectionLimitsPolicy
    let subscriptions: SubscriptionHub
    let refresher: ProfileRefresher
    let reloader: ConfigurationReloader
    let core: DaemonCore
    /// Every method evmcsd answers.
    let methods: JSONRPCMethods

    /// Builds the parts from a loaded configuration.
    /// - Parameters:
    ///   - configurationSource: Where reloads read the configuration.
    ///   - configuration: The configuration to start with.
    ///   - environment: The listening socket, group look-ups and probe source of this host.
    ///   - logLevel: The log level control reloads set.
    ///   - notifier: Where reloads report to systemd.
    ///   - logger: The daemon's logger.
    /// - Throws: ``ConfigurationError`` when the configuration's groups cannot be resolved.
    init(
        configurationSource: ConfigurationSource,
        configuration: DaemonConfiguration,
        environment: DaemonEnvironment,
        logLevel: LogLevelControl,
        notifier: SystemdNotifier,
        logger: Logger
    ) throws(ConfigurationError) {
        let address: JSONRPCServer.Address
        let socketDescription: String
        if let descriptor = environment.listeningDescriptor {
            address = .listeningSocket(descriptor: descriptor)
            socketDescription = "fd \(descriptor) (socket activation)"
        } else {
            let group = try configuration.socketGroup.map { name throws(ConfigurationError) -> UInt32 in
                guard let gid = environment.groups.gid(name) else {
                    throw ConfigurationError(
                        code: .unknownGroup,
                        source: "configuration",
                        key: "socket.group",
                        message: "no such group \"\(name)\""
                    )
                }
                return gid
            }
            address = .unixSocket(path: configuration.socketPath, mode: configuration.socketMode, group: group)
            socketDescription = configuration.socketPath
        }
        let admin = try AdminPolicy.resolve(configuration.adminGroup, source: "configuration", groups: environment.groups)
        let settings = DaemonSettings(DaemonSettings.Snapshot(configuration: configuration, admin: admin))
        let store = CapabilityStore(historyCapacity: configuration.historySize)
        let statistics = StatisticsCollector()
        let connectionLimits = ConnectionLimitsPolicy(settings.current.connectionLimits)
        let subscriptions = SubscriptionHub()
        let exporters = Exporters(configuration: configuration, statistics: statistics, logger: logger)
        let source = environment.probeSource(configuration)
        let refresher = ProfileRefresher(
            source: source,
            cacheDirectory: configuration.cacheDirectory,
            store: store,
            exporters: exporters,
            logger: logger,
            onChange: { subscriptions.broadcast($0) }
        )
        var reloadSource = configurationSource
        reloadSource.groups = environment.groups
        let reloader = ConfigurationReloader(
            source: reloadSource,
            logLevel: logLevel,
            settings: settings,
            store: store,
            exporters: exporters,
            refresher: refresher,
            connectionLimits: connectionLimits,
            statistics: statistics,
            notifier: notifier,
            logger: logger
        )
        let core = DaemonCore(
            store: store,
            refresher: refresher,
            exporters: exporters,
            subscriptions: subscriptions,
            settings: settings,
            reloader: reloader,
            statistics: statistics,
            sourceDescription: source.description,
            socketDescription: socketDescription,
            logger: logger
        )
        self.address = address
        self.serverConfiguration = Self.serverConfiguration(configuration)
        self.socketActivated = environment.listeningDescriptor != nil
        self.settings = settings
        self.store = store
        self.statistics = statistics
        self.connectionLimits = connectionLimits
        self.subscriptions = subscriptions
        self.refresher = refresher
        self.reloader = reloader
        self.core = core
        self.methods = MethodTable.make(core: core)
    }

    private static func serverConfiguration(_ configuration: DaemonConfiguration) -> JSONRPCServer.Configuration {
        var server = JSONRPCServer.Configuration()
        server.maximumLineLength = configuration.limits.maxLineBytes
        server.maximumBatchSize = configuration.limits.maxBatch
        server.idleTimeout = configuration.limits.idleTimeout
        server.maximumPendingRequestsPerConnection = configuration.limits.maxPendingRequests
        return server
    }
}
