import EVMCSProtocol
import JSONRPC
import KVMProbe
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// evmcsd as a swift-service-lifecycle `Service`: serves JSON-RPC on the Unix socket,
/// keeps the profile current, reloads on SIGHUP, pings the watchdog, and talks to systemd.
///
/// ```swift
/// let service = try DaemonService(source: configurationSource, logLevel: control, logger: logger)
/// let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class DaemonService: Service {
    private let configurationSource: ConfigurationSource
    private let initial: DaemonConfiguration
    private let logLevel: LogLevelControl
    private let logger: Logger
    private let notifier = SystemdNotifier()
    private let store: CapabilityStore
    private let exporters: Exporters
    private let refresher: ProfileRefresher
    private let core: DaemonCore
    private let server: JSONRPCServer
    /// Whether the socket came from systemd (then evmcsd neither creates nor removes it).
    private let socketActivated: Bool

    /// Builds the service from a loaded configuration.
    /// - Throws: ``ConfigurationError`` when the configuration's groups cannot be resolved.
    public init(
        configurationSource: ConfigurationSource,
        configuration: DaemonConfiguration,
        logLevel: LogLevelControl,
        logger: Logger
    ) throws {
        self.configurationSource = configurationSource
        self.initial = configuration
        self.logLevel = logLevel
        self.logger = logger
        let store = CapabilityStore(historyCapacity: configuration.historySize)
        let exporters = Exporters(configuration: configuration, logger: logger)
        let source: any ProbeSource =
            configuration.profileFile.map { RecordedProfileSource(path: $0, vetting: JSONParser.duplicateMemberProblem) }
            ?? LiveProbe(
                procRoot: configuration.procfsRoot,
                sysRoot: configuration.sysfsRoot,
                devicePath: configuration.devicePath
            )
        let refresher = ProfileRefresher(
            source: source,
            cacheDirectory: configuration.cacheDirectory,
            store: store,
            exporters: exporters,
            logger: logger
        )
        let activated = SocketActivation.listeningDescriptor()
        let address: JSONRPCServer.Address
        let socketDescription: String
        if let descriptor = activated {
            address = .listeningSocket(descriptor: descriptor)
            socketDescription = "fd \(descriptor) (socket activation)"
        } else {
            let group = try configuration.socketGroup.map { name throws(ConfigurationError) -> UInt32 in
                guard let gid = GroupDatabase.gid(of: name) else {
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
        let admin = try AdminPolicy.resolve(configuration.adminGroup, source: "configuration")
        let core = DaemonCore(
            store: store,
            refresher: refresher,
            exporters: exporters,
            settings: DaemonCore.Settings(configuration: configuration, admin: admin),
            sourceDescription: source.description,
            socketDescription: socketDescription,
            logger: logger
        )
        self.socketActivated = activated != nil
        self.store = store
        self.exporters = exporters
        self.refresher = refresher
        self.core = core
        self.server = JSONRPCServer(
            address: address,
            configuration: Self.serverConfiguration(configuration, admin: admin),
            methods: MethodTable.make(core: core),
            logger: logger
        )
        core.attach(server)
        exporters.attach(server)
        core.installReloader { [weak self] trigger in
            guard let self else { return .failure(ConfigurationError(source: "daemon", key: "", message: "stopping")) }
            return await self.reload(trigger: trigger)
        }
    }

    public func run() async throws {
        try prepareDirectories()
        let loadedFromCache = try await refresher.start()
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if loadedFromCache {
                    group.addTask { await self.refresher.revalidate(trigger: "verify persisted profile") }
                }
                group.addTask { await self.revalidateLoop() }
                group.addTask { await self.hangupLoop() }
                group.addTask { await self.watchdogLoop() }
                try await self.server.run {
                    self.notifier.ready(status: StatusLine.make(self.store, clients: 0))
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

    // MARK: Loops

    private func revalidateLoop() async {
        while !Task.isCancelled {
            let interval = core.currentSettings.configuration.revalidateInterval
            do { try await Task.sleep(for: interval) } catch { return }
            await refresher.revalidate(trigger: "periodic check")
            notifier.status(StatusLine.make(store, clients: core.statistics?.connectionsOpen ?? 0))
        }
    }

    private func hangupLoop() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            _ = await reload(trigger: "SIGHUP")
        }
    }

    /// `WATCHDOG=1` at half the interval, only while healthy: the event loop answers, the
    /// probe source (key check or probe) is not stuck, and a profile is served.
    private func watchdogLoop() async {
        guard let interval = notifier.watchdogInterval() else { return }
        let period = interval / 2
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            if let problem = await healthProblem(limit: interval) {
                logger.error("unhealthy: not pinging the watchdog", metadata: ["problem": "\(problem)"])
            } else {
                notifier.watchdog()
            }
        }
    }

    private func healthProblem(limit: Duration) async -> String? {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let answered: Bool = (try? await loop.submit { true }.get()) ?? false
        guard answered else { return "event loop does not run tasks" }
        if let busySince = await refresher.sourceBusySince, ContinuousClock.now - busySince > limit {
            return "probe source busy for more than \(limit)"
        }
        return store.serving == nil ? "no profile" : nil
    }

    // MARK: Reload

    /// Re-reads the configuration (SIGHUP, `daemon.reload`): applies what can change at run
    /// time, lists what needs a restart, re-checks the invalidation key. A bad configuration
    /// leaves the old one in force.
    func reload(trigger: String) async -> Result<ReloadResult, ConfigurationError> {
        notifier.reloading()
        defer { notifier.ready(status: StatusLine.make(store, clients: core.statistics?.connectionsOpen ?? 0)) }
        let new: DaemonConfiguration
        let admin: AdminPolicy
        do {
            new = try configurationSource.load()
            admin = try AdminPolicy.resolve(new.adminGroup, source: configurationSource.describedFile)
        } catch {
            logger.error(
                "reload failed; keeping the previous configuration",
                metadata: ["trigger": "\(trigger)", "error": "\(error)"]
            )
            return .failure(error)
        }
        let old = core.currentSettings.configuration
        var applied: [String] = []
        var needRestart: [String] = []
        func compare<T: Equatable>(_ name: String, _ keyPath: KeyPath<DaemonConfiguration, T>, hot: Bool) {
            guard old[keyPath: keyPath] != new[keyPath: keyPath] else { return }
            if hot { applied.append(name) } else { needRestart.append(name) }
        }
        compare("log.level", \.logLevel, hot: true)
        compare("authorization.admin-group", \.adminGroup, hot: true)
        compare("cache.revalidate-seconds", \.revalidateInterval, hot: true)
        compare("cache.history-size", \.historySize, hot: true)
        compare("exporters.prometheus", \.prometheusFile, hot: true)
        compare("exporters.nfd", \.nfdFile, hot: true)
        compare("exporters.nfd.expiry-seconds", \.nfdExpiry, hot: true)
        compare("socket.path", \.socketPath, hot: false)
        compare("socket.mode", \.socketMode, hot: false)
        compare("socket.group", \.socketGroup, hot: false)
        compare("cache.directory", \.cacheDirectory, hot: false)
        compare("limits.max-connections", \.limits.maxConnections, hot: true)
        compare("limits.max-connections-per-uid", \.limits.maxConnectionsPerUID, hot: true)
        compare("limits.reserved-connections", \.limits.reservedConnections, hot: true)
        compare("limits.max-line-bytes", \.limits.maxLineBytes, hot: false)
        compare("limits.max-batch", \.limits.maxBatch, hot: false)
        compare("limits.idle-timeout-seconds", \.limits.idleTimeout, hot: false)
        compare("limits.max-pending-requests", \.limits.maxPendingRequests, hot: false)
        compare("probe.device", \.devicePath, hot: false)
        compare("probe.sysfs-root", \.sysfsRoot, hot: false)
        compare("probe.procfs-root", \.procfsRoot, hot: false)
        compare("probe.profile", \.profileFile, hot: false)
        var effective = new
        // Settings that need a restart keep their running values until then.
        effective.socketPath = old.socketPath
        effective.socketMode = old.socketMode
        effective.socketGroup = old.socketGroup
        effective.cacheDirectory = old.cacheDirectory
        effective.limits.maxLineBytes = old.limits.maxLineBytes
        effective.limits.maxBatch = old.limits.maxBatch
        effective.limits.idleTimeout = old.limits.idleTimeout
        effective.limits.maxPendingRequests = old.limits.maxPendingRequests
        effective.devicePath = old.devicePath
        effective.sysfsRoot = old.sysfsRoot
        effective.procfsRoot = old.procfsRoot
        effective.profileFile = old.profileFile
        logLevel.current = new.logLevel
        store.setHistoryCapacity(new.historySize)
        exporters.reconfigure(new)
        core.update(DaemonCore.Settings(configuration: effective, admin: admin))
        server.updateConnectionLimits(Self.connectionLimits(effective, admin: admin))
        logger.notice(
            "configuration reloaded",
            metadata: ["trigger": "\(trigger)", "applied": "\(applied)", "needRestart": "\(needRestart)"]
        )
        await refresher.revalidate(trigger: trigger)
        return .success(ReloadResult(reloaded: true, applied: applied, needRestart: needRestart))
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

    private static func serverConfiguration(_ configuration: DaemonConfiguration, admin: AdminPolicy)
        -> JSONRPCServer.Configuration
    {
        var server = JSONRPCServer.Configuration()
        server.maximumLineLength = configuration.limits.maxLineBytes
        server.maximumBatchSize = configuration.limits.maxBatch
        server.connectionLimits = connectionLimits(configuration, admin: admin)
        server.idleTimeout = configuration.limits.idleTimeout
        server.maximumPendingRequestsPerConnection = configuration.limits.maxPendingRequests
        return server
    }

    /// Root and the admin group may take the reserved slots and are not bound by the per-uid limit.
    private static func connectionLimits(_ configuration: DaemonConfiguration, admin: AdminPolicy)
        -> JSONRPCServer.ConnectionLimits
    {
        JSONRPCServer.ConnectionLimits(
            total: configuration.limits.maxConnections,
            perUID: configuration.limits.maxConnectionsPerUID,
            reserved: configuration.limits.reservedConnections,
            isPrivileged: { admin.allows($0) }
        )
    }
}
