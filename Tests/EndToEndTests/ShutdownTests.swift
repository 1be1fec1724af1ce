import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM with requests in flight: every request already read is answered, systemd hears
/// STOPPING=1, and the socket file is gone when the process exits.
@Suite("Graceful shutdown, end to end")
struct ShutdownTests {
    @Test func everyRequestReadBeforeSIGTERMIsAnswered() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notify = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        let daemon = try DaemonProcess(directory: directory, environment: ["NOTIFY_SOCKET": notify.path])
        // Slow, asynchronous work: pools over a thousand copies of an example profile (a line
        // stays under the 1 MiB limit).
        let profile = try String(
            contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-5.10.json"),
            encoding: .utf8
        )
        let compact = String(
            decoding: try JSONSerialization.data(
                withJSONObject: try JSONSerialization.jsonObject(with: Data(profile.utf8))
            ),
            as: UTF8.self
        )
        let params =
            "{\"profiles\":[" + Array(repeating: compact, count: 1_000).joined(separator: ",") + "],\"evmcs\":true}"
        let clients = try (0..<4).map { _ in try daemon.client() }
        let perClient = 5
        for (index, client) in clients.enumerated() {
            for request in 0..<perClient {
                try client.send(
                    "{\"jsonrpc\":\"2.0\",\"id\":\(index * 100 + request),\"method\":\"compat.pools\",\"params\":\(params)}"
                )
            }
        }
        // Wait until the daemon has read them all, then stop it while they are in flight.
        let observer = try daemon.client()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let requests = try observer.call("daemon.status")
            let counters = requests.result?["counters"] as? [String: Any]
            if (counters?["requests"] as? Int ?? 0) >= clients.count * perClient { break }
            usleep(5_000)
        }
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
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
        try notify.wait(for: "STOPPING=1")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the socket file is removed")
    }
}
