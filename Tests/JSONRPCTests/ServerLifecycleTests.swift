import Glibc
import JSONRPC
import Synchronization
import Testing

extension ServerTests {
    @Suite("Lifecycle")
    struct Lifecycle {
        @Test("graceful shutdown answers every request already read, then closes and removes the socket")
        func gracefulShutdown() async throws {
            let gate = Gate()
            let path = uniqueSocketPath()
            let server = JSONRPCServer(
                address: .unixSocket(path: path),
                methods: .testMethods(gate: gate),
                logger: LogRecorder().logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (listening, signal) = AsyncStream.makeStream(of: Void.self)
                group.addTask { try await server.run { signal.finish() } }
                for await _ in listening {}
                let client = try await TestClient.connect(path)
                let batch =
                    #"[{"jsonrpc":"2.0","method":"gated","params":["b"],"id":"b"},"#
                    + #"{"jsonrpc":"2.0","method":"echo","id":"c"}]"#
                try await client.sendLines(
                    (1...5).map { #"{"jsonrpc":"2.0","method":"gated","params":[\#($0)],"id":\#($0)}"# }
                        + [#"{"jsonrpc":"2.0","method":"echo","id":6}"#, batch]
                )
                #expect(try await gate.waitUntilStarted(6))
                server.shutdown()
                // The socket file goes away as soon as the listener is closed.
                var removed = false
                for _ in 0..<5000 where !removed {
                    removed = access(path, F_OK) != 0
                    if !removed { try await Task.sleep(for: .milliseconds(1)) }
                }
                #expect(removed)
                gate.open()
                for id in 1...5 {
                    #expect(
                        try await client.readJSON() == [
                            "jsonrpc": "2.0", "id": .number(JSONNumber(id)), "result": [.number(JSONNumber(id))],
                        ]
                    )
                }
                #expect(try await client.readJSON()["id"] == 6)
                let batchResponse = try await client.readJSON()
                #expect(batchResponse[0]?["result"] == ["b"] && batchResponse[1]?["id"] == "c")
                #expect(try await client.readLine() == nil)
                try await group.waitForAll()
            }
            #expect(server.statistics.connectionsOpen == 0)
        }

        @Test("task cancellation drains too")
        func cancellation() async throws {
            let path = uniqueSocketPath()
            let server = JSONRPCServer(
                address: .unixSocket(path: path),
                methods: .testMethods(),
                logger: LogRecorder().logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (listening, signal) = AsyncStream.makeStream(of: Void.self)
                group.addTask { try await server.run { signal.finish() } }
                for await _ in listening {}
                let client = try await TestClient.connect(path)
                #expect(try await client.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)["id"] == 1)
                group.cancelAll()
                #expect(try await client.readLine() == nil)
                try await group.waitForAll()
            }
            #expect(access(path, F_OK) != 0)
        }

        @Test("a client that half-closes after sending still gets every response")
        func halfClose() async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                try await client.send(
                    #"{"jsonrpc":"2.0","method":"delayedEcho","params":{"value":1,"delayMicroseconds":3000},"id":1}"#
                        + "\n" + #"{"jsonrpc":"2.0","method":"echo","params":[2],"id":2}"# + "\n"
                        + #"{"jsonrpc":"2.0","method":"delayedEcho","params":{"value":3,"delayMicroseconds":1000},"id":3}"#
                        + "\n" + #"{"jsonrpc":"2.0","method":"echo","params":[4],"id":4}"#  // no final line feed
                )
                client.shutdownWrite()
                let lines = try await client.readToEnd()
                #expect(lines.count == 4)
                let ids = try lines.map { try JSONParser().parse($0)["id"] }
                #expect(ids == [1, 2, 3, 4])
            }
        }

        @Test("handlers can push notifications and watch the connection close")
        func serverPush() async throws {
            let subscriptions = Subscriptions()
            try await withTestServer(methods: .testMethods(subscriptions: subscriptions)) { _, path in
                let client = try await TestClient.connect(path)
                #expect(try await client.call(#"{"jsonrpc":"2.0","method":"subscribe","id":1}"#)["result"] == true)
                let connection = try #require(subscriptions.all.first)
                #expect(connection.isOpen)
                // From many threads at once: every line arrives whole.
                await withTaskGroup(of: Void.self) { group in
                    for sender in 0..<4 {
                        group.addTask {
                            for index in 0..<50 {
                                connection.sendNotification(
                                    method: "profile.changed",
                                    params: [
                                        "sender": .number(JSONNumber(sender)), "index": .number(JSONNumber(index)),
                                    ]
                                )
                            }
                        }
                    }
                }
                var lastIndex = [Int64](repeating: -1, count: 4)
                for _ in 0..<200 {
                    let notification = try await client.readJSON()
                    #expect(notification["jsonrpc"] == "2.0" && notification["method"] == "profile.changed")
                    #expect(notification["id"] == nil)
                    let sender = try #require(notification["params"]?["sender"]?.number?.int64)
                    let index = try #require(notification["params"]?["index"]?.number?.int64)
                    #expect(index == lastIndex[Int(sender)] + 1)
                    lastIndex[Int(sender)] = index
                }
                try connection.sendNotification(method: "encoded", encoding: EncodedAnswer())
                #expect(
                    try await client.readLine()
                        == #"{"jsonrpc":"2.0","method":"encoded","params":{"alpha":"first","middle":[true,false],"zebra":1}}"#
                )
                client.shutdownWrite()
                #expect(try await client.readLine() == nil)
                var closed = subscriptions.closed.makeAsyncIterator()
                #expect(await closed.next() == connection.id)
                #expect(!connection.isOpen)
            }
        }

        @Test("a subscriber that never reads is disconnected instead of buffering notifications")
        func slowConsumer() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.maximumBufferedOutputBytes = 4096
            let subscriptions = Subscriptions()
            try await withTestServer(configuration: configuration, methods: .testMethods(subscriptions: subscriptions))
            { _, path in
                let client = try await TestClient.connect(path)
                #expect(try await client.call(#"{"jsonrpc":"2.0","method":"subscribe","id":1}"#)["result"] == true)
                let connection = try #require(subscriptions.all.first)
                let payload = JSONValue.string(String(repeating: "p", count: 1024))
                for _ in 0..<20_000 where connection.isOpen {
                    connection.sendNotification(method: "profile.changed", params: [payload])
                }
                var closed = subscriptions.closed.makeAsyncIterator()
                #expect(await closed.next() == connection.id)
            }
        }

        @Test("shutdown before run makes run return at once; run twice throws")
        func runOnce() async throws {
            let early = JSONRPCServer(
                address: .unixSocket(path: uniqueSocketPath()),
                methods: JSONRPCMethods(),
                logger: LogRecorder().logger
            )
            early.shutdown()
            try await early.run()
            let error = await #expect(throws: JSONRPCServerError.self) { try await early.run() }
            #expect(error?.code == .alreadyStarted)
        }
    }
}
