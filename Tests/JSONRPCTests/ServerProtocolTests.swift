import JSONRPC
import Logging
import Testing

/// All tests that run a real server share one serialized parent suite, so timing-sensitive ones do not compete for
/// the two cores.
@Suite("Server", .serialized)
struct ServerTests {}

extension ServerTests {
    @Suite("JSON-RPC semantics")
    struct Semantics {
        @Test("answers results with the id echoed byte for byte")
        func results() async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                try await client.sendLines([
                    #"{"jsonrpc":"2.0","method":"add","params":{"a":2,"b":3},"id":1}"#,
                    #"{"id":"a\u0041","jsonrpc":"2.0","method":"echo","params":[1]}"#,
                    #"{"jsonrpc":"2.0","method":"echo","params":{"n":18446744073709551617},"id":123456789012345678901}"#,
                    #"{"jsonrpc":"2.0","method":"echo","id":1.50}"#,
                    #"{"jsonrpc":"2.0","method":"echo","id":null}"#,
                    #"{"jsonrpc":"2.0","method":"cached","id":2}"#,
                    #"{"jsonrpc":"2.0","method":"encoded","id":3}"#,
                    #"{"jsonrpc":"2.0","method":"rpc.discover","id":4}"#,
                ])
                #expect(try await client.readLine() == #"{"jsonrpc":"2.0","id":1,"result":5}"#)
                #expect(try await client.readLine() == #"{"jsonrpc":"2.0","id":"a\u0041","result":[1]}"#)
                #expect(
                    try await client.readLine()
                        == #"{"jsonrpc":"2.0","id":123456789012345678901,"result":{"n":18446744073709551617}}"#
                )
                #expect(try await client.readLine() == #"{"jsonrpc":"2.0","id":1.50,"result":null}"#)
                #expect(try await client.readLine() == #"{"jsonrpc":"2.0","id":null,"result":null}"#)
                #expect(
                    try await client.readLine()
                        == #"{"jsonrpc":"2.0","id":2,"result":{"cached":[1,2,3],"big":18446744073709551615}}"#
                )
                #expect(
                    try await client.readLine()
                        == #"{"jsonrpc":"2.0","id":3,"result":{"alpha":"first","middle":[true,false],"zebra":1}}"#
                )
                #expect(try await client.readLine() == #"{"jsonrpc":"2.0","id":4,"result":{"openrpc":"1.3.2"}}"#)
            }
        }

        @Test(
            "maps every standard error",
            arguments: [
                (#"{"jsonrpc":"2.0","method":"echo","id":1"#, -32700, "null"),
                (#"{"jsonrpc":"2.0","method":"echo","id":1} x"#, -32700, "null"),
                (#"[1,2"#, -32700, "null"),
                (#"[]"#, -32600, "null"),
                (#"5"#, -32600, "null"),
                (#""text""#, -32600, "null"),
                (#"{"jsonrpc":"2.0","method":1,"id":3}"#, -32600, "3"),
                (#"{"jsonrpc":"1.0","method":"echo","id":4}"#, -32600, "4"),
                (#"{"method":"echo","id":5}"#, -32600, "5"),
                (#"{"jsonrpc":"2.0","method":"echo","method":"echo","id":6}"#, -32600, "6"),
                (#"{"jsonrpc":"2.0","method":"echo","params":"x","id":7}"#, -32600, "7"),
                (#"{"jsonrpc":"2.0","method":"echo","params":3,"id":7}"#, -32600, "7"),
                (#"{"jsonrpc":"2.0","method":"echo","id":{"x":1}}"#, -32600, "null"),
                (#"{"jsonrpc":"2.0","method":"echo","id":true}"#, -32600, "null"),
                (#"{"jsonrpc":"2.0","id":8}"#, -32600, "8"),
                (#"{"jsonrpc":"2.0","method":"nope","id":9}"#, -32601, "9"),
                (#"{"jsonrpc":"2.0","method":"rpc.nope","id":10}"#, -32601, "10"),
                (#"{"jsonrpc":"2.0","method":"add","params":{"a":1},"id":11}"#, -32602, "11"),
                (#"{"jsonrpc":"2.0","method":"fail","id":12}"#, -32603, "12"),
                (#"{"jsonrpc":"2.0","method":"appError","id":13}"#, -32010, "13"),
            ]
        )
        func errors(request: String, code: Int, id: String) async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                try await client.sendLines([request])
                let line = try #require(try await client.readLine())
                let response = try JSONParser().parse(line)
                #expect(response["jsonrpc"] == "2.0")
                #expect(response["result"] == nil)
                #expect(response["error"]?["code"]?.number?.int64 == Int64(code))
                #expect(response["error"]?["message"]?.string?.isEmpty == false)
                #expect(line.contains(#""id":\#(id),"#))
            }
        }

        @Test("parse errors carry the byte offset and reason")
        func parseErrorData() async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                let response = try await client.call(#"{"jsonrpc":"2.0","id":01}"#)
                #expect(response["error"]?["data"] == ["offset": 22, "reason": "leading zero in number"])
            }
        }

        @Test("invalid params name the field and the reason")
        func invalidParams() async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                let missing = try await client.call(#"{"jsonrpc":"2.0","method":"add","params":{"a":1},"id":1}"#)
                #expect(missing["error"]?["data"] == ["field": "params.b", "reason": "missing"])
                let wrongType = try await client.call(
                    #"{"jsonrpc":"2.0","method":"add","params":{"a":"1","b":2},"id":2}"#
                )
                #expect(wrongType["error"]?["data"] == ["field": "params.a", "reason": "expected integer"])
                let hex = try await client.call(
                    #"{"jsonrpc":"2.0","method":"vm","params":{"vm":{"vmx":{"0x48d":"zz"}}},"id":3}"#
                )
                #expect(hex["error"]?["code"] == -32602)
                #expect(hex["error"]?["data"] == ["field": "params.vm.vmx.0x48d", "reason": "expected hex string"])
                let good = try await client.call(
                    #"{"jsonrpc":"2.0","method":"vm","params":{"vm":{"vmx":{"0x48d":"0xff"}}},"id":4}"#
                )
                #expect(good["result"] == 1)
            }
        }

        @Test("internal errors are logged, never sent")
        func internalErrorNotLeaked() async throws {
            let logs = LogRecorder()
            try await withTestServer(logs: logs) { _, path in
                let client = try await TestClient.connect(path)
                let line = try await client.call(#"{"jsonrpc":"2.0","method":"fail","id":1}"#).serializedString
                #expect(line == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error"}}"#)
                #expect(!line.contains("hunter2"))
            }
            let entry = try #require(logs.entries.first { $0.message == "method handler failed" })
            #expect(entry.level == .error)
            #expect(entry.metadata["error"]?.description.contains("hunter2") == true)
            #expect(entry.metadata["peer.uid"] != nil)
            #expect(entry.metadata["connection.id"] != nil)
            #expect(entry.metadata["rpc.method"] == "fail")
        }

        @Test("a handler logging with context.logger says which connection and method the line is about")
        func handlersLogWithTheRequestsMetadata() async throws {
            let logs = LogRecorder()
            var methods = JSONRPCMethods.testMethods()
            methods.registerImmediate("note") { _, context in
                context.logger.info("noted")
                return .null
            }
            try await withTestServer(methods: methods, logs: logs) { _, path in
                let client = try await TestClient.connect(path)
                _ = try await client.call(#"{"jsonrpc":"2.0","method":"note","id":1}"#)
            }
            let entry = try #require(logs.entries.first { $0.message == "noted" })
            #expect(entry.metadata["rpc.method"] == "note")
            #expect(entry.metadata["connection.id"] != nil && entry.metadata["peer.uid"] != nil)
        }

        @Test("notifications get no response, not even errors")
        func notifications() async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                try await client.sendLines([
                    #"{"jsonrpc":"2.0","method":"echo","params":[1]}"#,
                    #"{"jsonrpc":"2.0","method":"nope"}"#,
                    #"{"jsonrpc":"2.0","method":"fail"}"#,
                    #"{"jsonrpc":"2.0","method":"delayedEcho","params":{"value":1}}"#,
                    "",
                    "   ",
                    #"{"jsonrpc":"2.0","method":"echo","params":["last"],"id":"last"}"#,
                ])
                #expect(try await client.readLine() == #"{"jsonrpc":"2.0","id":"last","result":["last"]}"#)
            }
        }

        @Test("batches: empty, all notifications, mixed, too large")
        func batches() async throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.maximumBatchSize = 4
            try await withTestServer(configuration: configuration) { _, path in
                let client = try await TestClient.connect(path)
                // Empty batch: one error object, not an array.
                #expect(
                    try await client.call("[]").serializedString
                        == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request","data":{"reason":"empty batch"}}}"#
                )
                // Only notifications: no output at all; the next response is the next request's.
                try await client.sendLines([
                    #"[{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"delayedEcho","params":{}}]"#,
                    #"{"jsonrpc":"2.0","method":"echo","id":"after"}"#,
                ])
                #expect(try await client.readJSON()["id"] == "after")
                // Mixed: one entry per non-notification, in order, errors for invalid elements.
                let mixed = try await client.call(
                    #"[{"jsonrpc":"2.0","method":"add","params":{"a":1,"b":2},"id":1},5,{"jsonrpc":"2.0","method":"echo"},"#
                        + #"{"jsonrpc":"2.0","method":"delayedEcho","params":{"value":"v","delayMicroseconds":2000},"id":2}]"#
                )
                guard case .array(let elements) = mixed else {
                    Issue.record("expected an array, got \(mixed)")
                    return
                }
                #expect(elements.count == 3)
                #expect(elements[0]["id"] == 1 && elements[0]["result"] == 3)
                #expect(elements[1]["id"] == .null && elements[1]["error"]?["code"] == -32600)
                #expect(elements[2]["id"] == 2 && elements[2]["result"] == "v")
                let unknown = try await client.call(#"[{"jsonrpc":"2.0","method":"nope","id":"x"}]"#)
                #expect(unknown[0]?["error"]?["code"] == -32601)
                // Too large: one -32002 error with id null.
                let tooLarge = try await client.call(
                    "["
                        + Array(repeating: #"{"jsonrpc":"2.0","method":"echo","id":1}"#, count: 5).joined(
                            separator: ","
                        ) + "]"
                )
                #expect(tooLarge["error"]?["code"] == -32002)
                #expect(tooLarge["id"] == .null)
            }
        }

        @Test("statistics count connections, requests, errors and bytes")
        func statistics() async throws {
            try await withTestServer { server, path in
                let client = try await TestClient.connect(path)
                _ = try await client.call(#"{"jsonrpc":"2.0","method":"echo","id":1}"#)
                _ = try await client.call(#"{"jsonrpc":"2.0","method":"nope","id":2}"#)
                _ = try await client.call(
                    #"[{"jsonrpc":"2.0","method":"echo","id":3},{"jsonrpc":"2.0","method":"echo","id":4}]"#
                )
                let statistics = server.statistics
                #expect(statistics.connectionsOpen == 1)
                #expect(statistics.connectionsAccepted == 1)
                #expect(statistics.requests == 4)
                #expect(statistics.errorsByCode == [.methodNotFound: 1])
                #expect(statistics.bytesIn > 100)
                #expect(statistics.bytesOut > 100)
            }
        }
    }
}
