import Foundation
import KVMProbe
import Testing
import VMXModel

@testable import EVMCSDaemon

@Suite("Persisted cache and atomic files")
struct CacheFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)").path

    func entry(_ key: String = "k1", version: String = "0.1.0") -> ProfileCacheFile<String>.Entry {
        var profile = HostProfile()
        profile.kernel = HostProfile.Kernel(release: "6.8.0")
        return ProfileCacheFile<String>.Entry(
            daemonVersion: version,
            key: key,
            profile: profile.fingerprinted(),
            savedAt: "2026-11-25T10:00:00Z"
        )
    }

    func rejection(_ result: Result<ProfileCacheFile<String>.Entry, ProfileCacheFile<String>.Rejection>)
        -> ProfileCacheFile<String>.Rejection?
    {
        if case .failure(let rejection) = result { return rejection }
        return nil
    }

    @Test func roundTripsAndChecksKeyAndVersion() throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = ProfileCacheFile<String>(directory: directory)
        #expect(rejection(file.load(daemonVersion: "0.1.0", key: "k1")) == .missing)
        try file.save(entry())
        let loaded = try file.load(daemonVersion: "0.1.0", key: "k1").get()
        #expect(loaded.profile == entry().profile)
        #expect(rejection(file.load(daemonVersion: "0.1.0", key: "k2")) == .stale("invalidation key changed"))
        #expect(
            rejection(file.load(daemonVersion: "0.2.0", key: "k1")) == .stale("saved by evmcsd 0.1.0, this is 0.2.0")
        )
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func everyKindOfDamageIsRejected() throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = ProfileCacheFile<String>(directory: directory)
        try file.save(entry())
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file.path)))
        func load(_ bytes: [UInt8]) throws -> ProfileCacheFile<String>.Rejection? {
            try Data(bytes).write(to: URL(fileURLWithPath: file.path))
            if case .failure(let rejection) = file.load(daemonVersion: "0.1.0", key: "k1") { return rejection }
            return nil
        }
        var flipped = good
        flipped[good.count - 10] ^= 0x20
        #expect(try load(flipped) == .corrupt("checksum mismatch"))
        #expect(try load(Array(good.prefix(good.count - 1)))?.description.contains("truncated") == true)
        #expect(try load(Array(good.prefix(20)))?.description.contains("no header line") == true)
        #expect(try load([]) != nil)
        #expect(try load(Array("garbage\n{}".utf8)) == .corrupt("unreadable header"))
        try FileManager.default.removeItem(atPath: file.path)
        try FileManager.default.createDirectory(atPath: file.path, withIntermediateDirectories: false)
        guard case .failure(let unreadable) = file.load(daemonVersion: "0.1.0", key: "k1"),
            unreadable.code == .unreadable
        else {
            Issue.record("a directory must be unreadable")
            return
        }
        #expect(unreadable.reason.contains("EISDIR"))
        // The read's own error is kept as the cause.
        let failure = try #require(unreadable.cause as? AtomicFile.Failure)
        #expect(failure.code == .notARegularFile && failure.errno == EISDIR)
    }

    @Test func atomicWritesLeaveNoTemporaryFilesAndReportErrno() throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/out.prom"
        try AtomicFile.write(Array("one\n".utf8), to: path)
        try AtomicFile.write(Array("two\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.prom"])
        do {
            try AtomicFile.write([1], to: directory + "/missing/dir/file")
            Issue.record("wrote into a missing directory")
        } catch {
            #expect(error.description.contains("ENOENT"))
        }
    }

    @Test func temporariesOfDeadWritersAreRemovedAndLiveOnesKept() throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/profile.json"
        try AtomicFile.write(Array("{}".utf8), to: path)
        // A pid that cannot exist (above pid_max) stands for a killed writer.
        let dead = directory + "/.profile.json.4194305.17.tmp"
        let live = directory + "/.profile.json.\(getpid()).18.tmp"
        let other = directory + "/.other.json.4194305.19.tmp"
        let unrelated = directory + "/.profile.json.notes.tmp"
        for file in [dead, live, other, unrelated] {
            _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        }
        #expect(AtomicFile.removeStaleTemporaries(of: path) == [dead])
        #expect(
            try Set(FileManager.default.contentsOfDirectory(atPath: directory))
                == [
                    ".profile.json.\(getpid()).18.tmp", ".other.json.4194305.19.tmp", ".profile.json.notes.tmp",
                    "profile.json",
                ]
        )
        #expect(AtomicFile.removeStaleTemporaries(of: directory + "/missing/profile.json").isEmpty)
    }

    @Test(.enabled(if: geteuid() == 0, "mounting a tiny tmpfs needs root"))
    func aFullDiskFailsCleanly() throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        defer {
            _ = umount(directory)
            try? FileManager.default.removeItem(atPath: directory)
        }
        guard mount("tmpfs", directory, "tmpfs", 0, "size=64k") == 0 else {
            Issue.record("cannot mount tmpfs: errno \(errno)")
            return
        }
        try AtomicFile.write(Array("old\n".utf8), to: directory + "/f")
        do {
            try AtomicFile.write([UInt8](repeating: 0x41, count: 1 << 20), to: directory + "/f")
            Issue.record("a 1 MiB write fit in 64 KiB")
        } catch {
            #expect(error.description.contains("ENOSPC"))
        }
        #expect(try String(contentsOfFile: directory + "/f", encoding: .utf8) == "old\n", "the old content survives")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["f"], "no temporary file left")
    }
}
