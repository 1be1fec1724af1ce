import EVMCSClient
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// EVMCSClient against the real daemon binary.
@Suite("EVMCSClient, end to end", .onBlockingThreads)
struct ClientTests {
    @Test func sixteenTasksPipelineAThousandRequestsOnOneConnection() async throws {
        let daemon = try DaemonProcess()
        let client = try await EVMCSClient.connect(socketPath: daemon.socketPath)
        let views = VMXViewName.allCases
        try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var matched = 0
                    for request in 0..<63 {
                        let view = views[(task + request) % views.count]
                        let report = try await client.vmx(view: view)
                        if report.views.keys.sorted() == [view.rawValue] { matched += 1 }
                    }
                    return matched
                }
            }
            var total = 0
            for try await matched in group { total += matched }
            #expect(total == 16 * 63, "every answer belongs to its request")
        }
        let status = try await client.status()
        #expect(status.counters.connectionsAccepted <= 2, "one connection for all tasks (plus the start-up check)")
        await client.close()
    }

    @Test func typedResultsForEveryMethod() async throws {
        let daemon = try DaemonProcess()
        let client = try await EVMCSClient.connect(socketPath: daemon.socketPath)
        #expect(try await client.status().ready)
        let profile = try await client.profile()
        #expect(try await client.evmcs().supported)
        #expect(try await client.vmx().views.count == 4)
        #expect(try await client.history().changes.isEmpty)
        let old = try DocumentLoader.hostProfile(
            from: Data(
                contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-5.10.json")
            )
        )
        let verdict = try await client.check(
            .startedOn(old, evmcs: true, perfGlobalCtrl: false, nestedState: false, target: nil)
        )
        // The daemon and the re-exported model give the same answer.
        #expect(verdict == CompatibilityChecker.check(from: old, to: profile, evmcs: true))
        #expect(try await client.baseline(FleetRequest(profiles: [old])).hosts == 2)
        #expect(try await client.pools(FleetRequest(profiles: [old], evmcs: true)).groups.count == 2)
        #expect(try await client.refresh().changed == false)
        #expect(try await client.reload().reloaded)
        #expect(try await client.discover().contains("\"openrpc\":\"1.3.2\""))
        await client.close()
    }

    func error(_ body: () async throws -> Void) async -> EVMCSClientError? {
        do {
            try await body()
            return nil
        } catch let error as EVMCSClientError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func transportErrorsSayWhatToDo() async throws {
        let missing = await error {
            _ = try await EVMCSClient.connect(socketPath: "/tmp/evmcsd-no-such-\(UUID().uuidString).sock")
        }
        #expect(missing?.kind == .daemonNotRunning)
        #expect(missing?.message.contains("start it") == true)
        #expect(missing?.isUnreachableOrUnauthorized == true)

        let daemon = try DaemonProcess()
        let client = try await EVMCSClient.connect(socketPath: daemon.socketPath, timeout: .milliseconds(1))
        let old = try DocumentLoader.hostProfile(
            from: Data(
                contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-5.10.json")
            )
        )
        let slow = await error {
            _ = try await client.pools(FleetRequest(profiles: Array(repeating: old, count: 1_000), evmcs: true))
        }
        #expect(slow?.kind == .timedOut)
        await client.close()

        let doomed = try await EVMCSClient.connect(socketPath: daemon.socketPath)
        let big = FleetRequest(profiles: Array(repeating: old, count: 1_000), evmcs: true)
        async let outcome = error { for _ in 0..<50 { _ = try await doomed.pools(big) } }
        try await Task.sleep(for: .milliseconds(100))
        daemon.signal(SIGKILL)
        #expect(await outcome?.kind == .connectionLost)
    }

    @Test func serverErrorsMapToTheirKinds() async throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-line-bytes = 4096\nmax-connections = 2\n")
        let client = try await EVMCSClient.connect(socketPath: daemon.socketPath)
        var broken = HostProfile()
        broken.schema = "evmcsd.host-profile/9"
        let document = await error {
            _ = try await client.check(
                .startedOn(broken, evmcs: false, perfGlobalCtrl: false, nestedState: false, target: nil)
            )
        }
        #expect(document?.kind == .invalidDocument)
        #expect(document?.message.contains("params.from.schema") == true)
        // A view outside VMXViewName cannot be sent any more; an empty fleet is the params error here.
        let params = await error { _ = try await client.baseline(FleetRequest(profiles: [], includeLocal: false)) }
        #expect(params?.kind == .invalidParams)
        var amd = HostProfile()
        amd.cpu = HostProfile.CPU(vendor: "AuthenticAMD")
        let fleet = await error {
            _ = try await client.baseline(FleetRequest(profiles: [amd], includeLocal: false, evmcs: true))
        }
        #expect(fleet?.kind == .fleetFailed)
        #expect(try await client.status().ready, "the connection survives server errors")
        let second = try await EVMCSClient.connect(socketPath: daemon.socketPath)
        let third = try await EVMCSClient.connect(socketPath: daemon.socketPath)
        let overloaded = await error { _ = try await third.status() }
        #expect(overloaded?.kind == .overloaded)
        let old = try DocumentLoader.hostProfile(
            from: Data(
                contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-5.10.json")
            )
        )
        let tooLarge = await error {
            _ = try await second.baseline(FleetRequest(profiles: Array(repeating: old, count: 20)))
        }
        #expect(tooLarge?.kind == .requestTooLarge)
        await client.close()
    }

    @Test func subscriptionDeliversAChangeAndEndsWhenTheDaemonGoes() async throws {
        let tree = try RecordedTree()
        let daemon = try DaemonProcess(profile: nil, cache: "revalidate-seconds = 1", probe: tree.probeConfiguration)
        let client = try await EVMCSClient.connect(socketPath: daemon.socketPath)
        let changes = try await client.subscribe()
        try tree.setParameter("nested", to: "N")
        var iterator = changes.makeAsyncIterator()
        let change = try #require(await iterator.next())
        #expect(change.changes.contains { $0.path == "kvm.parameters.kvm_intel.nested" && $0.new == "N" })
        daemon.stop()
        #expect(await iterator.next() == nil, "the sequence ends when the connection closes")
    }

    @Test func unsubscribingStopsTheChanges() async throws {
        let tree = try RecordedTree()
        let daemon = try DaemonProcess(profile: nil, cache: "revalidate-seconds = 1", probe: tree.probeConfiguration)
        let client = try await EVMCSClient.connect(socketPath: daemon.socketPath)
        _ = try await client.subscribe()
        #expect(try await client.status().counters.subscribers == 1)
        let removed = try await client.unsubscribe()
        #expect(removed.subscribed == false && removed.fingerprint != nil)
        #expect(try await client.status().counters.subscribers == 0)
        // Docs/protocol.md: {subscribed, fingerprint}, whether or not the connection was subscribed.
        #expect(try await client.unsubscribe() == removed)
        await client.close()
    }
}

/// A recorded procfs/sysfs tree of an Intel host with kvm_intel nested=Y, for change tests.
final class RecordedTree {
    let root = URL(fileURLWithPath: "/tmp/evmcsd-e2e-tree-\(UUID().uuidString.prefix(8))")
    var parameters: URL { root.appendingPathComponent("sys/module/kvm_intel/parameters") }

    init() throws {
        try FileManager.default.createDirectory(at: parameters, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("proc/sys/kernel/random"),
            withIntermediateDirectories: true
        )
        try setParameter("nested", to: "Y")
        try write("6.8.0-45-generic\n", "proc/sys/kernel/osrelease")
        try write("#45\n", "proc/sys/kernel/version")
        try write("0f0e0d0c\n", "proc/sys/kernel/random/boot_id")
        try write(
            "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmicrocode\t: 0x5003604\n\n",
            "proc/cpuinfo"
        )
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var probeConfiguration: String {
        "sysfs-root = \"\(root.appendingPathComponent("sys").path)\"\nprocfs-root = \"\(root.appendingPathComponent("proc").path)\""
    }

    func setParameter(_ name: String, to value: String) throws {
        try (value + "\n").write(to: parameters.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    private func write(_ text: String, _ path: String) throws {
        try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }
}
