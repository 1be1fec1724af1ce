import EVMCSProtocol
import JSONRPC
import Logging

/// Re-reads the configuration (SIGHUP, `daemon.reload`): applies what can change at run time
/// (``ConfigurationSetting``), lists what needs a restart, and re-checks the invalidation key. A bad
/// configuration leaves the old one in force.
final class ConfigurationReloader: Sendable {
    private let source: ConfigurationSource
    private let logLevel: LogLevelControl
    private let settings: DaemonSettings
    private let store: CapabilityStore
    private let exporters: Exporters
    private let refresher: ProfileRefresher
    private let connectionLimits: ConnectionLimitsPolicy
    private let statistics: StatisticsCollector
    private let notifier: SystemdNotifier
    private let logger: Logger

    init(
        source: ConfigurationSource,
        logLevel: LogLevelControl,
        settings: DaemonSettings,
        store: CapabilityStore,
        exporters: Exporters,
        refresher: ProfileRefresher,
        connectionLimits: ConnectionLimitsPolicy,
        statistics: StatisticsCollector,
        notifier: SystemdNotifier,
        logger: Logger
    ) {
        self.source = source
        self.logLevel = logLevel
        self.settings = settings
        self.store = store
        self.exporters = exporters
        self.refresher = refresher
        self.connectionLimits = connectionLimits
        self.statistics = statistics
        self.notifier = notifier
        self.logger = logger
    }

    /// Reloads; `trigger` says why, for the log and the history.
    /// - Returns: What was applied and what needs a restart, or why the configuration was refused.
    func reload(trigger: String) async -> Result<ReloadResult, ConfigurationError> {
        notifier.reloading()
        defer {
            notifier.ready(status: StatusLine.make(store, statistics: statistics))
        }
        let loaded: DaemonConfiguration
        let admin: AdminPolicy
        do {
            loaded = try source.load()
            admin = try AdminPolicy.resolve(loaded.adminGroup, source: source.describedFile, groups: source.groups)
        } catch {
            logger.error(
                "reload failed; keeping the previous configuration",
                metadata: ["trigger": "\(trigger)", "error": "\(error)"]
            )
            return .failure(error)
        }
        let plan = ConfigurationSetting.reloadPlan(from: settings.current.configuration, to: loaded)
        let new = DaemonSettings.Snapshot(configuration: plan.effective, admin: admin)
        logLevel.current = loaded.logLevel
        store.setHistoryCapacity(loaded.historySize)
        exporters.reconfigure(loaded)
        settings.current = new
        connectionLimits.limits = new.connectionLimits
        logger.notice(
            "configuration reloaded",
            metadata: ["trigger": "\(trigger)", "applied": "\(plan.applied)", "needRestart": "\(plan.needRestart)"]
        )
        await refresher.revalidate(trigger: trigger)
        return .success(ReloadResult(reloaded: true, applied: plan.applied, needRestart: plan.needRestart))
    }
}
