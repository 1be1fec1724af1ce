import EVMCSTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the real `evmcsd` binary on a temporary socket with a temporary configuration, as
/// systemd or an operator would, and stops it (SIGKILL as a last resort) when released.
final class DaemonProcess {
    /// The scratch directory holding the socket, the cache, the config and the log.
    let directory: URL
    let socketPath: String
    let cacheDirectory: String
    let configPath: String
    let logPath: String
    let process: ChildProcess
    private let ownsDirectory: Bool

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The directory holding the package's built products.
    static let productsDirectory: URL = {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/"
            && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("evmcsd").path)
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }()

    static var binary: String { productsDirectory.appendingPathComponent("evmcsd").path }

    /// Starts evmcsd.
    /// - Parameters:
    ///   - profile: a recorded profile to serve (relative to the repository), or `nil` for the
    ///     live probe.
    ///   - config: extra TOML sections appended to the generated configuration (not
    ///     `[socket]`, `[cache]`, `[log]` or `[probe]`, which are generated).
    ///   - cache: extra keys of the `[cache]` section.
    ///   - probe: extra keys of the `[probe]` section.
    ///   - directory: reuse this scratch directory (and its cache) instead of a new one.
    ///   - cacheDirectory: the cache directory (default: `cache` in the scratch directory).
    ///   - environment: extra environment (e.g. NOTIFY_SOCKET).
    ///   - wrapper: run evmcsd under this program (e.g. systemd-socket-activate arguments).
    ///   - socketMode: `socket.mode`.
    init(
        profile: String? = "Docs/examples/skylake-6.8.json",
        config: String = "",
        cache: String = "",
        probe: String = "",
        directory reuse: URL? = nil,
        cacheDirectory: String? = nil,
        environment: [String: String] = [:],
        wrapper: [String] = [],
        waitForSocket: Bool = true,
        socketMode: String = "0666"
    ) throws {
        ownsDirectory = reuse == nil
        directory = reuse ?? URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("s.sock").path
        self.cacheDirectory = cacheDirectory ?? directory.appendingPathComponent("cache").path
        configPath = directory.appendingPathComponent("evmcsd.toml").path
        logPath = directory.appendingPathComponent("evmcsd.log").path
        var text = """
            [socket]
            path = "\(socketPath)"
            mode = "\(socketMode)"
            [cache]
            directory = "\(self.cacheDirectory)"
            \(cache)
            [log]
            level = "debug"
            [probe]
            \(probe)

            """
        if let profile {
            text += "profile = \"\(Self.repositoryRoot.appendingPathComponent(profile).path)\"\n"
        }
        text += config
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let command = wrapper.isEmpty ? [Self.binary] : wrapper + [Self.binary]
        var environmentVariables = ProcessInfo.processInfo.environment
        environmentVariables.removeValue(forKey: "NOTIFY_SOCKET")
        environmentVariables.removeValue(forKey: "LISTEN_FDS")
        environmentVariables.removeValue(forKey: "JOURNAL_STREAM")
        environmentVariables.merge(environment) { $1 }
        process = try ChildProcess.spawn(
            command[0],
            arguments: Array(command.dropFirst()) + ["--config", configPath],
            environment: environmentVariables.map { "\($0.key)=\($0.value)" },
            outputFile: logPath
        )
        if waitForSocket { try waitUntilConnectable() }
    }

    deinit {
        process.kill()
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Waits until the daemon answers a request (a connect alone may only reach the
    /// listen backlog).
    func waitUntilConnectable(timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let client = try? LineClient(path: socketPath), (try? client.call("daemon.status")) != nil { return }
            guard process.isRunning else {
                throw DaemonFailure(message: "evmcsd ended with \(process.wait()):\n\(log)")
            }
            usleep(20_000)
        }
        throw DaemonFailure(message: "evmcsd did not accept connections within \(timeout) s:\n\(log)")
    }

    func client() throws -> LineClient { try LineClient(path: socketPath) }

    func signal(_ number: Int32) { process.signal(number) }

    /// SIGTERM, then waits for the exit (SIGKILL after `timeout`); returns how it ended.
    @discardableResult
    func stop(timeout: Double = 20) -> ChildProcess.ExitStatus {
        process.stop(timeout: timeout).status
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

struct DaemonFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Facts about the test machine.
enum TestMachine {
    static let isRoot = geteuid() == 0
    static let hasKVM = FileManager.default.isWritableFile(atPath: "/dev/kvm")
    static func hasExecutable(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
}
