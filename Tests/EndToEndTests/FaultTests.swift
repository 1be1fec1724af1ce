import EVMCSTesting
import EVMCSProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults of the environment: the KVM device going away or becoming inaccessible, a cache
/// directory that cannot be written, a full disk, a SIGKILL in the middle of a cache write.
/// The daemon keeps serving, says what is wrong, never serves a damaged profile and recovers
/// by itself.
@Suite("Faults, end to end", .onBlockingThreads)
struct FaultTests {
    // MARK: The KVM device (through the injectable `probe.device` path)

    /// A device node with /dev/kvm's numbers at a path the test controls.
    final class DeviceNode {
        let path: String
        init(in directory: URL, mode: mode_t = 0o600) throws {
            path = directory.appendingPathComponent("kvm").path
            try create(mode: mode)
        }

        func create(mode: mode_t = 0o600) throws {
            var device = stat()
            guard stat("/dev/kvm", &device) == 0 else { throw DaemonFailure(message: "stat /dev/kvm: errno \(errno)") }
            guard mknod(path, S_IFCHR | mode, device.st_rdev) == 0, chmod(path, mode) == 0 else {
                throw DaemonFailure(message: "mknod \(path): errno \(errno)")
            }
        }

        func remove() { unlink(path) }
    }

    func evmcsReason(_ daemon: DaemonProcess) throws -> String? {
        let reason = try daemon.client().call("host.evmcs").result?["reason"] as? [String: Any]
        return reason?["code"] as? String
    }

    /// Polls `host.evmcs` until its reason satisfies `condition` (the daemon revalidates every second).
    func waitForReason(_ daemon: DaemonProcess, timeout: Double = 15, _ condition: (String?) -> Bool) throws -> String?
    {
        let deadline = Date().addingTimeInterval(timeout)
        var reason = try evmcsReason(daemon)
        while !condition(reason) && Date() < deadline {
            usleep(100_000)
            reason = try evmcsReason(daemon)
        }
        return reason
    }

    @Test(
        .enabled(
            if: TestMachine.isRoot && TestMachine.hasKVM,
            "needs root (mknod) and /dev/kvm; this machine has neither"
        )
    )
    func theKVMDeviceDisappearsAndComesBack() throws {
        let scratch = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let node = try DeviceNode(in: scratch)
        let daemon = try DaemonProcess(
            profile: nil,
            cache: "revalidate-seconds = 1",
            probe: "device = \"\(node.path)\"",
            directory: scratch
        )
        let before = try evmcsReason(daemon)
        #expect(before != "kvm-device-missing")
        let subscriber = try daemon.client()
        #expect(try subscriber.call("events.subscribe").result?["subscribed"] as? Bool == true)

        node.remove()
        let gone = try subscriber.readJSON(timeout: 15)
        #expect(gone["method"] as? String == "profile.changed")
        let changes = ((gone["params"] as? [String: Any])?["changes"] as? [[String: Any]] ?? []).compactMap {
            $0["path"] as? String
        }
        #expect(changes.contains("kvm.device.present"))
        let missing = try daemon.client().call("host.evmcs").result
        #expect(missing?["supported"] as? Bool == false)
        let reason = missing?["reason"] as? [String: Any]
        #expect(reason?["code"] as? String == "kvm-device-missing")
        #expect((reason?["message"] as? String)?.contains(node.path) == true, "the message names the device path")
        #expect(try daemon.client().call("daemon.status").result?["ready"] as? Bool == true, "still serving")

        try node.create()
        let back = try subscriber.readJSON(timeout: 15)
        #expect(back["method"] as? String == "profile.changed")
        #expect(try evmcsReason(daemon) == before, "the same answer as before the device went away")
    }

    @Test(
        .enabled(
            if: TestMachine.isRoot && TestMachine.hasKVM && TestMachine.hasExecutable("/usr/bin/setpriv"),
            "needs root (mknod), setpriv to run evmcsd as nobody, and /dev/kvm"
        )
    )
    func permissionDeniedOnTheDeviceIsExplainedAndRecovers() throws {
        let scratch = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        chmod(scratch.path, 0o777)  // the daemon runs as nobody and keeps its socket and cache here
        defer { try? FileManager.default.removeItem(at: scratch) }
        let node = try DeviceNode(in: scratch, mode: 0o600)  // root's only
        let daemon = try DaemonProcess(
            profile: nil,
            cache: "revalidate-seconds = 1",
            probe: "device = \"\(node.path)\"",
            directory: scratch,
            wrapper: ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        )
        let denied = try daemon.client().call("host.evmcs").result?["reason"] as? [String: Any]
        #expect(denied?["code"] as? String == "permission-denied")
        #expect(denied?["errno"] as? String == "EACCES")
        #expect((denied?["message"] as? String)?.contains("DeviceAllow=\(node.path) rw") == true)

        chmod(node.path, 0o666)  // what udev does when the kvm group rule is fixed
        let granted = try waitForReason(daemon) { $0 != "permission-denied" }
        #expect(granted != "permission-denied", "the daemon noticed the new mode by itself")
        #expect(granted != "kvm-device-missing")
    }

    // MARK: The cache directory

