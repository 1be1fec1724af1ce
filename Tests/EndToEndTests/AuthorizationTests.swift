import Foundation
import Testing

/// Admin methods are refused to non-admin peers, identified by SO_PEERCRED.
@Suite(
    "Authorization, end to end",
    .enabled(
        if: TestMachine.isRoot && TestMachine.hasExecutable("/usr/bin/setpriv")
            && TestMachine.hasExecutable("/usr/bin/socat"),
        "needs root, setpriv and socat to connect as nobody"
    ),
    .onBlockingThreads
)
struct AuthorizationTests {
    /// Sends `line` as user nobody with socat and returns the answer.
    func callAsNobody(_ socket: String, _ line: String) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/socat", "-t", "5", "-",
            "UNIX-CONNECT:\(socket)",
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            "no answer: \(text)"
        )
    }

    @Test func nobodyMayReadButNotRefreshOrReload() throws {
        let daemon = try DaemonProcess()
        let status = try callAsNobody(daemon.socketPath, #"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#)
        #expect(status["result"] != nil)
        for method in ["cache.refresh", "daemon.reload"] {
            let refused = try callAsNobody(daemon.socketPath, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"\(method)\"}")
            #expect(refused.errorCode == -32011, "\(method)")
            #expect(refused.errorData?["uid"] as? Int == 65534)
        }
        #expect(daemon.log.contains("refused admin method"))
        #expect(daemon.log.contains("peer.uid=65534"))
        #expect(try daemon.client().call("cache.refresh").result != nil, "root may")
    }

    @Test func membersOfTheAdminGroupMay() throws {
        let daemon = try DaemonProcess(config: "[authorization]\nadmin-group = \"nogroup\"\n")
        let refreshed = try callAsNobody(daemon.socketPath, #"{"jsonrpc":"2.0","id":2,"method":"cache.refresh"}"#)
        #expect(refreshed["result"] != nil, "nobody's primary group is nogroup: \(refreshed)")
    }
}
