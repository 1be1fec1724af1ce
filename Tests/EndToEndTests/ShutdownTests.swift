import EVMCSTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM with requests in flight: every request already read is answered, systemd hears
/// STOPPING=1, and the socket file is gone when the process exits.
@Suite("Graceful shutdown, end to end", .onBlockingThreads)
struct ShutdownTests {
    @Test func everyRequestReadBeforeSIGTERMIsAnswered() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notify = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        let daemon = try DaemonProcess(directory: directory, environment: ["NOTIFY_SOCKET": notify.path])
        let params = try Self.slowPoolsParams()
        let clients = try (0..<4).map { _ in try daemon.client() }
        let perClient = 5
        var observer = try RequestObserver(daemon)
        for (index, client) in clients.enumerated() {
            for request in 0..<perClient {
                try client.send(Self.poolsRequest(id: index * 100 + request, params: params))
            }
        }
        // Wait until the daemon has read them all, then stop it while they are in flight.
        try observer.waitUntilRead(clients.count * perClient)
        daemon.signal(SIGTERM)
        for (index, client) in clients.enumerated() {
            for request in 0..<perClient {
                let response = try client.readJSON(timeout: 30)
                #expect(response["id"] as? Int == index * 100 + request)
                #expect(
                    response["result"] != nil,
                    "answered, not dropped: \(response.errorCode.map(String.init) ?? "")"
                )
            }
        }
        daemon.process.wait()
        #expect(daemon.process.wait() == .exited(0))
        try notify.wait(for: "STOPPING=1")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the socket file is removed")
    }

    /// A line read before SIGTERM but not yet started (held back by `max-pending-requests`
    /// behind a running request) is answered -32003, after the running request's result.
    @Test func aRequestNotStartedBeforeSIGTERMIsAnsweredShuttingDown() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-pending-requests = 1\n")
        let params = try Self.slowPoolsParams()
        var observer = try RequestObserver(daemon)
        // Other connections keep the job threads busy, so the held-back line waits long enough.
        let busy = try (0..<6).map { _ in try daemon.client() }
        for (index, client) in busy.enumerated() { try client.send(Self.poolsRequest(id: index, params: params)) }
        let client = try daemon.client()
        try client.sendRaw(
            Array(
                (Self.poolsRequest(id: 1, params: params) + "\n"
                    + #"{"jsonrpc":"2.0","id":2,"method":"daemon.status"}"# + "\n").utf8
            )
        )
        try observer.waitUntilRead(busy.count + 1)  // the status line is read but not started
        daemon.signal(SIGTERM)
        let first = try client.readJSON(timeout: 60)
        #expect(first["id"] as? Int == 1 && first["result"] != nil, "the running request finishes: \(first)")
        let second = try client.readJSON(timeout: 60)
        #expect(second["id"] as? Int == 2)
        #expect(second.errorCode == -32003, "\(second)")
        #expect(client.isClosedByPeer(timeout: 30))
        for connection in busy { #expect(try connection.readJSON(timeout: 60)["result"] != nil) }
        daemon.process.wait()
        #expect(daemon.process.wait() == .exited(0))
    }

    /// Slow, asynchronous work: pools over a thousand copies of an example profile (a line stays
    /// under the 1 MiB limit).
    static func slowPoolsParams() throws -> String {
        let profile = try Data(
            contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-5.10.json")
        )
        let compact = String(
            decoding: try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: profile)),
            as: UTF8.self
        )
        return "{\"profiles\":[" + Array(repeating: compact, count: 1_000).joined(separator: ",") + "],\"evmcs\":true}"
    }

    static func poolsRequest(id: Int, params: String) -> String {
        "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"compat.pools\",\"params\":\(params)}"
    }
}

/// Counts the requests a daemon has started, minus the observer's own `daemon.status` calls
/// (each of which the counter includes).
struct RequestObserver {
    let client: LineClient
    let baseline: Int
    private var calls = 0

    init(_ daemon: DaemonProcess) throws {
        client = try daemon.client()
        baseline = try Self.requests(client)
    }

    mutating func waitUntilRead(_ count: Int, timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            calls += 1
            if try Self.requests(client) - baseline - calls >= count { return }
            usleep(5_000)
        }
        Issue.record("the daemon did not read \(count) requests within \(timeout) s")
    }

    private static func requests(_ client: LineClient) throws -> Int {
        let counters = try client.call("daemon.status").result?["counters"] as? [String: Any]
        return counters?["requests"] as? Int ?? 0
    }
}
