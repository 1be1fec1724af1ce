import EVMCSProtocol
import JSONRPC
import KVMProbe
import Logging
import ServiceLifecycle
import VMXModel

/// evmcsd as a swift-service-lifecycle `Service`: serves JSON-RPC on the Unix socket,
/// keeps the profile current, reloads on SIGHUP, pings the watchdog, and talks to systemd.
///
/// The parts are built in one direction, each from parts that exist before it: the store,
/// the counters and the limits policy; the subscription hub; the exporters and the
/// refresher; the settings and the reloader; the handlers' core; the method table; the
/// server. What comes from the host (socket activation, groups, the probe source) is
/// injected with a ``DaemonEnvironment``.
///
/// ```swift
/// let service = try DaemonService(
///     configurationSource: source, configuration: configuration, environment: .host(),
///     logLevel: control, logger: logger
/// )
/// let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class DaemonService: Service {
    private let initial: DaemonConfiguration
    private let logger: Logger
    private let notifier = SystemdNotifier()
    private let store: CapabilityStore
    private let refresher: ProfileRefresher
    private let reloader: ConfigurationReloader
    private let settings: DaemonSettings
    private let statistics: StatisticsCollector
    private let core: DaemonCore
    private let server: JSONRPCServer
    /// Whether the socket came from systemd (then evmcsd neither creates nor removes it).
    private let socketActivated: Bool

    /// Builds the service from a loaded configuration.
    /// - Parameters:
    ///   - configurationSource: Where reloads read the configuration.
    ///   - configuration: The configuration to start with.
    ///   - environment: The listening socket, group look-ups and probe source of this host.
    ///   - logLevel: The log level control reloads set.
    ///   - logger: The daemon's logger.
    /// - Throws: ``ConfigurationError`` when the configuration's groups cannot be resolved.
    public init(
        configurationSource: ConfigurationSource,
        configuration: DaemonConfiguration,
        environment: DaemonEnvironment,
        logLevel: LogLevelControl,
        logger: Logger
    ) throws(ConfigurationError) {
        self.initial = configuration
        self.logger = logger
        let address: JSONRPCServer.Address
        let socketDescription: String
        if let descriptor = environment.listeningDescriptor {
            address = .listeningSocket(descriptor: descriptor)
            socketDescription = "fd \(descriptor) (socket activation)"
        } else {
            let group = try configuration.socketGroup.map { name throws(ConfigurationError) -> UInt32 in
                guard let gid = environment.groups.gid(name) else {
                    throw ConfigurationError(
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
        self.socketActivated = environment.listeningDescriptor != nil
        self.store = store
        self.refresher = refresher
        self.reloader = reloader
        self.settings = settings
        self.statistics = statistics
        self.core = core
        self.server = JSONRPCServer(
            address: address,
            configuration: Self.serverConfiguration(configuration),
            methods: MethodTable.make(core: core),
            logger: logger,
            statistics: statistics,
            connectionLimits: connectionLimits
        )
    }

    public func run() async throws {
        try prepareDirectories()
        let loadedFromCache = try await refresher.start()
        let loops = self.loops()
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if loadedFromCache {
                    group.addTask { await self.refresher.revalidate(trigger: "verify persisted profile") }
                }
                for loop in loops {
                    group.addTask { try await loop.run() }
                }
                try await self.server.run {
                    self.notifier.ready(status: self.statusLine())
                    self.logger.info(
                        "ready",
                        metadata: [
                            "socket": "\(self.core.socketDescription)", "source": "\(self.core.sourceDescription)",
                        ]
                    )
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.notifier.stopping()
            self.logger.info("stopping: draining in-flight requests")
            self.server.shutdown()
        }
    }

    /// The loops that run beside the server until it stops.
    private func loops() -> [any Service] {
        var loops: [any Service] = [
            RevalidationService(
                refresher: refresher,
                settings: settings,
                statusLine: { [weak self] in self?.statusLine() ?? "stopping" },
                notifier: notifier
            ),
            HangupService(reloader: reloader),
        ]
        if let interval = notifier.watchdogInterval() {
            loops.append(
                WatchdogService(
                    interval: interval,
                    refresher: refresher,
                    store: store,
                    notifier: notifier,
                    logger: logger
                )
            )
        }
        return loops
    }

    private func statusLine() -> String {
        StatusLine.make(store, statistics: statistics)
    }

    // MARK: Set-up

    /// Creates the cache and socket directories. Without a cache directory the daemon still
    /// serves (from memory, saying so in `daemon.status`); without a socket directory it cannot.
    private func prepareDirectories() throws {
        do {
            try AtomicFile.makeDirectory(initial.cacheDirectory, mode: 0o700)
        } catch {
            logger.warning(
                "cannot create the cache directory; the profile will be served from memory only",
                metadata: ["cache.directory": "\(initial.cacheDirectory)", "error": "\(error)"]
            )
        }
        if !socketActivated, let slash = initial.socketPath.lastIndex(of: "/"), slash != initial.socketPath.startIndex {
            try AtomicFile.makeDirectory(String(initial.socketPath[..<slash]), mode: 0o755)
        }
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
