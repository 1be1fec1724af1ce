import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import JSONRPC

/// The NIO transport's connection handler on an `EmbeddedChannel`: the clock is the embedded loop's, moved by
/// the test, so timeouts are tested at their exact deadlines without sleeping.
@Suite("Connection handler on an embedded channel")
struct ConnectionHandlerEmbeddedTests {
    /// Counts the reads that reach the head of the pipeline (the socket).
    private final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0

        func read(context: ChannelHandlerContext) {
            self.reads += 1
            context.read()
        }
    }

    /// Holds every write: nothing written ever reaches the peer, as with a client that stopped reading.
    private final class StuckWrites: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = Any

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {}
        func flush(context: ChannelHandlerContext) {}
    }

    /// After every flush, reports the channel writable again at once, as a socket that drained its buffer during
    /// the flush does: the connection handler sees that event while it is still processing.
    private final class WritableAfterFlush: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = Any

        func flush(context: ChannelHandlerContext) {
            context.flush()
            context.channel.pipeline.fireChannelWritabilityChanged()
        }
    }

    private struct Harness {
        let channel: EmbeddedChannel
        let reads: ReadCounter
        let connection: JSONRPCConnection

        init(
            headHandlers: [any ChannelHandler & Sendable] = [],
            configure: (inout JSONRPCServer.Configuration) -> Void = { _ in }
        ) throws {
            var configuration = JSONRPCServer.Configuration()
            configuration.idleTimeout = .seconds(10)
            configure(&configuration)
            var methods = JSONRPCMethods()
            methods.registerImmediate("echo") { request, _ in JSONRPCResult(request.params ?? .null) }
            methods.registerImmediate("notify") { _, context in
                context.connection.sendNotification(method: "note")
                return JSONRPCResult("notified")
            }
            let dispatcher = RequestDispatcher(
                configuration: configuration,
                methods: methods,
                statistics: StatisticsCollector()
            )
            let channel = EmbeddedChannel()
            let connection = JSONRPCConnection(
                id: 1,
                peer: JSONRPCPeerCredentials(uid: 1000, gid: 1000, pid: 1),
                transport: ChannelConnectionTransport(channel: channel)
            )
            self.reads = ReadCounter()
            for handler in headHandlers { try channel.pipeline.syncOperations.addHandler(handler) }
            try channel.pipeline.syncOperations.addHandler(self.reads)
            try channel.pipeline.syncOperations.addHandler(
                ConnectionHandler(
                    dispatcher: dispatcher,
                    connection: connection,
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                    eventLoop: channel.eventLoop
                )
            )
            try channel.connect(to: SocketAddress(unixDomainSocketPath: "/embedded")).wait()
            self.channel = channel
            self.connection = connection
        }

        func send(_ text: String) throws {
            try self.channel.writeInbound(ByteBuffer(string: text))
        }

        /// Everything written since the last call, as text.
        func written() throws -> String {
            var text = ""
            while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
                text += String(buffer: buffer)
            }
            return text
        }

        var loop: EmbeddedEventLoop { self.channel.embeddedEventLoop }
    }

    @Test("an idle connection is closed at the idle timeout, not a tick before")
    func idleTimeoutAtItsDeadline() throws {
        let harness = try Harness()
        harness.loop.advanceTime(by: .seconds(10) - .nanoseconds(1))
        #expect(harness.channel.isActive)
        harness.loop.advanceTime(by: .nanoseconds(1))
        #expect(!harness.channel.isActive)
    }

    @Test("a complete request restarts the idle period; bytes of an unfinished line do not")
    func activityIsACompleteLine() throws {
        let harness = try Harness()
        harness.loop.advanceTime(by: .seconds(4))
        try harness.send(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}"# + "\n")
        #expect(try harness.written() == #"{"jsonrpc":"2.0","id":1,"result":[1]}"# + "\n")
        harness.loop.advanceTime(by: .seconds(8))
        try harness.send(#"{"jsonrpc":"2.0","id":2,"#)  // trickled, never finished
        harness.loop.advanceTime(by: .seconds(2) - .nanoseconds(1))
        #expect(harness.channel.isActive)
        harness.loop.advanceTime(by: .nanoseconds(1))
        #expect(!harness.channel.isActive)
        #expect(try harness.written() == "")
    }

    @Test("a connection exempted from the idle timeout stays open; enabling it again starts a new period")
    func exemptionFromTheIdleTimeout() throws {
        let harness = try Harness()
        harness.connection.setIdleTimeoutEnabled(false)
        harness.loop.advanceTime(by: .hours(1))
        #expect(harness.channel.isActive)
        harness.connection.setIdleTimeoutEnabled(true)
        harness.loop.advanceTime(by: .seconds(10) - .nanoseconds(1))
        #expect(harness.channel.isActive)
        harness.loop.advanceTime(by: .nanoseconds(1))
        #expect(!harness.channel.isActive)
    }

    @Test("while the channel is not writable nothing is dispatched and reads are held; both resume together")
    func writabilityBackPressure() throws {
        let harness = try Harness()
        harness.channel.isWritable = false
        harness.channel.pipeline.fireChannelWritabilityChanged()
        try harness.send(
            #"{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}"# + "\n"
                + #"{"jsonrpc":"2.0","id":2,"method":"echo","params":[2]}"# + "\n"
        )
        let readsBefore = harness.reads.reads
        harness.channel.read()
        #expect(harness.reads.reads == readsBefore)
        #expect(try harness.written() == "")
        // Waiting lines keep the connection busy: the idle timer does not close it.
        harness.loop.advanceTime(by: .seconds(30))
        #expect(harness.channel.isActive)

        harness.channel.isWritable = true
        harness.channel.pipeline.fireChannelWritabilityChanged()
        #expect(
            try harness.written()
                == #"{"jsonrpc":"2.0","id":1,"result":[1]}"# + "\n" + #"{"jsonrpc":"2.0","id":2,"result":[2]}"# + "\n"
        )
        #expect(harness.reads.reads == readsBefore + 1)
    }

    @Test("a drain closes an idle connection at once, and a stalled one at the grace deadline")
    func drainAndItsDeadline() throws {
        let idle = try Harness()
        idle.channel.pipeline.fireUserInboundEventTriggered(DrainRequest(deadline: idle.loop.now + .seconds(5)))
        #expect(!idle.channel.isActive)

        let stalled = try Harness()
        stalled.channel.isWritable = false
        try stalled.send(#"{"jsonrpc":"2.0","id":1,"method":"echo"}"# + "\n")
        stalled.channel.pipeline.fireUserInboundEventTriggered(DrainRequest(deadline: stalled.loop.now + .seconds(5)))
        stalled.loop.advanceTime(by: .seconds(5) - .nanoseconds(1))
        #expect(stalled.channel.isActive)
        stalled.loop.advanceTime(by: .nanoseconds(1))
        #expect(!stalled.channel.isActive)
    }

    @Test("requests read while draining are answered with -32003, then the connection closes")
    func requestsWhileDraining() throws {
        let harness = try Harness()
        harness.channel.isWritable = false
        try harness.send(#"{"jsonrpc":"2.0","id":7,"method":"echo"}"# + "\n")
        harness.channel.pipeline.fireUserInboundEventTriggered(DrainRequest(deadline: harness.loop.now + .seconds(5)))
        harness.channel.isWritable = true
        harness.channel.pipeline.fireChannelWritabilityChanged()
        let written = try harness.written()
        #expect(written.contains(#""id":7"#) && written.contains("-32003"))
        #expect(!harness.channel.isActive)
    }

    @Test("an overlong line is answered with -32001 after what came before it, then the connection closes")
    func overlongLine() throws {
        let harness = try Harness { $0.maximumLineLength = 64 }
        try harness.send(
            #"{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}"# + "\n" + String(repeating: "x", count: 100)
        )
        let written = try harness.written()
        #expect(written.hasPrefix(#"{"jsonrpc":"2.0","id":1,"result":[1]}"# + "\n"))
        #expect(written.contains("-32001"))
        #expect(!harness.channel.isActive)
    }

    @Test("a notification pushed by a handler goes out in order with the responses around it")
    func notificationsInOrder() throws {
        let harness = try Harness()
        try harness.send(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}"# + "\n")
        harness.connection.sendNotification(method: "tick", params: ["n": 1])
        try harness.send(#"{"jsonrpc":"2.0","id":2,"method":"echo","params":[2]}"# + "\n")
        #expect(
            try harness.written()
                == #"{"jsonrpc":"2.0","id":1,"result":[1]}"# + "\n" + #"{"jsonrpc":"2.0","method":"tick","params":{"n":1}}"#
                + "\n" + #"{"jsonrpc":"2.0","id":2,"result":[2]}"# + "\n"
        )
    }

    @Test("the end of input answers a last line without a line feed, then closes")
    func endOfInput() throws {
        let harness = try Harness()
        try harness.send(#"{"jsonrpc":"2.0","id":3,"method":"echo","params":[3]}"#)
        #expect(try harness.written() == "")
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try harness.written() == #"{"jsonrpc":"2.0","id":3,"result":[3]}"# + "\n")
        #expect(!harness.channel.isActive)
    }

    @Test("a connection whose last writes never complete is still closed at the drain deadline")
    func drainDeadlineClosesAConnectionStuckClosing() throws {
        let harness = try Harness(headHandlers: [StuckWrites()])
        // Idle: the drain closes it after its writes, which never complete.
        harness.channel.pipeline.fireUserInboundEventTriggered(DrainRequest(deadline: harness.loop.now + .seconds(5)))
        #expect(harness.channel.isActive)
        harness.loop.advanceTime(by: .seconds(5))
        #expect(!harness.channel.isActive)
    }

    @Test("a notification whose flush reports writability while its request runs does not reorder the answers")
    func reentrantWritabilityKeepsRequestOrder() throws {
        let harness = try Harness(headHandlers: [WritableAfterFlush()])
        try harness.send(
            #"{"jsonrpc":"2.0","id":1,"method":"notify"}"# + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"echo","params":[2]}"#
                + "\n" + #"{"jsonrpc":"2.0","id":3,"method":"echo","params":[3]}"# + "\n"
        )
        let written = try harness.written()
        #expect(
            written
                == #"{"jsonrpc":"2.0","method":"note"}"# + "\n" + #"{"jsonrpc":"2.0","id":1,"result":"notified"}"# + "\n"
                + #"{"jsonrpc":"2.0","id":2,"result":[2]}"# + "\n" + #"{"jsonrpc":"2.0","id":3,"result":[3]}"# + "\n",
            "\(written)"
        )
    }
}
