import EVMCSProtocol
import Foundation
import KVMProbe
import Logging
import Synchronization
import Testing
import VMXModel

@testable import EVMCSDaemon

/// The refresher in process, with a probe source the test holds: revalidations are
/// single-flight, the watchdog's busy mark belongs to the one operation that runs, and
/// changes are emitted as events.
@Suite("Profile refresher")
struct ProfileRefresherTests {
    struct Harness {
        let source: GatedProbeSource
        let store: CapabilityStore
        let refresher: ProfileRefresher
        let events: EventLog
        let directory: String
    }

    final class EventLog: Sendable {
        private let events = Mutex<[ProfileChangedEvent]>([])
        init() {}
        func append(_ event: ProfileChangedEvent) { events.withLock { $0.append(event) } }
        var all: [ProfileChangedEvent] { events.withLock { $0 } }
    }

    static func withHarness(_ body: (Harness) async throws -> Void) async throws {
        let directory = "/tmp/evmcsd-refresher-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let profile = try ExporterTests.profile()
        let source = GatedProbeSource(profile: profile, key: .recorded(path: "p", sha256: "1"))
        let store = CapabilityStore(historyCapacity: 8)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let configuration = DaemonConfiguration(socketPath: "/tmp/unused.sock", cacheDirectory: directory)
        let events = EventLog()
        let harness = Harness(
            source: source,
            store: store,
            refresher: ProfileRefresher(
                source: source,
                cacheDirectory: directory,
                store: store,
                exporters: Exporters(configuration: configuration, logger: logger),
                logger: logger,
                onChange: { events.append($0) }
            ),
            events: events,
            directory: directory
        )
        _ = try await harness.refresher.start()
        try await body(harness)
    }

    /// Waits until `count` callers wait on the running revalidation (they reached the actor).
    static func waitForCallers(_ refresher: ProfileRefresher, _ count: Int) async {
        while await refresher.waitingCallers < count { await Task.yield() }
    }

    static func changedProfile() throws -> HostProfile {
        var profile = try ExporterTests.profile()
        var parameters = profile.kvm?.parameters ?? [:]
        parameters["kvm_intel", default: [:]]["nested"] = "N"
        profile.kvm?.parameters = parameters
        return profile.fingerprinted()
    }

    @Test("a check that arrives while a probe hangs waits for it: the busy mark stays, the source is not touched")
    func aHungProbeKeepsTheBusyMarkWhateverElseArrives() async throws {
        try await Self.withHarness { harness in
            let starts = harness.source.probeStarts()
            harness.source.close()
            let checksBefore = harness.source.keyChecks
            async let forced = harness.refresher.revalidate(trigger: "cache.refresh", force: true)
            var iterator = starts.makeAsyncIterator()
            _ = await iterator.next()
            let busySince = try #require(await harness.refresher.sourceBusySince)

            async let periodic = harness.refresher.revalidate(trigger: "periodic check")
            async let hangup = harness.refresher.revalidate(trigger: "SIGHUP")
            await Self.waitForCallers(harness.refresher, 2)
            // Before single flight, the periodic check ran its key check beside the hung probe and
            // cleared the mark when it finished, so the watchdog kept pinging.
            #expect(await harness.refresher.sourceBusySince == busySince)
            #expect(harness.source.keyChecks == checksBefore + 1, "only the forced revalidation's key check")

            harness.source.open()
            let results = await [forced, periodic, hangup]
            #expect(Set(results.map(\.fingerprint)).count == 1)
            #expect(await harness.refresher.sourceBusySince == nil)
            #expect(harness.source.mostProbesRunning == 1)
        }
    }

    @Test("forced refreshes that arrive during a probe share the one next probe")
    func forcedRefreshesDuringAProbeShareOneNextProbe() async throws {
        try await Self.withHarness { harness in
            let starts = harness.source.probeStarts()
            harness.source.close()
            let probesBefore = harness.source.probes
            async let first = harness.refresher.revalidate(trigger: "first", force: true)
            var iterator = starts.makeAsyncIterator()
            _ = await iterator.next()
            // A change made while the first probe runs must be seen by the refreshes asked for after it.
            let changed = try Self.changedProfile()
            harness.source.serve(changed, key: .recorded(path: "p", sha256: "2"))
            async let second = harness.refresher.revalidate(trigger: "second", force: true)
            async let third = harness.refresher.revalidate(trigger: "third", force: true)
            await Self.waitForCallers(harness.refresher, 2)
            harness.source.open()
            let (a, b, c) = await (first, second, third)
            #expect(harness.source.probes == probesBefore + 2, "the first probe and one shared re-probe")
            #expect(harness.source.mostProbesRunning == 1)
            #expect(b == c)
            #expect(b.fingerprint == changed.fingerprint)
            #expect(b.changed)
            _ = a
        }
    }

    @Test("a change is emitted once as an event, with the store's history")
    func changesAreEmittedAsEvents() async throws {
        try await Self.withHarness { harness in
            #expect(harness.events.all.isEmpty, "the first profile is not a change")
            let unchanged = await harness.refresher.revalidate(trigger: "periodic check")
            #expect(!unchanged.changed)
            let changed = try Self.changedProfile()
            harness.source.serve(changed, key: .recorded(path: "p", sha256: "2"))
            let result = await harness.refresher.revalidate(trigger: "periodic check")
            #expect(result.changed)
            let events = harness.events.all
            #expect(events.count == 1)
            #expect(events.first?.newFingerprint == changed.fingerprint)
            #expect(events.first?.changes.map(\.path) == ["kvm.parameters.kvm_intel.nested"])
            #expect(harness.store.history.changes == events)
        }
    }

    @Test("the watchdog reports a probe source busy for longer than its interval, and only then")
    func watchdogSeesAHungProbe() async throws {
        try await Self.withHarness { harness in
            let watchdog = WatchdogService(
                interval: .seconds(10),
                refresher: harness.refresher,
                store: harness.store,
                notifier: SystemdNotifier(),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            )
            #expect(await watchdog.healthProblem(now: .now) == nil)
            let starts = harness.source.probeStarts()
            harness.source.close()
            async let forced = harness.refresher.revalidate(trigger: "cache.refresh", force: true)
            var iterator = starts.makeAsyncIterator()
            _ = await iterator.next()
            async let periodic = harness.refresher.revalidate(trigger: "periodic check")
            await Self.waitForCallers(harness.refresher, 1)
            #expect(await watchdog.healthProblem(now: .now) == nil, "busy, but not for long yet")
            let later = ContinuousClock.now.advanced(by: .seconds(11))
            #expect(await watchdog.healthProblem(now: later) == "probe source busy for more than 10.0 seconds")
            harness.source.open()
            _ = await (forced, periodic)
            #expect(await watchdog.healthProblem(now: later) == nil)
        }
    }
}
