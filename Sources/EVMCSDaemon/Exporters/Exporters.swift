import EVMCSProtocol
import JSONRPC
import KVMProbe
import Logging
import Synchronization
import VMXModel

/// Writes the optional exporter files atomically whenever the state changes or is
/// revalidated (so the cache age stays current), and keeps each one's last failure for
/// `daemon.status` and the `evmcsd_exporter_failing` metric. A failure is logged when it
/// starts or its reason changes, and the recovery once — not on every revalidation.
final class Exporters: Sendable {
    private struct Settings {
        var prometheusFile: String?
        var nfdFile: String?
        var nfdExpiry: Duration
    }

    private let settings: Mutex<Settings>
    /// The failing exporters, by name (`nfd`, `prometheus`).
    private let failures = Mutex<[String: Failure]>([:])
    /// Counts the changes of ``status`` (a `daemon.status` template holds until it changes).
    private let changes = Atomic<UInt64>(0)
    /// The server's counters; the Prometheus file reports the refused connections.
    private let statistics: StatisticsCollector
    private let logger: Logger

    init(configuration: DaemonConfiguration, statistics: StatisticsCollector = StatisticsCollector(), logger: Logger) {
        self.statistics = statistics
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
        changes.wrappingAdd(1, ordering: .releasing)
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

    /// The enabled exporters, with the reason of the last write's failure while it fails.
    /// Changes whenever ``status`` may have.
    var generation: UInt64 { changes.load(ordering: .acquiring) }

    var status: DaemonStatus.Exporters {
        let current = settings.withLock { $0 }
        let failing = failures.withLock { $0 }
        func exporter(_ name: String, _ file: String?) -> DaemonStatus.Exporter? {
            file.map { file in
                failing[name].flatMap { $0.status.file == file ? $0.status : nil } ?? DaemonStatus.Exporter(file: file)
            }
        }
        return DaemonStatus.Exporters(
            nfd: exporter("nfd", current.nfdFile),
            prometheus: exporter("prometheus", current.prometheusFile)
        )
    }

    /// Writes every enabled exporter file for the store's served profile: the NFD file first, so the
    /// Prometheus file reports its outcome.
    ///
    /// - Parameter store: The served profile and its change count.
    func publish(_ store: CapabilityStore) {
        let current = settings.withLock { $0 }
        guard current.prometheusFile != nil || current.nfdFile != nil, let serving = store.serving else { return }
        let now = Timestamp.unixNow()
        if let path = current.nfdFile {
            let seconds = Double(current.nfdExpiry.components.seconds)
            write(
                NodeFeatureFile.render(serving.profile, expiry: Timestamp.rfc3339(unixSeconds: now + seconds)),
                to: path,
                exporter: "nfd",
                now: now
            )
        }
        if let path = current.prometheusFile {
            let failing = failures.withLock { $0 }
            var exporters = ["prometheus": failing["prometheus"] != nil]
            if current.nfdFile != nil { exporters["nfd"] = failing["nfd"] != nil }
            let snapshot = ExportSnapshot(
                profile: serving.profile,
                daemonVersion: EVMCSVersion.current,
                measuredAt: serving.measuredAt,
                cacheAge: max(0, now - serving.measuredAt),
                changes: store.summary.changes,
                exportersFailing: exporters,
                connectionsRefused: Dictionary(
                    uniqueKeysWithValues: statistics.snapshot().connectionsRefused.map { ($0.key.rawValue, Int($0.value)) }
                )
            )
            write(PrometheusTextfile.render(snapshot), to: path, exporter: "prometheus", now: now)
        }
    }

    private func write(_ text: String, to path: String, exporter: String, now: Double) {
        let metadata: Logger.Metadata = ["exporter": "\(exporter)", "file": "\(path)"]
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: 0o644)
            if failures.withLock({ $0.removeValue(forKey: exporter) }) != nil {
                changes.wrappingAdd(1, ordering: .releasing)
                logger.notice("exporter file written again", metadata: metadata)
            }
        } catch {
            // The message names a temporary file of its own each time: the same operation failing with the
            // same errno on the same file is the same failure.
            let cause = "\(error.operation) \(error.errno)"
            let isNew = failures.withLock { failures in
                let previous = failures[exporter]
                let same = previous?.status.file == path && previous?.cause == cause
                failures[exporter] = Failure(
                    status: DaemonStatus.Exporter(
                        file: path,
                        error: error.description,
                        failingSince: same ? previous?.status.failingSince : Timestamp.rfc3339(unixSeconds: now)
                    ),
                    cause: cause
                )
                return !same
            }
            changes.wrappingAdd(1, ordering: .releasing)
            if isNew {
                logger.warning(
                    "cannot write exporter file; logged again only when the cause changes",
                    metadata: metadata.merging(["error": "\(error)"]) { $1 }
                )
            }
        }
    }
}

/// An exporter's failing writes: what `daemon.status` shows, and the operation and errno that identify it.
private struct Failure: Sendable {
    var status: DaemonStatus.Exporter
    var cause: String
}