    func status(_ daemon: DaemonProcess) throws -> DaemonStatus {
        let result = try #require(try daemon.client().call("daemon.status")["result"])
        return try JSONDecoder().decode(DaemonStatus.self, from: JSONSerialization.data(withJSONObject: result))
    }

    /// Mounts a tmpfs at `path`; unmounted by the returned closure.
    func mountTmpfs(at path: String, options: String, flags: UInt = 0) throws -> () -> Void {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", flags, options) == 0 else {
            throw DaemonFailure(message: "mount tmpfs at \(path): errno \(errno)")
        }
        return { _ = umount2(path, Int32(MNT_DETACH)) }
    }

    @Test(.enabled(if: TestMachine.isRoot, "mounting a read-only tmpfs needs root"))
    func aReadOnlyCacheDirectoryCostsOnlyThePersistence() throws {
        let scratch = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let readOnly = scratch.appendingPathComponent("ro").path
        let unmount = try mountTmpfs(at: readOnly, options: "size=64k", flags: UInt(MS_RDONLY))
        defer { unmount() }

        // An existing directory that cannot be written.
        let daemon = try DaemonProcess(directory: scratch, cacheDirectory: readOnly)
        let served = try status(daemon)
        #expect(served.ready)
        #expect(served.cache.state == .fresh)
        #expect(served.cache.note?.contains("cache not written") == true)
        #expect(served.cache.note?.contains("EROFS") == true, "the note says why: \(served.cache.note ?? "")")
        #expect(try daemon.client().call("host.evmcs").result?["supported"] as? Bool == true)
        #expect(daemon.log.contains("cannot persist the profile cache; serving from memory"))
        #expect(daemon.stop() == .exited(0))

        // A directory that cannot even be created.
        let uncreatable = try DaemonProcess(directory: scratch, cacheDirectory: readOnly + "/evmcsd")
        #expect(try status(uncreatable).ready)
        #expect(uncreatable.log.contains("cannot create the cache directory"))
        #expect(try uncreatable.client().call("host.profile").result != nil)
    }

    @Test(.enabled(if: TestMachine.isRoot, "mounting a tiny tmpfs needs root"))
    func aFullDiskCostsOnlyThePersistenceUntilThereIsRoomAgain() throws {
        let scratch = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cache = scratch.appendingPathComponent("cache").path
        let unmount = try mountTmpfs(at: cache, options: "size=256k")
        defer { unmount() }
        let filler = cache + "/filler"
        Self.fill(filler)

        let daemon = try DaemonProcess(directory: scratch)
        let full = try status(daemon)
        #expect(full.ready)
        #expect(full.cache.note?.contains("ENOSPC") == true, "the note says why: \(full.cache.note ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache) == ["filler"], "no partial file left")
        #expect(try daemon.client().call("host.evmcs").result?["supported"] as? Bool == true)

        unlink(filler)
        #expect(try daemon.client().call("cache.refresh").result != nil)
        let roomy = try status(daemon)
        #expect(roomy.cache.note == nil)
        #expect(FileManager.default.fileExists(atPath: cache + "/profile.json"))
        #expect(daemon.stop() == .exited(0))
        let restarted = try DaemonProcess(directory: scratch)
        #expect(try status(restarted).counters.probes == 0, "the file written after the disk had room is served")
    }

    /// Writes to `path` until the file system is full.
    static func fill(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x5A, count: 4096)
        while chunk.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }

    @Test func aSIGKILLDuringCacheWritesNeverLeavesATornProfile() throws {
        let scratch = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var fingerprint: String?
        var leftovers = 0
        var interrupted = 0
        let rounds = 12
        for round in 0...rounds {
            let daemon = try DaemonProcess(directory: scratch)
            let served = try status(daemon)
            if round > 0 {
                #expect(served.counters.probes == 0, "round \(round): the persisted profile was intact and served")
                #expect([.loaded, .verified].contains(served.cache.state), "round \(round): \(served.cache)")
                #expect(served.fingerprint == fingerprint)
                #expect(!daemon.log.contains("persisted profile not used"))
            }
            #expect(
                daemon.log.components(separatedBy: "removed an unfinished cache write").count - 1 == leftovers,
                "round \(round): the killed daemon's unfinished writes are removed at start"
            )
            #expect(try FileManager.default.contentsOfDirectory(atPath: daemon.cacheDirectory) == ["profile.json"])
            fingerprint = served.fingerprint
            guard round < rounds else { break }
            // Forced refreshes re-probe and rewrite the cache file back to back; kill in the middle.
            let client = try daemon.client()
            let request = #"{"jsonrpc":"2.0","id":1,"method":"cache.refresh"}"#
            try client.sendRaw(Array((Array(repeating: request, count: 100).joined(separator: "\n") + "\n").utf8))
            #expect(try client.readJSON()["result"] != nil, "the refreshes are under way")
            usleep(UInt32.random(in: 0..<20_000))
            daemon.signal(SIGKILL)
            daemon.process.wait()
            leftovers = try FileManager.default.contentsOfDirectory(atPath: daemon.cacheDirectory)
                .filter { $0.hasSuffix(".tmp") }.count
            if leftovers > 0 { interrupted += 1 }
        }
        print(
            "SIGKILL during cache writes: \(interrupted) of \(rounds) kills interrupted a write (left a temporary file)"
        )
    }
}
