import JSONRPC
import Testing

@Suite("Request parameters")
struct RequestParamsTests {
    @Test("absent, empty object and empty array are no params", arguments: [nil, [:], []] as [JSONValue?])
    func emptyParamsAreAccepted(params: JSONValue?) throws {
        try JSONRPCRequest(method: "daemon.status", id: JSONRPCID(1), params: params).expectNoParams()
    }

    @Test("anything else is -32602 naming the method", arguments: [["a": 1], [0], [[:]]] as [JSONValue])
    func paramsAreRejected(params: JSONValue) {
        #expect {
            try JSONRPCRequest(method: "daemon.status", id: JSONRPCID(1), params: params).expectNoParams()
        } throws: { error in
            guard let error = error as? JSONRPCError else { return false }
            return error.code.rawValue == -32602
                && error.data == ["field": "params", "reason": "daemon.status takes no params"]
        }
    }
}
