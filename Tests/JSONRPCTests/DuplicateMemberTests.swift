import JSONRPC
import Testing

/// A member name twice in one object is refused at every level, with its path: -32600 in the request object
/// (id null when `id` itself is repeated), -32602 inside `params`.
@Suite("Duplicate member names")
struct DuplicateMemberTests {
    @Test(
        "the path of the first duplicate, anywhere in a value",
        arguments: [
            (#"{"a":1,"a":2}"#, ["a"]),
            (#"{"a":{"b":[{"c":1},{"c":1,"d":{"e":0,"e":0}}]}}"#, ["a", "b", "1", "d", "e"]),
            (#"[[],[{"x":1,"y":{"x":2}}],{"k":1,"k":1}]"#, ["2", "k"]),
            (#"{"a":{"x":1},"b":{"x":1}}"#, nil),
            (#"{"":1,"":2}"#, [""]),
        ] as [(String, [String]?)]
    )
    func firstDuplicate(text: String, path: [String]?) throws {
        #expect(try JSONParser().parse(text).firstDuplicateMember?.path == path)
    }

    @Test("decodeParams refuses a duplicate in params with -32602 and the field, instead of keeping one value")
    func paramsDuplicates() throws {
        struct View: Decodable { var view: String? }
        let cases: [(String, String)] = [
            (#"{"view":"guest","view":"system"}"#, "params.view"),
            (#"{"view":"guest","vm":{"vmx":{"0x48d":"1","0x48d":"2"}}}"#, "params.vm.vmx.0x48d"),
        ]
        for (params, field) in cases {
            let request = JSONRPCRequest(method: "m", id: JSONRPCID(1), params: try JSONParser().parse(params))
            #expect {
                _ = try request.decodeParams(View.self)
            } throws: { error in
                guard let error = error as? JSONRPCError else { return false }
                let key = field.split(separator: ".").last.map(String.init) ?? ""
                return error.code == .invalidParams
                    && error.data == ["field": .string(field), "reason": .string("duplicate member \"\(key)\"")]
            }
        }
    }
}

extension ServerTests {
    @Suite("Duplicate members on the wire")
    struct DuplicateMembersOnTheWire {
        @Test(
            "the server answers each level with its error, path and id",
            arguments: [
                // A repeated id: which one to echo is ambiguous, so none is.
                (#"{"jsonrpc":"2.0","id":1,"method":"echo","id":2}"#, -32600, "null", "id"),
                (#"{"jsonrpc":"2.0","id":3,"method":"echo","method":"add"}"#, -32600, "3", "method"),
                (#"{"jsonrpc":"2.0","jsonrpc":"2.0","id":4,"method":"echo"}"#, -32600, "4", "jsonrpc"),
                // Names are compared unescaped: \u0069d is id, \u006dethod is method.
                (#"{"jsonrpc":"2.0","id":1,"method":"echo","\u0069d":2}"#, -32600, "null", "id"),
                (#"{"jsonrpc":"2.0","id":9,"\u006dethod":"echo","method":"add"}"#, -32600, "9", "method"),
                (#"{"jsonrpc":"2.0","id":10,"method":"echo","x\u0079":1,"xy":2}"#, -32600, "10", "xy"),
                (#"{"jsonrpc":"2.0","id":5,"method":"echo","extra":{"a":[{"b":1,"b":2}]}}"#, -32600, "5", "extra.a.0.b"),
                (#"[{"jsonrpc":"2.0","id":6,"id":6,"method":"echo"}]"#, -32600, "null", "id"),
                (#"{"jsonrpc":"2.0","id":7,"method":"add","params":{"a":1,"b":2,"a":3}}"#, -32602, "7", "params.a"),
                (#"{"jsonrpc":"2.0","id":8,"method":"vm","params":{"vm":{"vmx":{"x":"1","x":"1"}}}}"#, -32602, "8",
                 "params.vm.vmx.x"),
            ] as [(String, Int, String, String)]
        )
        func serverAnswers(request: String, code: Int, id: String, field: String) async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                try await client.sendLines([request])
                let line = try #require(try await client.readLine())
                var response = try JSONParser().parse(line)
                if case .array(let elements) = response, let only = elements.first { response = only }
                #expect(response["error"]?["code"] == .number(JSONNumber(code)), "\(line)")
                #expect(response["error"]?["data"]?["field"] == .string(field), "\(line)")
                #expect(response["error"]?["data"]?["reason"]?.string?.hasPrefix("duplicate member") == true)
                #expect(response["id"].map { String(decoding: $0.serialized(), as: UTF8.self) } == id)
            }
        }

        @Test("a request whose member names and version are written with escapes is the same request")
        func escapedNames() async throws {
            try await withTestServer { _, path in
                let client = try await TestClient.connect(path)
                try await client.sendLines([#"{"\u006asonrpc":"2\u002e0","\u0069d":11,"m\u0065thod":"echo","params":[1]}"#])
                let line = try #require(try await client.readLine())
                let response = try JSONParser().parse(line)
                #expect(response["error"] == nil, "\(line)")
                #expect(response["id"] == .number(JSONNumber(11)), "\(line)")
                #expect(response["result"] == [1], "\(line)")
            }
        }
    }
}
