import EVMCSProtocol
import Foundation
import JSONRPC
import KVMProbe
import Testing
import VMXModel

@testable import EVMCSDaemon

@Suite("Exporters, status line and authorization")
struct ExporterTests {
    static func profile() throws -> HostProfile {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Docs/examples/skylake-6.8.json")
        var profile = try DocumentLoader.hostProfile(from: Data(contentsOf: url))
        let system = profile.vmx?.system ?? VMXMSRSet()
        profile.vmx?.guest = EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: system)
        return profile.fingerprinted()
    }

    @Test func prometheusFileHasTheDocumentedMetrics() throws {
        let text = PrometheusTextfile.render(
            ExportSnapshot(
                profile: try Self.profile(),
                daemonVersion: "0.1.0",
                measuredAt: 1_700_000_000,
                cacheAge: 12.5,
                changes: 3
            )
        )
        for line in [
            "evmcsd_evmcs_supported 1", "evmcsd_evmcs_version_low 1", "evmcsd_evmcs_version_high 1",
            "evmcsd_nested_vmx_available 1", "evmcsd_cache_age_seconds 12.5", "evmcsd_profile_changes_total 3",
            #"evmcsd_evmcs_guest_feature{feature="vmx-posted-intr",perf_global_ctrl="false"} 0"#,
            #"evmcsd_evmcs_guest_feature{feature="vmx-ept",perf_global_ctrl="false"} 1"#,
        ] {
            #expect(text.contains(line), "missing: \(line)\n\(text)")
        }
        #expect(text.contains("# HELP evmcsd_evmcs_supported "))
        #expect(text.contains("# TYPE evmcsd_profile_changes_total counter"))
    }

    @Test func nfdFileHasPrefixedLabelsAndExpiry() throws {
        let text = NodeFeatureFile.render(try Self.profile(), expiry: "2026-11-25T12:00:00Z")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("# +expiry-time=2026-11-25T12:00:00Z"))
        #expect(lines.contains("evmcs.kvm.x-k8s.io/supported=true"))
        #expect(lines.contains("evmcs.kvm.x-k8s.io/version-high=1"))
        #expect(lines.contains("evmcs.kvm.x-k8s.io/kernel-era=6.3"))
        #expect(lines.contains("evmcs.kvm.x-k8s.io/guest.vmx-ept=true"))
        #expect(!lines.contains("evmcs.kvm.x-k8s.io/guest.vmx-posted-intr=true"))
        for line in lines where !line.hasPrefix("#") {
            let name = line.split(separator: "=")[0].split(separator: "/")[1]
            #expect(
                name.count <= 63 && name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) },
                "valid label name: \(name)"
            )
        }
    }

    @Test func statusLineIsShort() throws {
        let store = CapabilityStore(historyCapacity: 4)
        #expect(StatusLine.make(store, clients: 0) == "probing")
        let profile = try Self.profile()
        try store.install(profile, key: ProbeSourceKeyFixture.key, measuredAt: 0, cacheState: .fresh, trigger: "t")
        #expect(
            StatusLine.make(store, clients: 2)
                == "eVMCS yes (1..1), \(String(profile.fingerprint!.prefix(19))), 2 clients"
        )
    }

    @Test func storeRecordsChangesWithinCapacity() throws {
        let store = CapabilityStore(historyCapacity: 2)
        var profile = try Self.profile()
        let key = ProbeSourceKeyFixture.key
        #expect(try store.install(profile, key: key, measuredAt: 0, cacheState: .fresh, trigger: "start") == nil)
        for release in ["6.9.0", "6.10.0", "6.11.0"] {
            profile.kernel?.release = release
            let event = try #require(
                try store.install(profile.fingerprinted(), key: key, measuredAt: 0, cacheState: .fresh, trigger: "t")
            )
            #expect(event.changes.first?.path == "kernel.release")
            #expect(!event.fingerprintChanged, "same era, same capabilities")
        }
        #expect(store.history.changes.map { $0.changes.first?.new } == ["6.10.0", "6.11.0"])
        #expect(store.summary.changes == 3)
    }

    @Test func onlyRootAndTheAdminGroupAreAdmins() throws {
        let rootOnly = try AdminPolicy.resolve(nil, source: "t")
        #expect(rootOnly.allows(.init(uid: 0, gid: 0, pid: 1)))
        #expect(!rootOnly.allows(.init(uid: 65534, gid: 65534, pid: 1)))
        let group = try AdminPolicy.resolve("nogroup", source: "t")
        #expect(group.allows(.init(uid: 65534, gid: 65534, pid: 1)), "primary group")
        #expect(!group.allows(.init(uid: 1, gid: 1, pid: 1)), "daemon user is not in nogroup")
        #expect(throws: ConfigurationError.self) { try AdminPolicy.resolve("no-such-group-evmcsd", source: "t") }
    }
}

enum ProbeSourceKeyFixture {
    static let key: ProbeSourceKey = .recorded(path: "profile.json", sha256: "x")
}
