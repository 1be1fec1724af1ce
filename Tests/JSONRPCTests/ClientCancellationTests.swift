import JSONRPC
import Testing

/// The pipelined client gives up a call when its task is cancelled, instead of waiting out the
/// timeout; the connection keeps working for the other calls.
@Suite("Client cancellation")
struct ClientCancellationTests {
    @Test func aCancelledCallEndsWithCancelledAndTheConnectionStaysUsable() async throws {
        let gate = Gate()
        try await withTestServer(methods: .testMethods(gate: gate)) { _, path in
            let client = try await JSONRPCClient.connect(unixSocketPath: path)
            let call = Task { () -> JSONRPCClientError? in
                do {
                    _ = try await client.call("gated", params: [1], timeout: .seconds(600))
                    return nil
                } catch let error as JSONRPCClientError {
                    return error
                } catch {
                    return nil
                }
            }
            #expect(try await gate.waitUntilStarted(1), "the request reached the server")
            call.cancel()
            // Without cancellation support this waits the whole 600 s timeout and ends in timedOut.
            #expect(await call.value == .cancelled(method: "gated"))
            // The server answers in request order: the gated answer comes first and is discarded.
            gate.open()
            #expect(try await client.call("echo", params: ["still", "open"]) == ["still", "open"])
            await client.close()
        }
    }

    @Test func aCallFromACancelledTaskIsNotSent() async throws {
        try await withTestServer { server, path in
            let client = try await JSONRPCClient.connect(unixSocketPath: path)
            let before = server.statistics.requests
            let call = Task { () -> JSONRPCClientError? in
                withUnsafeCurrentTask { $0?.cancel() }
                do {
                    _ = try await client.call("echo", params: [1])
                    return nil
                } catch let error as JSONRPCClientError {
                    return error
                } catch {
                    return nil
                }
            }
            #expect(await call.value == .cancelled(method: "echo"))
            #expect(try await client.call("echo", params: [2]) == [2])
            #expect(server.statistics.requests == before + 1)
            await client.close()
        }
    }
}
