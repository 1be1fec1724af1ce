import JSONRPC
import Logging
import NIOCore

/// Runs a real server on a fresh socket path for the duration of `body`, then shuts it down gracefully and waits for
/// `run()` to return.
func withTestServer(
    configuration: JSONRPCServer.Configuration = JSONRPCServer.Configuration(),
    methods: JSONRPCMethods = .testMethods(),
    address: JSONRPCServer.Address? = nil,
    connectionLimits: ConnectionLimitsPolicy = ConnectionLimitsPolicy(.init()),
    logs: LogRecorder = LogRecorder(),
    _ body: (_ server: JSONRPCServer, _ path: String) async throws -> Void
) async throws {
    let path = uniqueSocketPath()
    let server = JSONRPCServer(
        address: address ?? .unixSocket(path: path),
        configuration: configuration,
        methods: methods,
        logger: logs.logger,
        connectionLimits: connectionLimits
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        let (listening, signal) = AsyncStream.makeStream(of: Void.self)
        group.addTask {
            defer { signal.finish() }
            try await server.run { signal.yield() }
        }
        var iterator = listening.makeAsyncIterator()
        guard await iterator.next() != nil else {
            try await group.waitForAll()  // run() returned early: surface its error
            return
        }
        do {
            try await body(server, path)
        } catch {
            server.shutdown()
            try? await group.waitForAll()
            throw error
        }
        server.shutdown()
        try await group.waitForAll()
    }
}
