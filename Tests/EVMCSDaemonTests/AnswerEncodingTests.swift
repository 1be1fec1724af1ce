import EVMCSProtocol
import Foundation
import JSONRPC
import KVMProbe
import Logging
import Testing
import VMXModel

@testable import EVMCSDaemon

/// The daemon's answers are encoded with ``JSONValueEncoder``: for every answer type it must
/// write what `JSONEncoder` (sorted keys, unescaped slashes) writes, so the switch changed no
/// byte on the wire.
@Suite("Answer encoding")
struct AnswerEncodingTests {
    func expectSameBytes(_ value: some Encodable, _ comment: Comment) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let foundation = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(try JSONValueEncoder().encode(value).serializedString == foundation, comment)
    }

    @Test func everyAnswerTypeEncodesAsJSONEncoderDoes() throws {
        let profile = try ExporterTests.profile()
        let old = try DocumentLoader.hostProfile(
            from: Data(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("Docs/examples/skylake-5.10.json")
            )
        )
        try expectSameBytes(profile, "host profile")
        try expectSameBytes(HostEVMCSReport(profile), "host.evmcs")
        try expectSameBytes(HostVMXReport(profile, view: nil), "host.vmx")
        try expectSameBytes(CompatibilityChecker.check(from: profile, to: old, evmcs: true), "verdict")
        try expectSameBytes(try Baseline(of: [profile, old]), "baseline")
        try expectSameBytes(try Pools(of: [profile, old], evmcs: true), "pools")
        try expectSameBytes(ProfileDiff.between(old, profile), "profile changes")
        try expectSameBytes(VMRequirements(startedOn: profile, evmcs: true), "VM requirements")
    }

    static let statuses: [DaemonStatus] = [
        DaemonStatus(
            version: "1.0.0",
            pid: 4133,
            startedAt: "2026-11-25T18:37:21Z",
            uptimeSeconds: 86_412.25,
            source: "live /dev/kvm",
            ready: true,
            cache: DaemonStatus.Cache(
                state: .verified,
                file: "/var/cache/evmcsd/profile.json",
                profileAgeSeconds: 1_812.5,
                lastRevalidation: "2026-11-26T18:36:51Z",
                revalidateIntervalSeconds: 30,
                note: "cache not written: \"/var/cache\" is read-only\n(EROFS)"
            ),
            fingerprint: String(repeating: "ab", count: 32),
            evmcsSupported: true,
            counters: DaemonStatus.Counters(
                connectionsOpen: 12,
                connectionsAccepted: 123_456,
                connectionsRejected: 3,
                requests: 98_765_432,
                errors: 17,
                probes: 2_881,
                profileChanges: 2,
                subscribers: 4
            ),
            socket: "/run/evmcsd/evmcsd.sock"
        ),
        DaemonStatus(
            version: "1.0.0",
            pid: 1,
            startedAt: "2026-11-25T18:37:21Z",
            uptimeSeconds: 0,
            source: "recorded /tmp/é 😀.json",
            ready: false,
            cache: DaemonStatus.Cache(
                state: .empty,
                file: "/tmp/c/profile.json",
                profileAgeSeconds: nil,
                lastRevalidation: nil,
                revalidateIntervalSeconds: 0.5,
                note: nil
            ),
            fingerprint: nil,
            evmcsSupported: false,
            counters: DaemonStatus.Counters(
                connectionsOpen: 0,
                connectionsAccepted: 0,
                connectionsRejected: 0,
                requests: 0,
                errors: 0,
                probes: 0,
                profileChanges: 0,
                subscribers: 0
            ),
            socket: "fd 3 (socket activation)"
        ),
        DaemonStatus(
            version: "1.0.0",
            pid: 77,
            startedAt: "2026-11-25T18:37:21Z",
            uptimeSeconds: 3.125,
            source: "live /dev/kvm",
            ready: true,
            cache: DaemonStatus.Cache(
                state: .fresh,
                file: "/var/cache/evmcsd/profile.json",
                profileAgeSeconds: 0,
                lastRevalidation: nil,
                revalidateIntervalSeconds: 30,
                note: nil
            ),
            fingerprint: "sha256:" + String(repeating: "0f", count: 32),
            evmcsSupported: false,
            counters: DaemonStatus.Counters(
                connectionsOpen: 5,
                connectionsAccepted: 9,
                connectionsRejected: 6,
                requests: 1,
                errors: 6,
                probes: 1,
                profileChanges: 0,
                subscribers: 0,
                connectionsRefused: DaemonStatus.ConnectionRefusals(perUIDLimit: 3, reserved: 2, totalLimit: 1)
            ),
            exporters: DaemonStatus.Exporters(
                nfd: DaemonStatus.Exporter(
                    file: "/etc/kubernetes/node-feature-discovery/features.d/evmcsd",
                    error: "cannot create \"/etc/kubernetes/…/.evmcsd.1.tmp\": No such file or directory (ENOENT)",
                    failingSince: "2026-11-25T18:40:00Z"
                ),
                prometheus: DaemonStatus.Exporter(file: "/var/lib/prometheus/node-exporter/evmcsd.prom")
            ),
            socket: "/run/evmcsd/evmcsd.sock"
        ),
    ]

    /// The template is built once per key and reused while only uptime, profile age and counters change; a new
    /// key builds a new one. Every answer has the bytes of a status encoded on its own.
    @Test func theStatusTemplateIsRebuiltOnlyWhenItsKeyChanges() throws {
        let cache = StatusAnswerCache()
        var key = StatusAnswerCache.Key(store: 1, settings: 1, exporters: 1)
        var status = Self.statuses[2]
        for step in 1...50 {
            status.uptimeSeconds += 0.75
            status.cache.profileAgeSeconds = Double(step) / 8
            status.counters.requests = step * 1_000
            status.counters.connectionsRefused?.perUIDLimit = step
            let current = status
            let template = try cache.template(for: key) { current }
            #expect(try template.answer(StatusTemplate.Live(status)).jsonText == status.answer.jsonText)
        }
        #expect(cache.templatesBuilt == 1)
        status.exporters?.nfd?.error = nil
        status.exporters?.nfd?.failingSince = nil
        key.exporters += 1
        let withoutFailure = status
        #expect(try cache.template(for: key) { withoutFailure }.answer(withoutFailure).jsonText == status.answer.jsonText)
        status.cache.state = .verified
        status.cache.profileAgeSeconds = nil
        key.store += 1
        let verified = status
        #expect(try cache.template(for: key) { verified }.answer(verified).jsonText == status.answer.jsonText)
        #expect(cache.templatesBuilt == 3)
    }

    /// What a status template is kept for changes the generation of its source: the store's cache state, note,
    /// revalidation and profile, the settings, the exporters' failures.
    @Test func everyChangeAStatusShowsMovesAGeneration() throws {
        let store = CapabilityStore(historyCapacity: 4)
        var seen = store.summary.generation
        func moved() -> Bool {
            defer { seen = store.summary.generation }
            return store.summary.generation != seen
        }
        try store.install(try ExporterTests.profile(), key: .recorded(path: "p", sha256: "1"), measuredAt: 1, cacheState: .fresh, trigger: "t")
        #expect(moved())
        store.setCacheState(.stale, note: "probe failed")
        #expect(moved())
        store.noteRevalidation()
        #expect(moved())
        store.countProbe()
        #expect(!moved(), "probes are read live, not kept in the template")
        #expect(store.summary.probes == 1)

        let configuration = DaemonConfiguration(socketPath: "/tmp/s.sock", cacheDirectory: "/tmp/evmcsd-gen-\(getpid())")
        let settings = DaemonSettings(
            DaemonSettings.Snapshot(configuration: configuration, admin: try AdminPolicy.resolve(nil, source: "t"))
        )
        let before = settings.generation
        settings.current = settings.current
        #expect(settings.generation != before)

        var failing = configuration
        failing.nfdFile = "/nonexistent-directory-\(getpid())/features.d/evmcsd"
        let exporters = Exporters(configuration: failing, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let quiet = exporters.generation
        exporters.publish(store)
        #expect(exporters.generation != quiet, "a failing write changes what status shows")
    }

    /// `daemon.status` is written member by member (``DaemonStatus/answer``), not encoded: its
    /// bytes must still be exactly what `JSONEncoder` writes, with every optional present or not.
    @Test(arguments: statuses)
    func theStatusAnswerIsWrittenAsJSONEncoderWritesIt(_ status: DaemonStatus) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let foundation = String(decoding: try encoder.encode(status), as: UTF8.self)
        #expect(String(decoding: try status.answer.jsonText, as: UTF8.self) == foundation)
        #expect(try JSONDecoder().decode(DaemonStatus.self, from: Data(try status.answer.jsonText)) == status)
    }

    @Test func aNonFiniteStatusNumberIsAnEncodingErrorNamingItsPath() throws {
        var status = Self.statuses[0]
        status.uptimeSeconds = .nan
        #expect {
            try status.answer
        } throws: { error in
            guard case EncodingError.invalidValue(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["uptimeSeconds"]
        }
        status = Self.statuses[0]
        status.cache.profileAgeSeconds = .infinity
        #expect {
            try status.answer
        } throws: { error in
            guard case EncodingError.invalidValue(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["cache", "profileAgeSeconds"]
        }
    }
}
