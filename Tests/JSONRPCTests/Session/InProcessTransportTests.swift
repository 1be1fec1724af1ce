import EVMCSTesting
import JSONRPCInProcess
import Logging
import NIOCore
import NIOPosix
import Testing

import JSONRPC

/// The in-process transport runs the same session as the socket: order, asynchronous answers, notifications
/// and the drain behave the same, with the peer the test chooses.
@Suite("In-process transport")
struct InProcessTransportTests {
    private static func withServer(
        _ methods: JSONRPCMethods,
        _ body: (InProcessJSONRPCServer) async throws -> Void
    ) async throws {
        let server = InProcessJSONRPCServer(
            methods: methods,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            eventLoop: MultiThreadedEventLoopGroup.singleton.next()
        )
        // On a thread of its own: blocking tests elsewhere in the process may hold the cooperative pool.
        try await withTaskExecutorPreference(DedicatedExecutor.shared) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await server.run() }
                defer { group.cancelAll() }
                try await body(server)
                await server.shutdown()
            }
        }
    }

    private static func text(_ lines: inout AsyncStream<[UInt8]>.Iterator, count: Int) async -> [String] {
        var texts: [String] = []
        while texts.count < count, let line = await lines.next() { texts.append(String(decoding: line, as: UTF8.self)) }
        return texts
    }

    @Test("an asynchronous answer keeps its place ahead of the immediate answers sent after it")
    func asynchronousAnswersKeepRequestOrder() async throws {
        let gate = Gate()
        var methods = JSONRPCMethods()
        methods.registerAsync("slow") { _, _ in
            await gate.wait()
            return JSONRPCResult("slow")
        }
        methods.registerImmediate("fast") { _, _ in JSONRPCResult("fast") }
        try await Self.withServer(methods) { server in
            let connection = server.connect(peer: JSONRPCPeerCredentials(uid: 1, gid: 1, pid: 1))
            var lines = connection.lines.makeAsyncIterator()
            connection.send(
                #"{"jsonrpc":"2.0","id":1,"method":"slow"}"# + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"fast"}"# + "\n"
            )
            let started = try await gate.waitUntilStarted(1)
            #expect(started)
            gate.open()
            #expect(
                await Self.text(&lines, count: 2) == [
                    #"{"jsonrpc":"2.0","id":1,"result":"slow"}"#, #"{"jsonrpc":"2.0","id":2,"result":"fast"}"#,
                ]
            )
        }
    }

    @Test("handlers see the peer; a notification pushed while a request runs goes out before its answer")
    func peerAndNotifications() async throws {
        var methods = JSONRPCMethods()
        methods.registerImmediate("whoami") { _, context in
            context.connection.sendNotification(method: "hello", params: ["uid": .number(JSONNumber(context.peer.uid))])
            return JSONRPCResult(.number(JSONNumber(context.peer.pid)))
        }
        try await Self.withServer(methods) { server in
            let connection = server.connect(peer: JSONRPCPeerCredentials(uid: 1234, gid: 5, pid: 77))
            var lines = connection.lines.makeAsyncIterator()
            connection.send(#"{"jsonrpc":"2.0","id":1,"method":"whoami"}"# + "\n")
            #expect(
                await Self.text(&lines, count: 2) == [
                    #"{"jsonrpc":"2.0","method":"hello","params":{"uid":1234}}"#, #"{"jsonrpc":"2.0","id":1,"result":77}"#,
                ]
            )
        }
    }

    @Test("shutdown answers the running request, then closes the connection")
    func shutdownDrains() async throws {
        try await withTaskExecutorPreference(DedicatedExecutor.shared) {
            let gate = Gate()
            var methods = JSONRPCMethods()
            methods.registerAsync("slow") { _, _ in
                await gate.wait()
                return JSONRPCResult("done")
            }
            let server = InProcessJSONRPCServer(
                methods: methods,
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                eventLoop: MultiThreadedEventLoopGroup.singleton.next()
            )
            async let jobs: Void = server.run()
            let connection = server.connect(peer: JSONRPCPeerCredentials(uid: 1, gid: 1, pid: 1))
            var lines = connection.lines.makeAsyncIterator()
            connection.send(#"{"jsonrpc":"2.0","id":1,"method":"slow"}"# + "\n")
            let started = try await gate.waitUntilStarted(1)
            #expect(started)
            async let drained: Void = server.shutdown(gracePeriod: .seconds(10))
            gate.open()
            #expect(await Self.text(&lines, count: 1) == [#"{"jsonrpc":"2.0","id":1,"result":"done"}"#])
            #expect(await lines.next() == nil)
            await drained
            await jobs
            #expect(server.openConnections == 0)
        }
    }
}
