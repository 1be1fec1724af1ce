import EVMCSTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// sd_notify messages and socket activation, with a test-owned NOTIFY_SOCKET instead of
/// systemd as PID 1.
@Suite("systemd integration, end to end", .onBlockingThreads)
struct SystemdTests {
    @Test func notifiesReadyReloadingAndStopping() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notify = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        let daemon = try DaemonProcess(directory: directory, environment: ["NOTIFY_SOCKET": notify.path])
        let ready = try notify.wait(for: "READY=1")
        #expect(ready.contains("STATUS=eVMCS yes (1..1), sha256:"))
        notify.clear()
        daemon.signal(SIGHUP)
        let reloading = try notify.wait(for: "RELOADING=1")
        let monotonic = reloading.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }
        let microseconds = try #require(monotonic.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicroseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        #expect(
            microseconds <= nowMicroseconds && nowMicroseconds - microseconds < 10_000_000,
            "MONOTONIC_USEC is CLOCK_MONOTONIC"
        )
        try notify.wait(for: "READY=1")
        #expect(try daemon.client().call("daemon.status").result?["ready"] as? Bool == true)
        #expect(daemon.stop() == .exited(0))
        try notify.wait(for: "STOPPING=1")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the socket file is removed on stop")
    }

    @Test func pingsTheWatchdogWhenAsked() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notify = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        let daemon = try DaemonProcess(
            directory: directory,
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"]
        )
        try notify.wait(for: "WATCHDOG=1", timeout: 5)
        _ = daemon
    }

    /// A key check that hangs (here: a module-parameter file that is a FIFO nobody writes)
    /// stops the pings, so systemd restarts a stuck daemon; queries are still answered
    /// meanwhile, and the pings resume once the read returns.
    @Test func stopsPingingTheWatchdogWhileTheProbeSourceHangs() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = try RecordedTree()
        let notify = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        let daemon = try DaemonProcess(
            profile: nil,
            cache: "revalidate-seconds = 3600",
            probe: tree.probeConfiguration,
            directory: directory,
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"]
        )
        try notify.wait(for: "WATCHDOG=1", timeout: 5)
        let fifo = tree.parameters.appendingPathComponent("nested").path
        try FileManager.default.removeItem(atPath: fifo)
        #expect(mkfifo(fifo, 0o644) == 0)
        daemon.signal(SIGHUP)  // re-checks the key: opening the FIFO blocks
        let deadline = Date().addingTimeInterval(10)
        while !daemon.log.contains("unhealthy: not pinging the watchdog") && Date() < deadline { usleep(50_000) }
        #expect(daemon.log.contains("probe source busy for more than"), "\(daemon.log.suffix(2_000))")
        notify.clear()
        #expect(throws: (any Error).self, "no ping while the read hangs") {
            try notify.wait(for: "WATCHDOG=1", timeout: 1.5)
        }
        #expect(try daemon.client().call("daemon.status").result?["ready"] as? Bool == true)
        // Answer the read: the key check finishes and the pings come back.
        let writer = open(fifo, O_WRONLY)
        #expect(writer >= 0)
        _ = "Y\n".withCString { write(writer, $0, 2) }
        close(writer)
        try notify.wait(for: "WATCHDOG=1", timeout: 5)
    }

    @Test(
        .enabled(
            if: TestMachine.hasExecutable("/usr/bin/systemd-socket-activate"),
            "needs systemd-socket-activate (package systemd)"
        )
    )
    func usesThePassedSocketUnderSocketActivation() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let activated = directory.appendingPathComponent("activated.sock").path
        let notify = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        let daemon = try DaemonProcess(
            directory: directory,
            wrapper: ["/usr/bin/systemd-socket-activate", "-l", activated, "-E", "NOTIFY_SOCKET=\(notify.path)"],
            waitForSocket: false
        )
        // The first connection starts evmcsd, which must serve on the passed fd, not its own path.
        // systemd-socket-activate binds the path before it listens: a connect in between is refused, so the
        // connect is retried until the deadline, not just the file's existence awaited.
        let deadline = Date().addingTimeInterval(20)
        var connected: LineClient?
        while connected == nil && Date() < deadline {
            connected = try? LineClient(path: activated)
            if connected == nil { usleep(10_000) }
        }
        let client = try #require(connected, "systemd-socket-activate listens on \(activated)")
        let status = try client.call("daemon.status")
        #expect((status.result?["socket"] as? String)?.contains("socket activation") == true)
        try notify.wait(for: "READY=1")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "no socket of its own under activation")
        #expect(daemon.stop() == .exited(0))
        #expect(
            FileManager.default.fileExists(atPath: activated),
            "the activated socket belongs to systemd and is left alone"
        )
    }
}
