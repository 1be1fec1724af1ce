import Foundation
import Testing

/// One uid cannot lock out the others: per-uid limits, slots reserved for root and the admin group, the total,
/// and reloading them. Clients run as other uids with setpriv + socat, one process per connection.
@Suite(
    "Connection limits per uid, end to end",
    .enabled(
        if: TestMachine.isRoot && TestMachine.hasExecutable("/usr/bin/setpriv")
            && TestMachine.hasExecutable("/usr/bin/socat"),
        "needs root, setpriv and socat to connect as other users"
    ),
    .onBlockingThreads
)
struct ConnectionLimitTests {
    static let status = #"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#

    /// Waits until only `client` itself is connected (the readiness check's connection is gone).
    static func waitUntilAlone(_ client: LineClient) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let counters = try client.call("daemon.status").result?["counters"] as? [String: Any]
            if counters?["connectionsOpen"] as? Int == 1 { return }
            usleep(10_000)
        }
        Issue.record("the daemon still counts other connections")
    }

    @Test func aUIDAtItsLimitStopsNeitherAnotherUIDNorRoot() throws {
        let prometheus = "/tmp/evmcsd-limits-\(UUID().uuidString.prefix(8)).prom"
        defer { try? FileManager.default.removeItem(atPath: prometheus) }
        let daemon = try DaemonProcess(
            config: """
                [limits]
                max-connections = 6
                max-connections-per-uid = 2
                reserved-connections = 2
                [exporters.prometheus]
                enabled = true
                path = "\(prometheus)"

                """
        )
        let admin = try daemon.client()
        try Self.waitUntilAlone(admin)
        // uid A (nobody) takes its two connections; its third is refused, and so is nothing else.
        let a = try (0..<2).map { _ in try PeerConnection(uid: "65534", socket: daemon.socketPath) }
        for connection in a { #expect(try connection.call(Self.status).result != nil) }
        let refusedA = try PeerConnection(uid: "65534", socket: daemon.socketPath).nextLine()
        #expect(refusedA.errorCode == -32000)
        #expect(refusedA["id"] is NSNull)
        #expect(refusedA.errorData?["reason"] as? String == "per-uid limit")
        #expect(refusedA.errorData?["uid"] as? Int == 65534)
        #expect(refusedA.errorData?["limit"] as? Int == 2)
        // uid B still gets in; then only the two reserved slots are left, for root and the admin group.
        let b = try PeerConnection(uid: "12345", socket: daemon.socketPath)
        #expect(try b.call(Self.status).result != nil)
        let refusedC = try PeerConnection(uid: "12346", socket: daemon.socketPath).nextLine()
        #expect(refusedC.errorData?["reason"] as? String == "reserved")
        #expect(refusedC.errorData?["limit"] as? Int == 4)
        let roots = try (0..<2).map { _ in try daemon.client() }
        for root in roots { #expect(try root.call("daemon.status").result != nil) }
        // The total holds for root too.
        let overTotal = try daemon.client()
        let refusedRoot = try overTotal.readJSON()
        #expect(refusedRoot.errorData?["reason"] as? String == "total limit")
        #expect(refusedRoot.errorData?["limit"] as? Int == 6)
        #expect(overTotal.isClosedByPeer())

        let status = try #require(try admin.call("daemon.status").result)
        let counters = try #require(status["counters"] as? [String: Any])
        #expect(counters["connectionsOpen"] as? Int == 6)
        #expect(counters["connectionsRejected"] as? Int == 3)
        let refused = try #require(counters["connectionsRefused"] as? [String: Int])
        #expect(refused == ["per-uid limit": 1, "reserved": 1, "total limit": 1])
        // Everyone admitted is still served.
        for connection in a + [b] { #expect(try connection.call(Self.status).result != nil) }
        #expect(try admin.call("cache.refresh").result != nil)
        let metrics = try String(contentsOfFile: prometheus, encoding: .utf8)
        for reason in ["per-uid limit", "reserved", "total limit"] {
            #expect(metrics.contains("evmcsd_connections_refused_total{reason=\"\(reason)\"} 1"), "\(metrics)")
        }
        #expect(daemon.log.contains("connection refused"))
        #expect(daemon.log.contains("reason=per-uid limit"))
    }

    @Test func theConnectionLimitsAreAppliedOnReload() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-connections-per-uid = 1\n")
        let admin = try daemon.client()
        let first = try PeerConnection(uid: "65534", socket: daemon.socketPath)
        #expect(try first.call(Self.status).result != nil)
        let refused = try PeerConnection(uid: "65534", socket: daemon.socketPath).nextLine()
        #expect(refused.errorData?["reason"] as? String == "per-uid limit")

        func rewrite(_ old: String, _ new: String) throws {
            let text = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
            try text.replacingOccurrences(of: old, with: new).write(
                toFile: daemon.configPath,
                atomically: true,
                encoding: .utf8
            )
        }
        try rewrite("max-connections-per-uid = 1", "max-connections-per-uid = 2")
        let reloaded = try #require(try admin.call("daemon.reload").result)
        #expect((reloaded["applied"] as? [String])?.contains("limits.max-connections-per-uid") == true)
        #expect((reloaded["needRestart"] as? [String])?.isEmpty == true)
        let second = try PeerConnection(uid: "65534", socket: daemon.socketPath)
        #expect(try second.call(Self.status).result != nil)
        #expect(try first.call(Self.status).result != nil)

        // A bad value keeps the running limits.
        try rewrite("max-connections-per-uid = 2", "max-connections-per-uid = 0")
        #expect(try admin.call("daemon.reload").errorCode == -32015)
        let third = try PeerConnection(uid: "65534", socket: daemon.socketPath).nextLine()
        #expect(third.errorData?["limit"] as? Int == 2)

        // Members of a reloaded admin group are no longer bound by the per-uid limit.
        try rewrite("max-connections-per-uid = 0", "max-connections-per-uid = 2\n[authorization]\nadmin-group = \"nogroup\"")
        #expect(try admin.call("daemon.reload").result != nil)
        let member = try PeerConnection(uid: "65534", socket: daemon.socketPath)
        #expect(try member.call(Self.status).result != nil)
    }
}

/// One connection to the daemon from a socat process running as `uid` (its group `uid` too, no supplementary
/// groups); the connection stays open until this object goes.
final class PeerConnection {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var pending = Data()

    init(uid: String, socket: String) throws {
        // A socat that exited early must cost an EPIPE on the write, not the test process (SIGPIPE).
        signal(SIGPIPE, SIG_IGN)
        let gid = uid == "65534" ? "nogroup" : uid
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "/usr/bin/socat", "-T", "10", "-",
            "UNIX-CONNECT:\(socket)",
        ]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Sends `line` and returns the answer.
    func call(_ line: String) throws -> [String: Any] {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        return try self.nextLine()
    }

    /// The line a refused connection gets without asking (socat would lose it if it wrote first: the write
    /// fails with EPIPE once the daemon has closed, and socat exits). Fails after 10 s without data.
    func nextLine() throws -> [String: Any] {
        while !pending.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw DaemonFailure(message: "no answer as uid; got \(pending)") }
            pending.append(chunk)
        }
        let newline = pending.firstIndex(of: 0x0A)!
        let text = pending[pending.startIndex..<newline]
        pending.removeSubrange(pending.startIndex...newline)
        return try #require(try JSONSerialization.jsonObject(with: Data(text)) as? [String: Any])
    }
}
