import EVMCSTesting
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The socket's permissions are in place before anyone can connect, and the shipped units
/// pass systemd's own checks (Docs/operations.md explains every directive).
@Suite("Socket permissions and unit hardening", .onBlockingThreads)
struct SecurityTests {
    @Test func theSocketHasItsConfiguredModeBeforeItAcceptsAnyone() throws {
        let scratch = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let socketPath = scratch.appendingPathComponent("s.sock").path
        // A racing client connects as early as it can and records the mode at its first success.
        let firstConnectedMode = Mutex<mode_t?>(nil)
        let stop = Atomic<Bool>(false)
        let racer = Thread {
            while !stop.load(ordering: .relaxed) {
                guard (try? LineClient(path: socketPath)) != nil else { continue }
                var status = stat()
                stat(socketPath, &status)
                firstConnectedMode.withLock { $0 = status.st_mode & 0o7777 }
                return
            }
        }
        racer.start()
        defer { stop.store(true, ordering: .relaxed) }
        let daemon = try DaemonProcess(directory: scratch, socketMode: "0640")
        let deadline = Date().addingTimeInterval(5)
        while firstConnectedMode.withLock({ $0 }) == nil && Date() < deadline { usleep(1_000) }
        #expect(firstConnectedMode.withLock { $0 } == 0o640, "the first connection already saw the configured mode")
        #expect(daemon.process.isRunning)
    }

    /// The units with ExecStart pointing at the built binary, in a scratch directory.
    func stagedUnits() throws -> URL {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let systemd = DaemonProcess.repositoryRoot.appendingPathComponent("systemd")
        let service = try String(contentsOf: systemd.appendingPathComponent("evmcsd.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/evmcsd", with: DaemonProcess.binary)
            .replacingOccurrences(
                of: "/etc/evmcsd/evmcsd.toml",
                with: DaemonProcess.repositoryRoot.appendingPathComponent("config/evmcsd.toml").path
            )
        try service.write(to: directory.appendingPathComponent("evmcsd.service"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: systemd.appendingPathComponent("evmcsd.socket"),
            to: directory.appendingPathComponent("evmcsd.socket")
        )
        return directory
    }

    /// Runs `systemd-analyze` in `directory`; returns its exit status and output.
    func analyze(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let run = try Program.run("/usr/bin/systemd-analyze", arguments, directory: directory)
        return (run.status, run.output + run.error)
    }

    @Test(.enabled(if: TestMachine.hasExecutable("/usr/bin/systemd-analyze"), "systemd-analyze is not installed"))
    func theUnitsPassSystemdAnalyzeVerify() throws {
        let directory = try stagedUnits()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, output) = try analyze(["verify", "./evmcsd.service", "./evmcsd.socket"], in: directory)
        #expect(status == 0, "\(output)")
        // systemd < 253 does not know Type=notify-reload: the one warning the shipped drop-in covers.
        let unexpected = output.split(separator: "\n").filter { !$0.contains("notify-reload") }
        #expect(unexpected.isEmpty, "\(output)")
    }

    @Test(.enabled(if: TestMachine.hasExecutable("/usr/bin/systemd-analyze"), "systemd-analyze is not installed"))
    func theServiceExposureIsAtMostTwo() throws {
        let directory = try stagedUnits()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, output) = try analyze(["security", "--offline=yes", "./evmcsd.service"], in: directory)
        #expect(status == 0, "\(output)")
        let line = try #require(output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: " ").compactMap { Double($0) }.last)
        print("systemd-analyze security: \(line.trimmingCharacters(in: .whitespaces))")
        #expect(score <= 2.0, "\(line)")
    }
}
