import EVMCSTesting
import EVMCSProtocol
import Foundation
import Testing
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// The persisted cache and change detection.
@Suite("Capability cache, end to end", .onBlockingThreads)
struct CacheTests {
    func status(_ daemon: DaemonProcess) throws -> DaemonStatus {
        let result = try #require(try daemon.client().call("daemon.status")["result"])
        return try JSONDecoder().decode(DaemonStatus.self, from: JSONSerialization.data(withJSONObject: result))
    }

    @Test func aRestartServesThePersistedProfileWithoutProbing() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try DaemonProcess(directory: directory)
        let fingerprint = try status(first).fingerprint
        #expect(try status(first).counters.probes == 1)
        #expect(first.stop() == .exited(0))
        let second = try DaemonProcess(directory: directory)
        let restarted = try status(second)
        #expect(restarted.counters.probes == 0, "served from the cache file")
        #expect([.loaded, .verified].contains(restarted.cache.state))
        #expect(restarted.fingerprint == fingerprint)
        #expect(second.log.contains("serving the persisted profile"))
    }

    @Test(arguments: ["corrupt", "truncate", "directory"])
    func aDamagedCacheIsDiscardedAndReprobed(damage: String) throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try DaemonProcess(directory: directory)
        let fingerprint = try status(first).fingerprint
        #expect(first.stop() == .exited(0))
        let file = first.cacheDirectory + "/profile.json"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        switch damage {
        case "corrupt":
            bytes[bytes.count - 40] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        case "truncate":
            try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: file))
        default:
            try FileManager.default.removeItem(atPath: file)
            try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: true)
        }
        let second = try DaemonProcess(directory: directory)
        let restarted = try status(second)
        #expect(restarted.counters.probes == 1, "the damaged file was not served")
        #expect(restarted.fingerprint == fingerprint)
        #expect(second.log.contains("persisted profile not used"))
        if damage != "directory" {
            #expect(restarted.cache.state == .fresh)
            #expect(
                restarted.cache.note?.hasPrefix("cache file corrupt") == true,
                "status says why the file was not used"
            )
            #expect(second.stop() == .exited(0))
            let third = try DaemonProcess(directory: directory)
            #expect(try status(third).counters.probes == 0, "the re-probe wrote a valid cache file again")
        } else {
            #expect(restarted.cache.note?.contains("cache not written") == true)
        }
    }

    @Test func aChangedModuleParameterIsPushedToSubscribers() throws {
        // A recorded sysfs/procfs tree; the device is this host's /dev/kvm when there is one.
        let tree = try RecordedTree()
        let daemon = try DaemonProcess(profile: nil, cache: "revalidate-seconds = 1", probe: tree.probeConfiguration)
        let subscriber = try daemon.client()
        #expect(try subscriber.call("events.subscribe").result?["subscribed"] as? Bool == true)
        try tree.setParameter("nested", to: "N")
        let notification = try subscriber.readJSON(timeout: 15)
        #expect(notification["method"] as? String == "profile.changed")
        #expect(notification["id"] == nil)
        let params = try #require(notification["params"])
        let event = try JSONDecoder().decode(
            ProfileChangedEvent.self,
            from: JSONSerialization.data(withJSONObject: params)
        )
        #expect(event.changes.map(\.path).contains("kvm.parameters.kvm_intel.nested"))
        #expect(event.changes.first { $0.path == "kvm.parameters.kvm_intel.nested" }?.new == "N")
        #expect(event.trigger.contains("KVM module parameters"))
        let history = try daemon.client().call("host.history")
        #expect((history.result?["changes"] as? [Any])?.count == 1)
        #expect(daemon.log.contains("host capabilities changed"))
    }

    /// SIGHUP re-checks the invalidation key at once (not only every `revalidate-seconds`), so
    /// a changed module parameter is probed and pushed without waiting for the timer.
    @Test func aSIGHUPRechecksTheKeyAndReprobes() throws {
        let tree = try RecordedTree()
        let daemon = try DaemonProcess(profile: nil, cache: "revalidate-seconds = 3600", probe: tree.probeConfiguration)
        let subscriber = try daemon.client()
        #expect(try subscriber.call("events.subscribe").result?["subscribed"] as? Bool == true)
        let probesBefore = try status(daemon).counters.probes
        try tree.setParameter("nested", to: "N")
        daemon.signal(SIGHUP)
        let notification = try subscriber.readJSON(timeout: 15)
        #expect(notification["method"] as? String == "profile.changed")
        let params = try #require(notification["params"] as? [String: Any])
        #expect((params["trigger"] as? String)?.hasPrefix("SIGHUP") == true, "\(params["trigger"] ?? "")")
        #expect(try status(daemon).counters.probes == probesBefore + 1)
    }

    /// A probe source that fails on `cache.refresh` answers -32013 with the reason, and the last
    /// good profile stays served (marked stale) until the source works again.
    @Test(.enabled(if: TestMachine.isRoot, "cache.refresh is an admin method (root or the admin group)"))
    func aFailingSourceAnswersProbeFailedAndKeepsServing() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorded = directory.appendingPathComponent("recorded.json")
        let original = try Data(
            contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-6.8.json")
        )
        try original.write(to: recorded)
        let daemon = try DaemonProcess(profile: nil, probe: "profile = \"\(recorded.path)\"", directory: directory)
        let fingerprint = try status(daemon).fingerprint
        try Data("{\"schema\": \"evmcsd.host-profile/1\", \"kernel\": 7}".utf8).write(to: recorded)

        let refused = try daemon.client().call("cache.refresh")
        #expect(refused.errorCode == -32013)
        let data = (refused["error"] as? [String: Any])?["data"] as? [String: Any]
        #expect((data?["reason"] as? String)?.contains("kernel") == true, "names the bad field: \(refused)")
        let stale = try status(daemon)
        #expect(stale.cache.state == .stale)
        #expect(stale.fingerprint == fingerprint, "the last good profile is still served")
        #expect(try daemon.client().call("host.profile").result?["fingerprint"] as? String == fingerprint)

        // A member named twice: another reader would take the other value, so it is not served.
        let text = String(decoding: original, as: UTF8.self)
        let duplicated = text.replacingOccurrences(
            of: "\"kernel\": {",
            with: "\"kernel\": {\"release\": \"5.4.0\", "
        )
        #expect(duplicated != text)
        try Data(duplicated.utf8).write(to: recorded)
        let ambiguous = try daemon.client().call("cache.refresh")
        #expect(ambiguous.errorCode == -32013)
        let reason = ((ambiguous["error"] as? [String: Any])?["data"] as? [String: Any])?["reason"] as? String
        #expect(reason?.contains("kernel.release: duplicate member \"release\"") == true, "\(ambiguous)")
        #expect(try status(daemon).fingerprint == fingerprint, "the last good profile is still served")

        try original.write(to: recorded)
        #expect(try daemon.client().call("cache.refresh").result?["fingerprint"] as? String == fingerprint)
        #expect(try status(daemon).cache.state == .fresh)
    }
}
