import EVMCSClient
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// evmcsctl's online commands and the migration-agent example against the real daemon,
/// with their exit statuses: 0 ok/compatible, 1 incompatible, 2 usage or document, 3 daemon.
@Suite("evmcsctl online commands, end to end", .onBlockingThreads)
struct OnlineCLITests {
    func evmcsctl(_ daemon: DaemonProcess, _ arguments: String...) throws -> Program.Result {
        try Program.run("evmcsctl", Array(arguments) + ["--socket", daemon.socketPath])
    }

    @Test func readCommandsSucceed() throws {
        let daemon = try DaemonProcess()
        let status = try evmcsctl(daemon, "status")
        #expect(status.status == 0)
        #expect(status.output.contains("eVMCS        supported"))
        let json = try evmcsctl(daemon, "status", "--json")
        #expect(try JSONDecoder().decode(DaemonStatus.self, from: Data(json.output.utf8)).ready)
        let profile = try evmcsctl(daemon, "profile", "--json")
        #expect(try DocumentLoader.hostProfile(from: Data(profile.output.utf8)).kernel?.release == "6.8.0-45-generic")
        #expect(try evmcsctl(daemon, "profile").output.contains("skylake-ubuntu2404"))
        let features = try evmcsctl(daemon, "features")
        #expect(features.status == 0)
        #expect(features.output.contains("vmx-posted-intr"))
        #expect(features.output.contains("no (removed)"))
        #expect(features.output.contains("eVMCS removes 11 features"))
        #expect(try evmcsctl(daemon, "history").output.contains("no changes"))
        #expect(try evmcsctl(daemon, "refresh").output.contains("no change"))
        #expect(try evmcsctl(daemon, "reload").output.contains("configuration reloaded"))
    }

    @Test func checkExitStatusesAgainstTheLocalHost() throws {
        let daemon = try DaemonProcess()
        let incompatible = try evmcsctl(daemon, "check", "--from", "Docs/examples/skylake-5.10.46.json", "--evmcs")
        #expect(incompatible.status == 1)
        #expect(incompatible.output.contains("INCOMPATIBLE (subset)"))
        #expect(try evmcsctl(daemon, "check", "--from", "Docs/examples/skylake-5.10.46.json").status == 0)
        #expect(try evmcsctl(daemon, "check", "--vm", "Docs/examples/vm-windows-evmcs.json").status == 1)
        let verdict = try evmcsctl(daemon, "check", "--from", "Docs/examples/skylake-5.10.46.json", "--evmcs", "--json")
        #expect(try JSONDecoder().decode(Verdict.self, from: Data(verdict.output.utf8)).reasons.count == 10)
        let baseline = try evmcsctl(daemon, "baseline", "--local", "Docs/examples/skylake-5.10.46.json")
        #expect(baseline.output.contains("Baseline of 2 hosts"))
        let pools = try evmcsctl(daemon, "pools", "--local", "Docs/examples/skylake-5.10.46.json", "--evmcs")
        #expect(pools.output.contains("2 groups of 2 hosts"))
    }

    @Test func daemonProblemsExitWithThree() throws {
        let missing = try Program.run(
            "evmcsctl",
            ["status", "--socket", "/tmp/evmcsd-none-\(UUID().uuidString.prefix(6)).sock"]
        )
        #expect(missing.status == 3)
        #expect(missing.error.contains("evmcsd is not running"))
        let daemon = try DaemonProcess()
        let document = try evmcsctl(
            daemon,
            "baseline",
            "--local",
            "--evmcs",
            "Tests/Fixtures/vmx-dumps/vmxcaps-6500.json"
        )
        #expect(
            document.status == 2,
            "a fleet that cannot have eVMCS is bad input, not a daemon problem: \(document.error)"
        )
    }

    @Test(
        .enabled(
            if: TestMachine.isRoot && TestMachine.hasExecutable("/usr/bin/setpriv"),
            "needs root and setpriv to run as nobody"
        )
    )
    func permissionProblemsExitWithThreeAndSaySo() throws {
        let daemon = try DaemonProcess()
        let binary = DaemonProcess.productsDirectory.appendingPathComponent("evmcsctl").path
        let nobody = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", binary]
        let refused = try Program.run("/usr/bin/setpriv", nobody + ["refresh", "--socket", daemon.socketPath])
        #expect(refused.status == 3)
        #expect(refused.error.contains("only root may call cache.refresh"))
        chmod(daemon.socketPath, 0o600)
        let denied = try Program.run("/usr/bin/setpriv", nobody + ["status", "--socket", daemon.socketPath])
        #expect(denied.status == 3)
        #expect(denied.error.contains("no permission to connect"))
    }

    @Test func watchStreamsChangesUntilTheDaemonStops() throws {
        let tree = try RecordedTree()
        let daemon = try DaemonProcess(profile: nil, cache: "revalidate-seconds = 1", probe: tree.probeConfiguration)
        let watcher = Process()
        watcher.executableURL = DaemonProcess.productsDirectory.appendingPathComponent("evmcsctl")
        watcher.arguments = ["watch", "--json", "--socket", daemon.socketPath]
        let output = Pipe()
        watcher.standardOutput = output
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        usleep(500_000)
        try tree.setParameter("nested", to: "N")
        usleep(2_500_000)
        daemon.stop()
        watcher.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(watcher.terminationStatus == 3, "the watch ends with 'daemon unreachable' when the daemon stops")
        let line = try #require(text.split(separator: "\n").first)
        let event = try JSONDecoder().decode(ProfileChangedEvent.self, from: Data(line.utf8))
        #expect(event.changes.contains { $0.path == "kvm.parameters.kvm_intel.nested" })
    }

    @Test func theDocsExampleRuns() throws {
        let daemon = try DaemonProcess()
        let noGo = try Program.run(
            "migration-agent-example",
            ["Docs/examples/skylake-5.10.46.json", "--socket", daemon.socketPath]
        )
        #expect(noGo.status == 1)
        #expect(noGo.output.contains("NO-GO (subset)"))
        #expect(noGo.output.contains("MSR(48DH).vmx-posted-intr [bit 7]"))
        let go = try Program.run(
            "migration-agent-example",
            ["Docs/examples/skylake-6.8.json", "--socket", daemon.socketPath]
        )
        #expect(go.status == 0)
        #expect(go.output.contains("GO: identical"))
    }
}
