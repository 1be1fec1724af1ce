import EVMCSTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Configuration as an operator meets it: reloads that fail and succeed, `--check-config`,
/// command-line flags over the file, and the exporters switched on and off.
@Suite("Configuration, reload and exporters, end to end", .onBlockingThreads)
struct ConfigurationTests {
    func append(_ text: String, to daemon: DaemonProcess) throws {
        let current = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (current + text).write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    }

    func revalidateInterval(_ daemon: DaemonProcess) throws -> Double? {
        let cache = try daemon.client().call("daemon.status").result?["cache"] as? [String: Any]
        return cache?["revalidateIntervalSeconds"] as? Double
    }

    @Test func aFailedReloadKeepsTheRunningConfigurationAndAGoodOneApplies() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notify = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        let daemon = try DaemonProcess(
            cache: "revalidate-seconds = 30",
            directory: directory,
            environment: ["NOTIFY_SOCKET": notify.path]
        )
        try notify.wait(for: "READY=1")
        let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)

        try append("[limits]\nmax-batch = 0\n", to: daemon)
        let refused = try daemon.client().call("daemon.reload")
        #expect(refused.errorCode == -32015)
        let reason = refused.errorData?["reason"] as? String ?? ""
        #expect(reason.contains("max-batch"), "the reason names the key: \(reason)")
        #expect(try revalidateInterval(daemon) == 30, "the running configuration stays")

        notify.clear()
        daemon.signal(SIGHUP)
        try notify.wait(for: "RELOADING=1")
        try notify.wait(for: "READY=1")
        #expect(daemon.log.contains("reload failed; keeping the previous configuration"))
        #expect(try daemon.client().call("host.evmcs").result != nil, "still serving")

        try original.replacingOccurrences(of: "revalidate-seconds = 30", with: "revalidate-seconds = 7")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let reloaded = try #require(try daemon.client().call("daemon.reload").result)
        #expect(reloaded["applied"] as? [String] == ["cache.revalidate-seconds"])
        #expect(try revalidateInterval(daemon) == 7)
    }

    @Test func checkConfigAcceptsTheShippedFileAndNamesTheBadKey() throws {
        let shipped = DaemonProcess.repositoryRoot.appendingPathComponent("config/evmcsd.toml").path
        let good = try Program.run("evmcsd", ["--check-config", "--config", shipped])
        #expect(good.status == 0, "\(good.error)")
        #expect(good.output.contains("/run/evmcsd/evmcsd.sock"), "prints the effective settings: \(good.output)")

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bad = scratch.appendingPathComponent("bad.toml").path
        try "[socket]\nmode = \"0660\"\nmod = \"x\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try Program.run("evmcsd", ["--check-config", "--config", bad])
        #expect(refused.status == 2)
        #expect(refused.error.contains("socket.mod"), "names the key: \(refused.error)")
    }

    @Test func commandLineFlagsWinOverTheFile() throws {
        // The generated file says socket s.sock, mode 0666, cache `cache`, debug logging, the
        // skylake-6.8 profile; the flags say otherwise for each.
        let daemon = try DaemonProcess(waitForSocket: false)
        daemon.signal(SIGKILL)
        daemon.process.wait()
        let socket = daemon.directory.appendingPathComponent("flags.sock").path
        let cache = daemon.directory.appendingPathComponent("flag-cache").path
        let profile = DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-5.10.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binary)
        process.arguments = [
            "--config", daemon.configPath, "--socket", socket, "--socket-mode", "0640", "--cache-dir", cache,
            "--profile", profile, "--log-level", "warning",
        ]
        let log = Pipe()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        var client: LineClient?
        for _ in 0..<200 where client == nil {
            client = try? LineClient(path: socket)
            if client == nil { usleep(20_000) }
        }
        let status = try #require(try client?.call("daemon.status").result)
        #expect(status["source"] as? String == "recorded \(profile)")
        #expect((status["cache"] as? [String: Any])?["file"] as? String == cache + "/profile.json")
        var info = stat()
        #expect(stat(socket, &info) == 0 && info.st_mode & 0o777 == 0o640)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the file's socket is not used")
        kill(process.processIdentifier, SIGTERM)
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!output.contains(" info "), "--log-level warning silences info lines: \(output)")
    }

    @Test func exportersWriteTheirFilesWhenEnabledAndNothingByDefault() throws {
        let plain = try DaemonProcess()
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: plain.directory.path).sorted() == [
                "cache", "evmcsd.log", "evmcsd.toml", "s.sock",
            ]
        )

        let scratch = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let prometheus = scratch.appendingPathComponent("textfile/evmcsd.prom").path
        let nfd = scratch.appendingPathComponent("features.d/evmcsd").path
        try FileManager.default.createDirectory(
            at: scratch.appendingPathComponent("textfile"),
            withIntermediateDirectories: true
        )
        try FileManager.default.createDirectory(
            at: scratch.appendingPathComponent("features.d"),
            withIntermediateDirectories: true
        )
        let daemon = try DaemonProcess(
            config: """
                [exporters.prometheus]
                enabled = true
                path = "\(prometheus)"
                [exporters.nfd]
                enabled = true
                path = "\(nfd)"

                """,
            directory: scratch
        )
        let metrics = try String(contentsOfFile: prometheus, encoding: .utf8)
        #expect(metrics.contains("evmcsd_evmcs_supported 1"), "\(metrics)")
        let labels = try String(contentsOfFile: nfd, encoding: .utf8)
        #expect(labels.contains("evmcs.kvm.x-k8s.io/supported=true"), "\(labels)")
        #expect(labels.contains("\n# +expiry-time="), "NFD expiry header: \(labels.prefix(120))")
        // Rewritten on every revalidation (the cache age moves on), atomically.
        let before = try FileManager.default.attributesOfItem(atPath: prometheus)[.modificationDate] as? Date
        usleep(1_100_000)
        #expect(try daemon.client().call("cache.refresh").result != nil)
        let after = try FileManager.default.attributesOfItem(atPath: prometheus)[.modificationDate] as? Date
        #expect(after != before)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("textfile").path)
                == ["evmcsd.prom"],
            "no temporary file is left next to the collector's files"
        )
    }
}
