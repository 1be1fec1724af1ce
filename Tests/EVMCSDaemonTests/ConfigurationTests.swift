import Foundation
import Logging
import Testing

@testable import EVMCSDaemon

@Suite("Configuration")
struct ConfigurationTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let base = DaemonConfiguration.defaults(uid: 0, environment: [:])

    @Test func defaultsFollowTheUserAndSystemd() {
        #expect(base.socketPath == "/run/evmcsd/evmcsd.sock")
        #expect(base.cacheDirectory == "/var/cache/evmcsd")
        let user = DaemonConfiguration.defaults(
            uid: 1000,
            environment: ["XDG_RUNTIME_DIR": "/run/user/1000", "HOME": "/home/a"]
        )
        #expect(user.socketPath == "/run/user/1000/evmcsd/evmcsd.sock")
        #expect(user.cacheDirectory == "/home/a/.cache/evmcsd")
        let bare = DaemonConfiguration.defaults(uid: 1000, environment: [:])
        #expect(bare.socketPath == "/tmp/evmcsd-1000/evmcsd.sock")
        let systemd = DaemonConfiguration.defaults(
            uid: 61234,
            environment: ["RUNTIME_DIRECTORY": "/run/evmcsd", "CACHE_DIRECTORY": "/var/cache/evmcsd"]
        )
        #expect(systemd.socketPath == "/run/evmcsd/evmcsd.sock")
        #expect(systemd.cacheDirectory == "/var/cache/evmcsd")
    }

    @Test func theShippedFileParsesAndDocumentsEveryKey() throws {
        let text = try String(
            contentsOf: Self.repositoryRoot.appendingPathComponent("config/evmcsd.toml"),
            encoding: .utf8
        )
        let parsed = try ConfigurationLoader.apply(text, source: "config/evmcsd.toml", to: base)
        #expect(parsed == base, "the shipped file states the defaults")
        for (section, keys) in ConfigurationLoader.keys {
            #expect(text.contains("[\(section)]"), "section [\(section)] is documented")
            for key in keys {
                #expect(text.contains("\n\(key) =") || text.contains("\n# \(key) ="), "\(section).\(key) is documented")
            }
        }
    }

    @Test func everyKeyIsApplied() throws {
        let text = """
            [socket]
            path = "/tmp/x.sock"
            mode = 0o600
            [authorization]
            admin-group = "root"
            [cache]
            directory = "/tmp/c"
            revalidate-seconds = 5
            history-size = 3
            [probe]
            device = "/tmp/kvm"
            sysfs-root = "/tmp/sys"
            procfs-root = "/tmp/proc"
            profile = "/tmp/p.json"
            [limits]
            max-line-bytes = 2048
            max-batch = 2
            max-connections = 9
            idle-timeout-seconds = 7
            max-pending-requests = 4
            [log]
            level = "DEBUG"
            [exporters.prometheus]
            enabled = true
            [exporters.nfd]
            enabled = true
            path = "/tmp/nfd"
            expiry-seconds = 120
            """
        let c = try ConfigurationLoader.apply(text, source: "t", to: base)
        #expect(c.socketPath == "/tmp/x.sock" && c.socketMode == 0o600)
        #expect(c.adminGroup == "root")
        #expect(c.cacheDirectory == "/tmp/c" && c.revalidateInterval == .seconds(5) && c.historySize == 3)
        #expect(
            c.devicePath == "/tmp/kvm" && c.sysfsRoot == "/tmp/sys" && c.procfsRoot == "/tmp/proc"
                && c.profileFile == "/tmp/p.json"
        )
        #expect(c.limits.maxLineBytes == 2048 && c.limits.maxBatch == 2 && c.limits.maxConnections == 9)
        #expect(c.limits.idleTimeout == .seconds(7) && c.limits.maxPendingRequests == 4)
        #expect(c.logLevel == .debug)
        #expect(c.prometheusFile == "/var/lib/prometheus/node-exporter/evmcsd.prom")
        #expect(c.nfdFile == "/tmp/nfd" && c.nfdExpiry == .seconds(120))
    }

    @Test(arguments: [
        ("[socket]\npath = \"relative.sock\"\n", "socket.path", "absolute path", ConfigurationError.Code.invalidValue),
        ("[socket]\nmode = \"999\"\n", "socket.mode", "octal file mode", .invalidValue),
        ("[socket]\ncolour = 1\n", "socket.colour", "unknown key", .unknownKey),
        ("[sockets]\n", "sockets", "unknown section", .unknownKey),
        ("[limits]\nmax-batch = 0\n", "limits.max-batch", "between 1 and 10000", .invalidValue),
        ("[limits]\nmax-batch = \"4\"\n", "limits.max-batch", "expected an integer", .invalidValue),
        ("[log]\nlevel = \"loud\"\n", "log.level", "unknown level", .invalidValue),
        ("[exporters.snmp]\nenabled = true\n", "exporters.snmp", "unknown exporter", .unknownKey),
        ("[exporters.nfd]\nenabled = \"yes\"\n", "exporters.nfd.enabled", "true or false", .invalidValue),
        ("socket = 1\n", "socket", "expected a [socket] section", .unknownKey),
        ("[socket\n", "", "not valid TOML at line 1", .syntax),
    ])
    func badFilesNameTheKey(text: String, key: String, message: String, code: ConfigurationError.Code) {
        do {
            _ = try ConfigurationLoader.apply(text, source: "bad.toml", to: base)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.code == code)
            // A syntax error carries the TOML parser's error; the others have no underlying error.
            #expect((error.cause != nil) == (code == .syntax))
            #expect(error.key == key)
            #expect(error.message.contains(message), "\(error)")
            #expect(error.description.hasPrefix("bad.toml: "))
        }
    }

    @Test("--socket-mode and --log-level are read as the file's socket.mode and log.level, with the same errors")
    func commandLineValuesReadAsTheFileDoes() throws {
        #expect(try ConfigurationSource.Overrides.socketMode(commandLine: "0640") == 0o640)
        #expect(try ConfigurationSource.Overrides.logLevel(commandLine: "WARNING") == .warning)
        #expect {
            _ = try ConfigurationSource.Overrides.socketMode(commandLine: "999")
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.code == .invalidValue && error?.key == "--socket-mode"
                && error?.description == #"command line: --socket-mode: expected an octal file mode such as "0660""#
        }
        #expect {
            _ = try ConfigurationSource.Overrides.logLevel(commandLine: "loud")
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.code == .invalidValue && error?.key == "--log-level"
                && error?.message.contains(#"unknown level "loud" (trace, debug"#) == true
        }
    }

    @Test func sourceLayersFileAndFlagsAndValidatesGroups() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("e.toml")
        try "[socket]\npath = \"/tmp/file.sock\"\n[log]\nlevel = \"error\"\n".write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        var source = ConfigurationSource(file: file.path, environment: [:])
        source.overrides.logLevel = .trace
        let loaded = try source.load()
        #expect(loaded.socketPath == "/tmp/file.sock")
        #expect(loaded.logLevel == .trace, "flags override the file")
        source.file = directory.appendingPathComponent("missing.toml").path
        #expect(throws: ConfigurationError.self) { try source.load() }
        try "[authorization]\nadmin-group = \"no-such-group-evmcsd\"\n".write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        source.file = file.path
        #expect(throws: ConfigurationError.self) { try source.load() }
        source.file = nil
        source.environment = ["RUNTIME_DIRECTORY": "/run/x"]
        #expect(try source.load().socketPath.hasPrefix("/run/"), "no default file is fine")
    }

    @Test(arguments: [("0660", UInt32(0o660)), ("660", 0o660), ("0o600", 0o600), ("0777", 0o777)])
    func fileModesParse(text: String, mode: UInt32) {
        #expect(FileMode.parse(text) == mode)
        #expect(FileMode.parse(FileMode.format(mode)) == mode)
    }

    @Test(arguments: ["", "0999", "1777", "rw-rw----", "06600"])
    func badFileModesDoNot(text: String) {
        #expect(FileMode.parse(text) == nil)
    }
}
