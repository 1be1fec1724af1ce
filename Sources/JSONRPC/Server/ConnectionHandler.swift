import JSONRPCCore
import Logging
import NIOCore

/// Serves one connection on its event loop: the NIO side of a ``ConnectionSession``. It turns channel events into
/// session events and carries out the actions they return: writes (flushed once per event), held-back reads,
/// closes, and the idle and drain timers.
///
/// Writes can re-enter the handler (a flush may fire a writability change, or read the socket after a write
/// error), also while the session processes: a handler's notification is flushed at once. The session then only
/// notes that another round is due and its running pass does it; the output is always taken before it is written,
/// so bytes go out in the order they were produced.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let session: ConnectionSession
    private let logger: Logger
    private var idleCheck: Scheduled<Void>?
    private var drainDeadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    /// Creates the handler of an admitted connection.
    ///
    /// - Parameters:
    ///   - dispatcher: The server's dispatcher.
    ///   - connection: The connection's handle.
    ///   - logger: The connection's logger.
    ///   - eventLoop: The connection's event loop (asynchronous answers come back on it).
    init(dispatcher: RequestDispatcher, connection: JSONRPCConnection, logger: Logger, eventLoop: any EventLoop) {
        self.logger = logger
        let target = NIOLoopBoundBox(WeakHandler(), eventLoop: eventLoop)
        self.session = ConnectionSession(
            dispatcher: dispatcher,
            connection: connection,
            logger: logger,
            now: eventLoop.now
        ) { completion in
            eventLoop.execute { target.value.handler?.asyncCompleted(completion) }
        }
        target.value.handler = self
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.markClosed()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if let deadline = self.session.firstIdleCheck() { self.scheduleIdleCheck(context, at: deadline) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.markClosed()
        self.logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let actions = self.session.received(
            self.unwrapInboundIn(data),
            now: context.eventLoop.now,
            writable: { context.channel.isWritable }
        )
        self.perform(actions, context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let event as ChannelEvent where event == .inputClosed:
            self.perform(self.session.inputEnded(now: context.eventLoop.now, writable: { context.channel.isWritable }), context)
        case let request as DrainRequest:
            self.beginDrain(context, deadline: request.deadline)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.resume(context) }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.session.failed(error) { context.close(promise: nil) }
    }

    // MARK: - Outbound events

    func read(context: ChannelHandlerContext) {
        if self.session.readRequested(writable: context.channel.isWritable) { context.read() }
    }

    /// Notifications pushed through ``JSONRPCConnection``: appended whole to the output, in order with responses
    /// already produced. A client with more than four times the output limit unread is disconnected.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        switch self.session.notification(self.unwrapOutboundIn(data), buffered: buffered) {
        case .queued:
            promise?.succeed(())
        case .dropped:
            promise?.fail(ChannelError.ioOnClosedChannel)
        case .slowConsumer:
            promise?.fail(ChannelError.outputClosed)
            context.close(promise: nil)
        }
    }

    func flush(context: ChannelHandlerContext) {
        if let bytes = self.session.takeOutput() {
            context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil)
        } else {
            context.flush()
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let setting = event as? IdleTimeoutSetting else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if let deadline = self.session.setIdleTimeoutEnabled(setting.enabled, now: context.eventLoop.now) {
            self.scheduleIdleCheck(context, at: deadline)
        }
        promise?.succeed(())
    }

    // MARK: - Actions

    private func perform(_ actions: ConnectionSession.Actions, _ context: ChannelHandlerContext) {
        if let bytes = actions.write { context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil) }
        switch actions.close {
        case .afterWrites?: self.closeAfterWrites(context)
        case .now?: context.close(promise: nil)
        case nil: if actions.read { context.read() }
        }
    }

    fileprivate func asyncCompleted(_ completion: ConnectionSession.AsyncCompletion) {
        guard let context = self.context else { return }
        let actions = self.session.asyncCompleted(
            completion,
            now: context.eventLoop.now,
            writable: { context.channel.isWritable }
        )
        self.perform(actions, context)
    }

    private func resume(_ context: ChannelHandlerContext) {
        self.perform(self.session.resume(now: context.eventLoop.now, writable: { context.channel.isWritable }), context)
    }

    /// Closes once everything written so far has reached the socket.
    private func closeAfterWrites(_ context: ChannelHandlerContext) {
        self.idleCheck?.cancel()
        self.idleCheck = nil
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(ByteBuffer())).whenComplete { _ in channel.close(promise: nil) }
    }

    private func beginDrain(_ context: ChannelHandlerContext, deadline: NIODeadline) {
        let actions = self.session.drain(now: context.eventLoop.now, writable: { context.channel.isWritable })
        if self.session.machine.phase == .draining || actions.close != nil, self.drainDeadline == nil {
            self.drainDeadline = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
                if self.session.drainDeadlinePassed() { context.close(promise: nil) }
            }
        }
        self.perform(actions, context)
    }

    private func markClosed() {
        self.session.closed()
        self.idleCheck?.cancel()
        self.idleCheck = nil
        self.drainDeadline?.cancel()
        self.drainDeadline = nil
    }

    // MARK: - Idle timeout

    private func scheduleIdleCheck(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        self.idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.idleCheck = nil
            switch self.session.idleCheck(now: context.eventLoop.now) {
            case .checkAgain(let next): self.scheduleIdleCheck(context, at: next)
            case .close: self.closeAfterWrites(context)
            case .stop: break
            }
        }
    }
}

/// A weak reference to a handler, so the session's completion sink does not keep its handler alive.
private struct WeakHandler {
    weak var handler: ConnectionHandler?
}
