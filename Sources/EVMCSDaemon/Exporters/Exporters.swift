import KVMProbe
import Logging
import Synchronization
import VMXModel

/// Writes the optional exporter files atomically whenever the state changes or is
/// revalidated (so the cache age stays current).
final class Exporters: Sendable {
    private struct Settings {
        var prometheusFile: String?
        var nfdFile: String?
        var nfdExpiry: Duration
    }

    private let settings: Mutex<Settings>
    private let logger: Logger

    init(configuration: DaemonConfiguration, logger: Logger) {
        settings = Mutex(
            Settings(
                prometheusFile: configuration.prometheusFile,
                nfdFile: configuration.nfdFile,
                nfdExpiry: configuration.nfdExpiry
            )
        )
        self.logger = logger
        removeStaleTemporaries(configuration)
    }

    func reconfigure(_ configuration: DaemonConfiguration) {
        settings.withLock {
            $0 = Settings(
                prometheusFile: configuration.prometheusFile,
                nfdFile: configuration.nfdFile,
                nfdExpiry: configuration.nfdExpiry
            )
        }
        removeStaleTemporaries(configuration)
    }

    /// Exporter directories are shared with the collectors that read them: leave no
    /// unfinished write of a killed daemon behind.
    private func removeStaleTemporaries(_ configuration: DaemonConfiguration) {
        for file in [configuration.prometheusFile, configuration.nfdFile].compactMap({ $0 }) {
            for path in AtomicFile.removeStaleTemporaries(of: file) {
                logger.notice("removed an unfinished exporter write", metadata: ["file": "\(path)"])
            }
        }
    }

    /// Writes every enabled exporter file for the store's served profile.
    func publish(_ store: CapabilityStore) {
        let current = settings.withLock { $0 }
        guard current.prometheusFile != nil || current.nfdFile != nil, let serving = store.serving else { return }
        let now = Timestamp.unixNow()
        if let path = current.prometheusFile {
            let snapshot = ExportSnapshot(
                profile: serving.profile,
                daemonVersion: EVMCSVersion.current,
                measuredAt: serving.measuredAt,
                cacheAge: max(0, now - serving.measuredAt),
                changes: store.summary.changes
            )
            write(PrometheusTextfile.render(snapshot), to: path, exporter: "prometheus")
        }
        if let path = current.nfdFile {
            let seconds = Double(current.nfdExpiry.components.seconds)
            write(
                NodeFeatureFile.render(serving.profile, expiry: Timestamp.rfc3339(unixSeconds: now + seconds)),
                to: path,
                exporter: "nfd"
            )
        }
    }

    private func write(_ text: String, to path: String, exporter: String) {
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: 0o644)
        } catch {
            logger.warning(
                "cannot write exporter file",
                metadata: ["exporter": "\(exporter)", "file": "\(path)", "error": "\(error)"]
            )
        }
    }
}
