import EVMCSProtocol
import JSONRPC
import KVMProbe
import Logging
import ServiceLifecycle
import VMXModel

/// evmcsd as a swift-service-lifecycle `Service`: serves JSON-RPC on the Unix socket,
/// keeps the profile current, reloads on SIGHUP, pings the watchdog, and talks to systemd.
///
/// Its parts come from a ``DaemonAssembly`` (built in one direction, host look-ups injected
/// with a ``DaemonEnvironment``); the service adds the server and the loops.
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
        let parts = try DaemonAssembly(
            configurationSource: configurationSource,
            configuration: configuration,
            environment: environment,
            logLevel: logLevel,
            notifier: notifier,
            logger: logger
        )
        self.socketActivated = parts.socketActivated
        self.store = parts.store
        self.refresher = parts.refresher
        self.reloader = parts.reloader
        self.settings = parts.settings
        self.statistics = parts.statistics
        self.core = parts.core
        self.server = JSONRPCServer(
            address: parts.address,
            configuration: parts.serverConfiguration,
            methods: parts.methods,
            logger: logger,
            statistics: parts.statistics,
            connectionLimits: parts.connectionLimits
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
                    // A profile loaded from the cache is served before its answers are encoded:
                    // encode them now, off the path to READY=1.
                    self.prepareAnswers()
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

    private func prepareAnswers() {
        do {
            try store.serving?.prepareAnswers()
        } catch {
            logger.error("cannot encode the cached answers", metadata: ["error": "\(error)"])
        }
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
}
