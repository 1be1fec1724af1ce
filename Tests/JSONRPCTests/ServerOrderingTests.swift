import JSONRPC
import Synchronization
import Testing

extension ServerTests {
    @Suite("Ordering and back-pressure")
    struct Ordering {
        @Test("1,000 pipelined requests mixing immediate and async methods are answered in order")
        func pipelined() async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                var random = SplitMix64(seed: 42)
                let count = 1000
                let lines = (1...count).map { id -> String in
                    switch id % 4 {
                    case 0:
                        let delay = random.next() % 2000
                        return #"{"jsonrpc":"2.0","method":"delayedEcho","params":{"value":\#(id),"#
                            + #""delayMicroseconds":\#(delay)},"id":\#(id)}"#
                    case 1:
                        return #"[{"jsonrpc":"2.0","method":"delayedEcho","params":{"value":\#(id),"#
                            + #""delayMicroseconds":\#(random.next() % 1000)},"id":\#(id)},"#
                            + #"{"jsonrpc":"2.0","method":"echo","params":[\#(id)],"id":"b\#(id)"}]"#
                    default:
                        return #"{"jsonrpc":"2.0","method":"echo","params":[\#(id)],"id":\#(id)}"#
                    }
                }
                try await client.sendLines(lines)
                for id in 1...count {
                    let response = try await client.readJSON()
                    switch id % 4 {
                    case 0:
                        #expect(
                            response == [
                                "jsonrpc": "2.0", "id": .number(JSONNumber(id)), "result": .number(JSONNumber(id)),
                            ]
                        )
                    case 1:
                        #expect(response[0]?["id"] == .number(JSONNumber(id)))
                        #expect(response[0]?["result"] == .number(JSONNumber(id)))
                        #expect(response[1]?["id"] == .string("b\(id)"))
                    default:
                        #expect(response["id"] == .number(JSONNumber(id)))
                        #expect(response["result"] == [.number(JSONNumber(id))])
                    }
                }
            }
        }

        @Test("a flood through a small output buffer is answered exactly once each, in order")
        func floodWithWritabilityChanges() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.maximumBufferedOutputBytes = 2048
            try await withTestServer(configuration: configuration) { server, path in
                let client = try await TestClient.connect(path)
                let count = 20_000
                let lines = (1...count).map { id in
                    id % 10 == 0
                        ? #"{"jsonrpc":"2.0","method":"delayedEcho","params":{"value":\#(id)},"id":\#(id)}"#
                        : #"{"jsonrpc":"2.0","method":"echo","params":[\#(id)],"id":\#(id)}"#
                }
                async let sent: Void = client.sendLines(lines)
                for id in 1...count {
                    let line = try #require(try await client.readLine())
                    #expect(line.hasPrefix(#"{"jsonrpc":"2.0","id":\#(id),"#), "response \(id): \(line)")
                }
                try await sent
                #expect(try await client.call(#"{"jsonrpc":"2.0","method":"echo","id":"end"}"#)["id"] == "end")
                #expect(server.statistics.requests == UInt64(count) + 1)
            }
        }

        @Test("stops reading at the pending limit and resumes when responses go out")
        func pendingLimit() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.maximumPendingRequestsPerConnection = 4
            let gate = Gate()
            try await withTestServer(configuration: configuration, methods: .testMethods(gate: gate)) { server, path in
                let client = try await TestClient.connect(path)
                try await client.sendLines(
                    (1...20).map { #"{"jsonrpc":"2.0","method":"gated","params":[\#($0)],"id":\#($0)}"# }
                )
                #expect(try await gate.waitUntilStarted(4))
                // A round trip on another connection gives the server time to (wrongly) read more.
                let other = try await TestClient.connect(path)
                #expect(try await other.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
                #expect(gate.started.load(ordering: .relaxed) == 4)
                #expect(server.statistics.requests == 5)
                #expect(server.statistics.asyncRequestsInFlight == 4)
                gate.open()
                for id in 1...20 {
                    #expect(try await client.readJSON()["id"] == .number(JSONNumber(id)))
                }
            }
        }

        @Test("a client that never reads is throttled and cannot hurt others")
        func slowReader() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.maximumBufferedOutputBytes = 16 * 1024
            try await withTestServer(configuration: configuration) { server, path in
                let slow = try await TestClient.connect(path)
                let other = try await TestClient.connect(path)
                let padding = String(repeating: "x", count: 200)
                let line = #"{"jsonrpc":"2.0","method":"echo","params":["\#(padding)"],"id":1}"# + "\n"
                let chunk = Array(String(repeating: line, count: 50).utf8)
                let ping = #"{"jsonrpc":"2.0","method":"echo","id":0}"#
                // Fill the slow client's socket, then watch the server during round trips of another client. The
                // server reads on until its output to the slow client is full, then stops: the slow client's socket
                // stays full and the server's byte count grows only by the other client's requests. Without
                // back-pressure it would read (and buffer responses) without bound.
                var written = 0
                var stableWindows = 0
                var roundTrips = Duration.zero
                for _ in 0..<200 where stableWindows < 2 {
                    written += try await slow.sendUntilBlocked(chunk, limit: 64 << 20).written
                    let before = server.statistics
                    let start = ContinuousClock.now
                    for _ in 1...20 { #expect(try await other.call(ping)["id"] == 0) }
                    roundTrips = ContinuousClock.now - start
                    let after = server.statistics
                    let onlyOthers =
                        after.requests == before.requests + 20
                        && after.bytesIn == before.bytesIn + UInt64(20 * (ping.utf8.count + 1))
                    stableWindows = onlyOthers ? stableWindows + 1 : 0
                }
                let stopped = stableWindows == 2
                #expect(stopped)
                #expect(written < 4 << 20)
                #expect(roundTrips < .seconds(2))
                #expect(try await slow.sendUntilBlocked(chunk, limit: 64 << 20).written == 0)
                // Once it reads, every complete line it sent is answered.
                let expected = written / line.utf8.count
                var answered = 0
                while answered < expected, try await slow.readLine() != nil { answered += 1 }
                #expect(answered == expected)
            }
        }
    }
}
