import Glibc
import JSONRPC
import NIOPosix
import Synchronization
import Testing

extension ServerTests {
    @Suite("Blocking client")
    struct BlockingClient {
        @Test("results, typed results and server errors on one connection, against the real server")
        func calls() async throws {
            try await withTestServer { _, path in
                try await BlockingIO.run {
                    let client = try BlockingJSONRPCClient(unixSocketPath: path)
                    defer { client.close() }
                    #expect(try client.call("add", params: ["a": 2, "b": 40]) == .number(JSONNumber(42)))
                    #expect(try client.call("add", params: ["a": 1, "b": 2], as: Int.self) == 3)
                    #expect(try client.call("cached")["big"]?.number?.uint64 == 18_446_744_073_709_551_615)
                    #expect(
                        throws: JSONRPCClientError.server(
                            JSONRPCError(code: JSONRPCError.Code(rawValue: -32010), message: "Profile not ready", data: [1, 2])
                        )
                    ) { try client.call("appError") }
                    let missing = #expect(throws: JSONRPCClientError.self) { try client.call("no.such.method") }
                    #expect(missing?.code == .server)
                    #expect(missing?.serverError?.code.rawValue == -32601)
                    let undecodable = #expect(throws: JSONRPCClientError.self) { try client.call("echo", as: Int.self) }
                    #expect(undecodable?.code == .malformedResponse)
                    #expect(undecodable?.cause is DecodingError, "the decoding error is kept as the cause")
                    // Errors answered by the server leave the connection usable.
                    #expect(try client.call("echo", params: ["x/y"]) == ["x/y"])
                }
            }
        }

        @Test("skips notifications and answers to other ids until its own answer arrives")
        func skipsOtherLines() async throws {
            let server = try ScriptedServer { request in
                let id = request.contains(#""id":1,"#) ? 1 : 2
                return [
                    #"{"jsonrpc":"2.0","method":"profile.changed","params":{"n":1}}"#,
                    #"{"jsonrpc":"2.0","id":99,"result":"late"}"#,
                    #"{"jsonrpc":"2.0","id":\#(id),"result":\#(id * 10)}"#,
                ]
            }
            try await BlockingIO.run {
                let client = try BlockingJSONRPCClient(unixSocketPath: server.path)
                #expect(try client.call("first", params: [true]) == .number(JSONNumber(10)))
                #expect(try client.call("second") == .number(JSONNumber(20)))
                client.close()
                #expect(throws: JSONRPCClientError.connectionClosed) { try client.call("third") }
            }
            #expect(
                server.requests() == [
                    #"{"jsonrpc":"2.0","id":1,"method":"first","params":[true]}"#,
                    #"{"jsonrpc":"2.0","id":2,"method":"second"}"#,
                ]
            )
        }

        @Test("times out when no answer comes, and fails once the server closes")
        func timeoutAndClose() async throws {
            let server = try ScriptedServer { request in request.contains("silent") ? [] : nil }
            try await BlockingIO.run {
                let client = try BlockingJSONRPCClient(unixSocketPath: server.path)
                let started = ContinuousClock.now
                #expect(throws: JSONRPCClientError.timedOut(method: "silent")) {
                    try client.call("silent", timeout: .milliseconds(200))
                }
                let waited = started.duration(to: .now)
                #expect(waited >= .milliseconds(200) && waited < .seconds(5))
                #expect(throws: JSONRPCClientError.connectionClosed) { try client.call("close") }
                #expect(throws: JSONRPCClientError.connectionClosed) { try client.call("again") }
            }
        }

        @Test("an error for the whole connection (id null) fails the call and the connection")
        func connectionError() async throws {
            let server = try ScriptedServer { _ in
                [#"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Too many connections"}}"#]
            }
            try await BlockingIO.run {
                let client = try BlockingJSONRPCClient(unixSocketPath: server.path)
                let overloaded = JSONRPCClientError.server(
                    JSONRPCError(code: JSONRPCError.Code(rawValue: -32000), message: "Too many connections")
                )
                #expect(throws: overloaded) { try client.call("status") }
                #expect(throws: overloaded) { try client.call("status") }
            }
        }

        @Test("a missing socket is a connect failure with ENOENT")
        func connectFailure() {
            let path = uniqueSocketPath()
            #expect(throws: JSONRPCClientError.connectFailed(path: path, errno: ENOENT)) {
                try BlockingJSONRPCClient(unixSocketPath: path)
            }
        }
    }
}

/// A one-connection server on a plain socket: each request line it reads is answered with the
/// lines `respond` returns, or the connection is closed when it returns nil.
private final class ScriptedServer: Sendable {
    let path = uniqueSocketPath()
    private let received = Mutex<[String]>([])

    init(_ respond: @escaping @Sendable (String) -> [String]?) throws {
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let address = try UnixSocketAddress(path: self.path)
        guard address.withSockaddr({ bind(listener, $0, $1) }) == 0, listen(listener, 1) == 0 else {
            close(listener)
            throw SocketError(operation: "bind/listen \(self.path)", code: errno)
        }
        let path = self.path
        BlockingIO.pool.submit { [self] _ in
            defer {
                close(listener)
                unlink(path)
            }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
                guard count > 0 else { return }
                pending += chunk[0..<count]
                while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<end], as: UTF8.self)
                    pending.removeSubrange(...end)
                    self.received.withLock { $0.append(line) }
                    guard let replies = respond(line) else { return }
                    let bytes = Array(replies.map { $0 + "\n" }.joined().utf8)
                    _ = bytes.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                }
            }
        }
    }

    /// The request lines read so far.
    func requests() -> [String] { self.received.withLock { $0 } }
}
