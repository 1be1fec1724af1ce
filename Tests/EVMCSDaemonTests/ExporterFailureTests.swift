import EVMCSProtocol
import Foundation
import InMemoryLogging
import KVMProbe
import Logging
import Testing
import VMXModel

@testable import EVMCSDaemon

/// An exporter that cannot write shows in `daemon.status` and in the Prometheus file, and is logged once per
/// change of its reason, not on every revalidation; both exporters agree on the eVMCS versions.
@Suite("Exporter failures and consistency")
struct ExporterFailureTests {
    @Test func aFailingExporterIsReportedOnceAndClearsWhenItWritesAgain() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-exporters-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let features = directory.appendingPathComponent("features.d")
        var configuration = DaemonConfiguration(socketPath: "/tmp/unused.sock", cacheDirectory: directory.path)
        configuration.nfdFile = features.appendingPathComponent("evmcsd").path
        configuration.prometheusFile = directory.appendingPathComponent("evmcsd.prom").path
        let logs = InMemoryLogHandler()
        let exporters = Exporters(configuration: configuration, logger: Logger(label: "test") { _ in logs })
        let store = CapabilityStore(historyCapacity: 4)
        try store.install(
            try ExporterTests.profile(),
            key: ProbeSourceKeyFixture.key,
            measuredAt: 0,
            cacheState: .fresh,
            trigger: "t"
        )
        #expect(exporters.status.nfd == DaemonStatus.Exporter(file: configuration.nfdFile!))

        // features.d does not exist: every revalidation fails the same way.
        for _ in 0..<5 { exporters.publish(store) }
        let failing = try #require(exporters.status.nfd)
        #expect(failing.error?.contains("ENOENT") == true, "\(failing)")
        #expect(failing.failingSince != nil)
        #expect(exporters.status.prometheus?.error == nil)
        let warnings = logs.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1, "\(warnings)")
        let prometheus = try String(contentsOfFile: configuration.prometheusFile!, encoding: .utf8)
        #expect(prometheus.contains(#"evmcsd_exporter_failing{exporter="nfd"} 1.0"#), "\(prometheus)")
        #expect(prometheus.contains(#"evmcsd_exporter_failing{exporter="prometheus"} 0.0"#))

        try FileManager.default.createDirectory(at: features, withIntermediateDirectories: true)
        for _ in 0..<3 { exporters.publish(store) }
        #expect(exporters.status.nfd == DaemonStatus.Exporter(file: configuration.nfdFile!))
        #expect(logs.entries.filter { $0.message.description == "exporter file written again" }.count == 1)
        #expect(logs.entries.filter { $0.level == .warning }.count == 1)
        let recovered = try String(contentsOfFile: configuration.prometheusFile!, encoding: .utf8)
        #expect(recovered.contains(#"evmcsd_exporter_failing{exporter="nfd"} 0.0"#))
    }

    @Test(arguments: [true, false])
    func nfdAndPrometheusAgreeOnTheEVMCSVersions(supported: Bool) throws {
        var profile = try ExporterTests.profile()
        if !supported { profile.cpu?.vendor = "AuthenticAMD" }
        let nfd = NodeFeatureFile.render(profile, expiry: "2026-11-25T12:00:00Z").split(separator: "\n")
        let prometheus = PrometheusTextfile.render(
            ExportSnapshot(profile: profile, daemonVersion: "0.1.0", measuredAt: 0, cacheAge: 0, changes: 0)
        ).split(separator: "\n")
        let version = supported ? "1" : "0"
        for name in ["low", "high"] {
            #expect(nfd.contains("evmcs.kvm.x-k8s.io/version-\(name)=\(version)"), "\(nfd)")
            #expect(prometheus.contains("evmcsd_evmcs_version_\(name) \(version).0"))
        }
        #expect(nfd.contains("evmcs.kvm.x-k8s.io/supported=\(supported)"))
    }

    @Test func refusedConnectionsAreExportedByReason() throws {
        let text = PrometheusTextfile.render(
            ExportSnapshot(
                profile: try ExporterTests.profile(),
                daemonVersion: "0.1.0",
                measuredAt: 0,
                cacheAge: 0,
                changes: 0,
                connectionsRefused: ["per-uid limit": 4, "reserved": 0, "total limit": 2]
            )
        )
        #expect(text.contains(#"evmcsd_connections_refused_total{reason="per-uid limit"} 4"#), "\(text)")
        #expect(text.contains(#"evmcsd_connections_refused_total{reason="reserved"} 0"#))
        #expect(text.contains(#"evmcsd_connections_refused_total{reason="total limit"} 2"#))
        #expect(text.contains("# TYPE evmcsd_connections_refused_total counter"))
    }
}
