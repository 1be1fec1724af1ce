import Logging
import NIOCore
import Synchronization

/// Serves one connection on its event loop: splits lines, parses, dispatches, keeps responses in request order and
/// applies back-pressure.
///
/// Immediate methods run inline and, when nothing is pending ahead of them, are encoded straight into the output
/// buffer, which is written and flushed once per read. Asynchronous methods take a slot in ``ResponseQueue``; their
/// results come back through the event loop and the queue's head is written as soon as it is complete.
///
/// Back-pressure: `read()` is not forwarded while the connection has `maximumPendingRequestsPerConnection` requests
/// unanswered on the wire, or while the channel is not writable (the client does not read), or while complete lines
/// wait in the line buffer. Reading resumes when a slot completes or the channel becomes writable again.
///
/// Writes can re-enter the handler (a flush may fire a writability change, or read the socket after a write error);
/// `processLines` therefore never nests and the output buffer is taken before it is written.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Reading and answering.
        case open
        /// Shutting down: no more reads; lines already received are answered with -32003, running requests finish.
        case draining
        /// A line was too long: what is queued is answered, then -32001, then the connection closes.
        case failing
        /// Closing once the last write is done.
        case closing
        case closed
    }

    /// What became of one request object.
    private enum Disposition {
        case answered(JSONRPCID?, Result<JSONRPCResult, JSONRPCError>)
        /// Finished without a response (a notification).
        case silent
        /// Handed to the asynchronous job queue.
        case submitted
    }

    private let environment: ServerEnvironment
    private let connection: JSONRPCConnection
    /// The connection's logger (`connection.id` and `peer.*` metadata).
    private let logger: Logger
    private let idleTimeout: TimeAmount?
    /// The most requests read but not answered on the wire (at least 1).
    private let pendingLimit: Int
    /// Four times the writability high-water mark.
    private let slowConsumerLimit: Int
    private var state = State.open
    private var inputClosed = false
    private var lines = LineBuffer()
    private var responses = ResponseQueue()
    /// Response bytes not yet handed to the channel; written and flushed at the end of each burst of work.
    private var output = ByteBuffer()
    /// Whether processing stopped with bytes (possibly complete lines) left in `lines` because of back-pressure.
    private var stalled = false
    /// Whether a `read()` was held back.
    private var readDeferred = false
    /// Whether `processLines` is running; writes can re-enter it (writability changes, reads after write errors).
    private var isProcessing = false
    /// Whether a re-entrant call asked for another pass.
    private var processAgain = false
    private var idleTimeoutEnabled = true
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    private var drainDeadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(environment: ServerEnvironment, connection: JSONRPCConnection, logger: Logger) {
        self.environment = environment
        self.connection = connection
        self.logger = logger
        self.idleTimeout = environment.configuration.idleTimeout.map(TimeAmount.init)
        self.pendingLimit = max(1, environment.configuration.maximumPendingRequestsPerConnection)
        self.slowConsumerLimit = 4 * environment.configuration.maximumBufferedOutputBytes
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
        self.lastActivity = .now()
        if let idleTimeout { self.scheduleIdleCheck(context, at: self.lastActivity + idleTimeout) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.markClosed()
        self.logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = self.unwrapInboundIn(data)
        self.environment.statistics.bytesIn.wrappingAdd(UInt64(bytes.readableBytes), ordering: .relaxed)
        guard self.state == .open || self.state == .draining else { return }
        // Activity is a complete request line (see dispatchBufferedLines), not bytes: a client
        // trickling a partial line (slowloris) is still closed by the idle timeout.
        self.lines.append(bytes)
        self.processLines(context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let event as ChannelEvent where event == .inputClosed:
            self.inputClosed = true
            self.processLines(context)
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
        self.logger.debug("connection error", metadata: ["error": "\(error)"])
        self.closeNow(context)
    }

    // MARK: - Outbound events

    func read(context: ChannelHandlerContext) {
        if self.mayRead(context) {
            context.read()
        } else {
            self.readDeferred = true
        }
    }

    /// Notifications pushed through ``JSONRPCConnection``: appended whole to the output, in order with responses
    /// already produced. A client with more than `slowConsumerLimit` bytes of unread output is disconnected.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard self.state == .open || self.state == .draining else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let line = self.unwrapOutboundIn(data)
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        guard buffered + self.output.readableBytes + line.readableBytes <= self.slowConsumerLimit else {
            self.logger.info("closing connection: client does not read its notifications")
            promise?.fail(ChannelError.outputClosed)
            self.closeNow(context)
            return
        }
        self.output.writeImmutableBuffer(line)
        promise?.succeed(())
    }

    func flush(context: ChannelHandlerContext) {
        if self.output.readableBytes > 0 {
            self.flushOutput(context)
        } else {
            context.flush()
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let setting = event as? IdleTimeoutSetting else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        self.idleTimeoutEnabled = setting.enabled
        if setting.enabled, self.idleCheck == nil, let idleTimeout, self.state == .open {
            self.lastActivity = .now()
            self.scheduleIdleCheck(context, at: self.lastActivity + idleTimeout)
        }
        promise?.succeed(())
    }

    // MARK: - Processing

    private func mayRead(_ context: ChannelHandlerContext) -> Bool {
        self.state == .open && !self.inputClosed && !self.stalled
            && self.responses.pendingRequests < self.pendingLimit
            && context.channel.isWritable
    }

    /// Answers the complete lines in the buffer until they run out or back-pressure stops it, writes the output and
    /// closes the connection if it is done. Re-entrant calls (from inside a write) only ask the running call for
    /// another pass, so lines are always dispatched, and answered, in order.
    private func processLines(_ context: ChannelHandlerContext) {
        if self.isProcessing {
            self.processAgain = true
            return
        }
        self.isProcessing = true
        repeat {
            self.processAgain = false
            self.dispatchBufferedLines(context)
            self.flushOutput(context)
        } while self.processAgain
        self.isProcessing = false
        self.finishIfDone(context)
    }

    private func dispatchBufferedLines(_ context: ChannelHandlerContext) {
        let configuration = self.environment.configuration
        let parser = self.environment.parser
        processing: while self.state == .open || self.state == .draining {
            guard self.responses.pendingRequests < self.pendingLimit,
                context.channel.isWritable
            else {
                self.stalled = !self.lines.isEmpty
                break processing
            }
            switch self.lines.next(maximumLength: configuration.maximumLineLength, parser.parse) {
            case .line(let line):
                self.lastActivity = .now()
                self.dispatch(line, context)
            case .incomplete:
                self.stalled = false
                break processing
            case .tooLong:
                self.stalled = false
                self.rejectOverlongLine(context)
                break processing
            }
        }
        if self.inputClosed, !self.stalled, self.state == .open || self.state == .draining,
            let line = self.lines.takeRemainder(parser.parse)
        {
            self.dispatch(line, context)
        }
    }

    private func dispatch(_ line: ParsedLine, _ context: ChannelHandlerContext) {
        switch line {
        case .blank:
            return
        case .failure(let error):
            self.respond(id: nil, .failure(error), context)
        case .single(let request):
            switch self.start(request, sequence: self.responses.nextSequence, part: nil, context) {
            case .answered(let id, let outcome): self.respond(id: id, outcome, context)
            case .silent: break
            case .submitted: self.responses.appendWaiting()
            }
        case .batch(let elements):
            let sequence = self.responses.nextSequence
            var parts = [ByteBuffer?](repeating: nil, count: elements.count)
            var remaining = 0
            for (index, element) in elements.enumerated() {
                switch self.start(element, sequence: sequence, part: index, context) {
                case .answered(let id, let outcome):
                    self.environment.record(outcome)
                    var buffer = context.channel.allocator.buffer(capacity: 64)
                    ResponseEncoder.writeResponse(id: id, outcome: outcome, to: &buffer)
                    parts[index] = buffer
                case .silent:
                    break
                case .submitted:
                    remaining += 1
                }
            }
            if remaining > 0 {
                self.responses.appendBatch(parts: parts, remaining: remaining)
            } else if let line = ResponseEncoder.batchLine(parts, allocator: context.channel.allocator) {
                self.enqueue(line)
            }
        }
    }

    /// Runs (or submits) one request object.
    private func start(
        _ parsed: ParsedRequest,
        sequence: UInt64,
        part: Int?,
        _ context: ChannelHandlerContext
    ) -> Disposition {
        self.environment.statistics.requests.wrappingAdd(1, ordering: .relaxed)
        let request: JSONRPCRequest
        switch parsed {
        case .invalid(let error, let id): return .answered(id, .failure(error))
        case .request(let valid): request = valid
        }
        let outcome: Result<JSONRPCResult, JSONRPCError>
        if self.state != .open {
            outcome = .failure(.shuttingDown)
        } else {
            switch self.environment.methods.implementations[request.method] {
            case nil:
                outcome = .failure(.methodNotFound(request.method))
            case .immediate(let handler):
                do {
                    outcome = .success(try handler(request, self.context(of: request)))
                } catch {
                    outcome = .failure(
                        self.environment.rpcError(from: error, logger: self.context(of: request).logger)
                    )
                }
            case .async(let handler):
                switch self.submit(handler, request: request, sequence: sequence, part: part, context) {
                case .accepted: return .submitted
                case .overloaded: outcome = .failure(.overloaded("too many pending requests"))
                case .closed: outcome = .failure(.shuttingDown)
                }
            }
        }
        return request.isNotification ? .silent : .answered(request.id, outcome)
    }

    private func context(of request: JSONRPCRequest) -> JSONRPCContext {
        JSONRPCContext(connection: self.connection, method: request.method, connectionLogger: self.logger)
    }

    private func submit(
        _ handler: @escaping JSONRPCMethods.AsyncHandler,
        request: JSONRPCRequest,
        sequence: UInt64,
        part: Int?,
        _ context: ChannelHandlerContext
    ) -> AsyncJobQueue.Submission {
        let eventLoop = context.eventLoop
        let handlerOnLoop = NIOLoopBound(self, eventLoop: eventLoop)
        let allocator = context.channel.allocator
        let environment = self.environment
        let requestContext = self.context(of: request)
        return environment.jobs.submit {
            let outcome: Result<JSONRPCResult, JSONRPCError>
            do {
                outcome = .success(try await handler(request, requestContext))
            } catch {
                outcome = .failure(environment.rpcError(from: error, logger: requestContext.logger))
            }
            var response: ByteBuffer?
            if !request.isNotification {
                environment.record(outcome)
                var buffer = allocator.buffer(capacity: 64)
                ResponseEncoder.writeResponse(id: request.id, outcome: outcome, to: &buffer)
                if part == nil { buffer.writeInteger(UInt8(ascii: "\n")) }
                response = buffer
            }
            eventLoop.execute { [response] in
                handlerOnLoop.value.asyncCompleted(sequence: sequence, part: part, response: response)
            }
        }
    }

    private func asyncCompleted(sequence: UInt64, part: Int?, response: ByteBuffer?) {
        guard let context = self.context, self.state != .closed else { return }
        self.responses.complete(
            sequence: sequence,
            part: part,
            response: response,
            allocator: context.channel.allocator
        )
        self.lastActivity = .now()
        while let ready = self.responses.popReady() {
            if let ready { self.output.writeImmutableBuffer(ready) }
        }
        self.resume(context)
    }

    /// Continues after back-pressure eased: answers waiting lines, writes, and reads again if allowed.
    private func resume(_ context: ChannelHandlerContext) {
        self.processLines(context)
        if self.readDeferred && self.mayRead(context) {
            self.readDeferred = false
            context.read()
        }
    }

    /// Sends a single response after everything queued before it.
    private func respond(
        id: JSONRPCID?,
        _ outcome: Result<JSONRPCResult, JSONRPCError>,
        _ context: ChannelHandlerContext
    ) {
        self.environment.record(outcome)
        if self.responses.isEmpty {
            ResponseEncoder.writeResponse(id: id, outcome: outcome, to: &self.output)
            self.output.writeInteger(UInt8(ascii: "\n"))
        } else {
            self.responses.appendReady(
                ResponseEncoder.responseLine(id: id, outcome: outcome, allocator: context.channel.allocator)
            )
        }
    }

    /// Sends a complete line after everything queued before it.
    private func enqueue(_ line: ByteBuffer) {
        if self.responses.isEmpty {
            self.output.writeImmutableBuffer(line)
        } else {
            self.responses.appendReady(line)
        }
    }

    /// Hands the output to the channel. The buffer is taken first: the write can re-enter this handler.
    private func flushOutput(_ context: ChannelHandlerContext) {
        guard self.output.readableBytes > 0 else { return }
        let bytes = self.output
        self.output = ByteBuffer()
        self.environment.statistics.bytesOut.wrappingAdd(UInt64(bytes.readableBytes), ordering: .relaxed)
        context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil)
    }

    // MARK: - Closing

    private func rejectOverlongLine(_ context: ChannelHandlerContext) {
        let limit = self.environment.configuration.maximumLineLength
        self.logger.info("closing connection: request line too long", metadata: ["limit.bytes": "\(limit)"])
        self.state = .failing
        self.lines.discardAll()
        self.respond(id: nil, .failure(.requestTooLarge(limit: limit)), context)
    }

    private func beginDrain(_ context: ChannelHandlerContext, deadline: NIODeadline) {
        guard self.state == .open else { return }
        self.state = .draining
        self.drainDeadline = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            guard self.state != .closed else { return }
            self.logger.info("closing connection: shutdown grace period is over")
            self.closeNow(context)
        }
        self.processLines(context)
    }

    private func finishIfDone(_ context: ChannelHandlerContext) {
        guard !self.isProcessing else { return }  // the running pass finishes
        let done: Bool
        switch self.state {
        case .open: done = self.inputClosed && !self.stalled && self.responses.isEmpty
        case .draining: done = !self.stalled && self.responses.isEmpty
        case .failing: done = self.responses.isEmpty
        case .closing, .closed: return
        }
        if done { self.closeAfterFlushing(context) }
    }

    /// Closes once everything written so far has reached the socket.
    private func closeAfterFlushing(_ context: ChannelHandlerContext) {
        self.state = .closing
        self.idleCheck?.cancel()
        self.flushOutput(context)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(ByteBuffer())).whenComplete { _ in channel.close(promise: nil) }
    }

    private func closeNow(_ context: ChannelHandlerContext) {
        guard self.state != .closed else { return }
        self.state = .closing
        context.close(promise: nil)
    }

    private func markClosed() {
        self.state = .closed
        self.idleCheck?.cancel()
        self.idleCheck = nil
        self.drainDeadline?.cancel()
        self.drainDeadline = nil
        self.lines.discardAll()
    }

    // MARK: - Idle timeout

    private func scheduleIdleCheck(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        self.idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.checkIdle(context)
        }
    }

    private func checkIdle(_ context: ChannelHandlerContext) {
        self.idleCheck = nil
        guard self.state == .open, self.idleTimeoutEnabled, let idleTimeout else { return }
        let now = NIODeadline.now()
        if !self.responses.isEmpty || self.stalled {
            self.scheduleIdleCheck(context, at: now + idleTimeout)
        } else if self.lastActivity + idleTimeout > now {
            self.scheduleIdleCheck(context, at: self.lastActivity + idleTimeout)
        } else {
            self.logger.info("closing idle connection", metadata: ["idle.timeout": "\(idleTimeout)"])
            self.closeAfterFlushing(context)
        }
    }
}
