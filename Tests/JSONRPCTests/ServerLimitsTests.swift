import JSONRPC
import Logging
import Testing

extension ServerTests {
    @Suite("Limits")
    struct Limits {
        @Test("an over-long line gets -32001 and EOF; other connections keep working")
        func lineTooLong() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.maximumLineLength = 1024
            try await withTestServer(configuration: configuration) { server, path in
                let other = try await TestClient.connect(path)
                let client = try await TestClient.connect(path)
                // Exactly at the limit is fine.
                let request = #"{"jsonrpc":"2.0","method":"echo","id":1}"#
                let padded = request + String(repeating: " ", count: 1024 - request.utf8.count)
                #expect(try await client.call(padded)["result"] == .null)
                // Earlier requests are still answered, then the error, then the connection closes.
                try await client.send(
                    #"{"jsonrpc":"2.0","method":"delayedEcho","params":{"value":"early","delayMicroseconds":1000},"id":2}"#
                        + "\n" + String(repeating: "x", count: 2000)
                )
                #expect(try await client.readJSON()["result"] == "early")
                let error = try await client.readJSON()
                #expect(error["id"] == .null)
                #expect(error["error"]?["code"] == -32001)
                #expect(try await client.readLine() == nil)
                #expect(try await other.call(#"{"jsonrpc":"2.0","method":"echo","id":3}"#)["id"] == 3)
                #expect(server.statistics.errorsByCode[.requestTooLarge] == 1)
            }
        }

        @Test("connections over the limit get -32000 and are closed; the others keep working")
        func tooManyConnections() async throws {
            try await withTestServer(connectionLimits: ConnectionLimitsPolicy(.init(total: 2))) { server, path in
                let first = try await TestClient.connect(path)
                let second = try await TestClient.connect(path)
                #expect(try await first.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
                #expect(try await second.call(#"{"jsonrpc":"2.0","method":"echo","id":2}"#)["id"] == 2)
                let extra = try await TestClient.connect(path)
                let error = try await extra.readJSON()
                #expect(error["error"]?["code"] == -32000)
                #expect(error["id"] == .null)
                #expect(try await extra.readLine() == nil)
                #expect(try await first.call(#"{"jsonrpc":"2.0","method":"echo","id":3}"#)["id"] == 3)
                #expect(try await second.call(#"{"jsonrpc":"2.0","method":"echo","id":4}"#)["id"] == 4)
                #expect(server.statistics.connectionsRejected == 1)
                #expect(server.statistics.connectionsOpen == 2)
            }
        }

        @Test("idle connections are closed and logged; exempted ones stay open")
        func idleTimeout() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.idleTimeout = .milliseconds(200)
            let logs = LogRecorder()
            try await withTestServer(configuration: configuration, logs: logs) { _, path in
                let subscriber = try await TestClient.connect(path)
                #expect(try await subscriber.call(#"{"jsonrpc":"2.0","method":"subscribe","id":1}"#)["result"] == true)
                let idle = try await TestClient.connect(path)
                #expect(try await idle.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
                let start = ContinuousClock.now
                #expect(try await idle.readLine() == nil)
                let elapsed = ContinuousClock.now - start
                #expect(elapsed > .milliseconds(150) && elapsed < .seconds(5))
                #expect(try await subscriber.call(#"{"jsonrpc":"2.0","method":"echo","id":2}"#)["id"] == 2)
            }
            #expect(logs.entries.contains { $0.message == "closing idle connection" && $0.level == .info })
        }

        @Test("async requests over the server-wide limit get -32000 at once")
        func asyncLimit() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.maximumPendingAsyncRequests = 2
            let gate = Gate()
            try await withTestServer(configuration: configuration, methods: .testMethods(gate: gate)) { _, path in
                let client = try await TestClient.connect(path)
                try await client.sendLines(
                    (1...3).map { #"{"jsonrpc":"2.0","method":"gated","params":[\#($0)],"id":\#($0)}"# }
                        + [#"{"jsonrpc":"2.0","method":"echo","id":4}"#]
                )
                #expect(try await gate.waitUntilStarted(2))
                gate.open()
                #expect(try await client.readJSON()["result"] == [1])
                #expect(try await client.readJSON()["result"] == [2])
                #expect(try await client.readJSON()["error"]?["code"] == -32000)
                #expect(try await client.readJSON()["id"] == 4)
            }
        }
    }
}

extension ServerTests {
    /// Blank and whitespace-only lines are a keep-alive (Docs/protocol.md): never answered, and they count as
    /// activity for the idle timeout.
    @Suite("Blank lines")
    struct BlankLines {
        @Test("blank lines get no answer and keep an idle connection open; without them it is closed")
        func blankLinesAreAKeepAlive() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.idleTimeout = .seconds(1)
            try await withTestServer(configuration: configuration) { _, path in
                let kept = try await TestClient.connect(path)
                let idle = try await TestClient.connect(path)
                for line in ["", " ", "\t", "\r", " \t \r", "", " ", "\t\t", "", " ", "", "\r"] {
                    try await kept.send(line + "\n")
                    try await Task.sleep(for: .milliseconds(250))
                }
                // Three seconds later: the first line on `kept` answers its request, nothing came before it.
                #expect(try await kept.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
                #expect(try await idle.readLine() == nil, "closed by the idle timeout")
            }
        }
    }
}
