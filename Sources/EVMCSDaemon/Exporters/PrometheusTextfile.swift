import Prometheus
import VMXModel

/// Renders the node_exporter textfile collector file (`evmcsd.prom`): eVMCS support and
/// versions, per-feature gauges of the eVMCS guest view, probe duration, cache age and the
/// number of profile changes, following Prometheus naming conventions (Docs/operations.md).
public enum PrometheusTextfile {
    /// The exposition text for `snapshot`.
    public static func render(_ snapshot: ExportSnapshot) -> String {
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, _ help: String, labels: [(String, String)] = []) -> Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "evmcsd", metricName: name, unitName: "", helpText: help),
                labels: labels
            )
        }
        let profile = snapshot.profile
        let evmcs = profile.exportedEVMCS
        let supported = evmcs.supported
        gauge("evmcs_supported", "Whether a VMM can enable Enlightened VMCS on this host (1) or not (0).")
            .set(supported ? 1.0 : 0.0)
        gauge("evmcs_version_low", "Lowest supported eVMCS version (0 when unsupported).").set(Double(evmcs.low))
        gauge("evmcs_version_high", "Highest supported eVMCS version (0 when unsupported).").set(Double(evmcs.high))
        gauge("nested_vmx_available", "Whether KVM reports nested VMX capability MSRs (1) or not (0).")
            .set(profile.restoreReference.isEmpty ? 0.0 : 1.0)
        gauge(
            "info",
            "Constant 1, labelled with the daemon version, capability fingerprint, kernel, effective eVMCS era and its basis.",
            labels: [
                ("version", snapshot.daemonVersion), ("fingerprint", profile.fingerprint ?? ""),
                ("kernel", profile.kernel?.release ?? ""), ("evmcs_era", profile.effectiveEra?.label ?? ""),
                ("evmcs_era_basis", profile.effectiveEra?.basis.rawValue ?? ""),
            ]
        ).set(1.0)
        for (perfGlobalCtrl, view) in [(false, profile.vmx?.guest), (true, profile.vmx?.guestPerfGlobalCtrl)] {
            guard supported, let view else { continue }
            for feature in VMXCatalog.features where feature.group.encoding != .flags64 {
                let state = VMXDecoder.state(of: feature, in: view)
                guard state != .notReported else { continue }
                gauge(
                    "evmcs_guest_feature",
                    "VMX control visible (1) or hidden (0) to an eVMCS guest, by Hyper-V CPUID 0x4000000A.EBX bit 0.",
                    labels: [("feature", feature.name), ("perf_global_ctrl", perfGlobalCtrl ? "true" : "false")]
                ).set(state.isAvailable ? 1.0 : 0.0)
            }
        }
        gauge("probe_duration_seconds", "Duration of the probe that produced the served profile.")
            .set(Double(profile.probe?.durationMicros ?? 0) / 1_000_000)
        gauge("cache_age_seconds", "Age of the served profile when this file was written.").set(snapshot.cacheAge)
        gauge("profile_timestamp_seconds", "Unix time the served profile was measured.").set(snapshot.measuredAt)
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "evmcsd",
                metricName: "profile_changes",
                unitName: "total",
                helpText:
                    "Profile changes (capabilities, kernel, microcode or KVM parameters) seen since the daemon started."
            )
        ).increment(by: Int64(snapshot.changes))
        for (exporter, failing) in snapshot.exportersFailing.sorted(by: { $0.key < $1.key }) {
            gauge(
                "exporter_failing",
                "Whether the last write of this exporter's file failed (1) or succeeded (0); the reason is in daemon.status.",
                labels: [("exporter", exporter)]
            ).set(failing ? 1.0 : 0.0)
        }
        for (reason, count) in snapshot.connectionsRefused.sorted(by: { $0.key < $1.key }) {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "evmcsd",
                    metricName: "connections_refused",
                    unitName: "total",
                    helpText: "Connections refused since start, by the limit reached (as of this file's write)."
                ),
                labels: [("reason", reason)]
            ).increment(by: Int64(count))
        }
        return registry.emitToString()
    }
}

/// What the exporters publish about the current state.
public struct ExportSnapshot: Sendable {
    public var profile: HostProfile
    public var daemonVersion: String
    /// Unix time the profile was measured.
    public var measuredAt: Double
    /// Seconds since the profile was measured.
    public var cacheAge: Double
    /// Profile changes since start.
    public var changes: Int
    /// The enabled exporters, by name, and whether their last write failed.
    public var exportersFailing: [String: Bool]
    /// Connections refused since start, by reason (`per-uid limit`, `reserved`, `total limit`).
    public var connectionsRefused: [String: Int]

    public init(
        profile: HostProfile,
        daemonVersion: String,
        measuredAt: Double,
        cacheAge: Double,
        changes: Int,
        exportersFailing: [String: Bool] = [:],
        connectionsRefused: [String: Int] = [:]
    ) {
        self.profile = profile
        self.daemonVersion = daemonVersion
        self.measuredAt = measuredAt
        self.cacheAge = cacheAge
        self.changes = changes
        self.exportersFailing = exportersFailing
        self.connectionsRefused = connectionsRefused
    }
}
