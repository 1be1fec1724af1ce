import Logging
import NIOCore
import Synchronization

/// The JSON-RPC side of one connection, without the transport: splits the received bytes into lines, dispatches
/// them, keeps the responses in request order, applies back-pressure and decides when the connection closes.
///
/// A transport feeds it events (bytes received, end of input, writability restored, an asynchronous answer
/// completed, the idle timer, a drain) and carries out the ``Actions`` each one returns: write these bytes, read
/// again, close. Everything happens on the transport's one executor for the connection (its event loop); the
/// session is not `Sendable`.
///
/// Immediate methods run inline and, when nothing is pending ahead of them, are encoded straight into the output
/// buffer, which is handed over once per event. Asynchronous methods take a slot in ``ResponseQueue``; their
/// answers come back through ``asyncCompleted(_:now:writable:)`` and the queue's head is written as soon as it
/// is complete.
package final class ConnectionSession {
    /// What the transport does after an event.
    package struct Actions {
        /// Bytes to write and flush, in order after everything written before.
        package var write: ByteBuffer?
        /// Whether to issue the read that was held back.
        package var read = false
        /// Whether and how to close.
        package var close: Close?

        /// How a connection is closed.
        package enum Close: Sendable, Hashable {
            /// Once every byte written so far has gone out (a graceful end).
            case afterWrites
            /// At once (an error, a slow consumer, the end of the drain's grace period).
            case now
        }
    }

    /// Where the session of an asynchronous request delivers its response; hops to the connection's executor.
    package typealias CompletionSink = @Sendable (AsyncCompletion) -> Void

    /// The response of an asynchronous request, for the slot it holds.
    package struct AsyncCompletion: Sendable {
        /// The slot's sequence number.
        package var sequence: UInt64
        /// The element of a batch, `nil` for a single request.
        package var part: Int?
        /// The encoded response, `nil` for a notification.
        package var response: ByteBuffer?
    }

    /// What became of a notification pushed by a handler.
    package enum NotificationOutcome: Sendable, Hashable {
        /// Queued behind the output produced so far.
        case queued
        /// The connection is closing; the line was dropped.
        case dropped
        /// The client does not read: the connection is to be closed now.
        case slowConsumer
    }

    /// The connection's state.
    package private(set) var machine: ConnectionStateMachine
    private let dispatcher: RequestDispatcher
    private let connection: JSONRPCConnection
    private let logger: Logger
    private let completionSink: CompletionSink
    /// Four times the writability high-water mark.
    private let slowConsumerLimit: Int
    private var lines = LineBuffer()
    private var responses = ResponseQueue()
    /// Response bytes not yet handed to the transport.
    private var output = ByteBuffer()
    /// Whether ``process(now:writable:)`` is running. A handler's notification is flushed while its request is
    /// processed, and the flush can deliver a re-entrant event (writability back); that event only asks the running
    /// pass for another round, so lines are always dispatched, and answered, in order.
    private var isProcessing = false
    /// Whether a re-entrant event asked for another round.
    private var processAgain = false

    /// Creates the session of a connection that opened at `now`.
    ///
    /// - Parameters:
    ///   - dispatcher: The server's dispatcher.
    ///   - connection: The handle handlers get in their context.
    ///   - logger: The connection's logger (`connection.id` and `peer.*` metadata).
    ///   - now: The time the connection opened.
    ///   - completionSink: Delivers asynchronous answers back to ``asyncCompleted(_:now:writable:)`` on the
    ///     connection's executor.
    package init(
        dispatcher: RequestDispatcher,
        connection: JSONRPCConnection,
        logger: Logger,
        now: NIODeadline,
        completionSink: @escaping CompletionSink
    ) {
        let configuration = dispatcher.configuration
        self.machine = ConnectionStateMachine(
            idleTimeout: configuration.idleTimeout.map(TimeAmount.init),
            pendingLimit: configuration.maximumPendingRequestsPerConnection,
            now: now
        )
        self.dispatcher = dispatcher
        self.connection = connection
        self.logger = logger
        self.slowConsumerLimit = 4 * configuration.maximumBufferedOutputBytes
        self.completionSink = completionSink
    }

    /// Whether requests are pending or lines wait (the idle timer then does not count).
    private var isBusy: Bool { !self.responses.isEmpty || self.machine.stalled }

    // MARK: - Events

    /// Bytes arrived.
    package func received(_ bytes: ByteBuffer, now: NIODeadline, writable: () -> Bool) -> Actions {
        self.dispatcher.statistics.bytesIn.wrappingAdd(UInt64(bytes.readableBytes), ordering: .relaxed)
        guard self.machine.readsLines else { return Actions() }
        // Activity is a complete request line, not bytes: a client trickling a partial line (slowloris) is still
        // closed by the idle timeout.
        self.lines.append(bytes)
        return self.process(now: now, writable: writable)
    }

    /// The peer ended its input; what was read is answered, then the connection closes.
    package func inputEnded(now: NIODeadline, writable: () -> Bool) -> Actions {
        self.machine.inputEnded()
        return self.process(now: now, writable: writable)
    }

    /// The transport asks to read: `true` to read now, `false` if the read is held back by back-pressure.
    package func readRequested(writable: Bool) -> Bool {
        self.machine.readRequested(pending: self.responses.pendingRequests, writable: writable)
    }

    /// Back-pressure may have eased (the transport became writable again): answers waiting lines and reads again
    /// if allowed.
    package func resume(now: NIODeadline, writable: () -> Bool) -> Actions {
        var actions = self.process(now: now, writable: writable)
        actions.read = self.machine.resumeDeferredRead(pending: self.responses.pendingRequests, writable: writable())
        return actions
    }

    /// An asynchronous request finished.
    package func asyncCompleted(_ completion: AsyncCompletion, now: NIODeadline, writable: () -> Bool) -> Actions {
        guard self.machine.phase != .closed else { return Actions() }
        self.responses.complete(
            sequence: completion.sequence,
            part: completion.part,
            response: completion.response,
            allocator: ByteBufferAllocator()
        )
        self.machine.recordActivity(at: now)
        while let ready = self.responses.popReady() {
            if let ready { self.output.writeImmutableBuffer(ready) }
        }
        return self.resume(now: now, writable: writable)
    }

    /// A handler pushed a notification line; `buffered` is what the transport holds unsent.
    package func notification(_ line: ByteBuffer, buffered: Int) -> NotificationOutcome {
        guard self.machine.readsLines else { return .dropped }
        guard buffered + self.output.readableBytes + line.readableBytes <= self.slowConsumerLimit else {
            self.logger.info("closing connection: client does not read its notifications")
            return self.machine.closeRequested() ? .slowConsumer : .dropped
        }
        self.output.writeImmutableBuffer(line)
        return .queued
    }

    /// Shutdown: answer what was read (new requests with -32003), then close.
    package func drain(now: NIODeadline, writable: () -> Bool) -> Actions {
        guard self.machine.beginDrain() else { return Actions() }
        return self.process(now: now, writable: writable)
    }

    /// The drain's grace period is over: `true` if the connection is to be closed now.
    package func drainDeadlinePassed() -> Bool {
        guard self.machine.phase != .closed else { return false }
        self.logger.info("closing connection: shutdown grace period is over")
        return self.machine.forceClose()
    }

    /// The transport hit an error: `true` if the connection is to be closed now.
    package func failed(_ error: any Error) -> Bool {
        self.logger.debug("connection error", metadata: ["error": "\(error)"])
        return self.machine.forceClose()
    }

    /// The first idle check, once the connection is active; `nil` without an idle timeout.
    package func firstIdleCheck() -> NIODeadline? {
        self.machine.firstIdleCheck()
    }

    /// Turns the idle timeout on or off; returns when to schedule a check if one is needed.
    package func setIdleTimeoutEnabled(_ enabled: Bool, now: NIODeadline) -> NIODeadline? {
        self.machine.setIdleTimeoutEnabled(enabled, now: now)
    }

    /// The idle timer fired.
    package func idleCheck(now: NIODeadline) -> ConnectionStateMachine.IdleDecision {
        let decision = self.machine.idleCheck(now: now, busy: self.isBusy)
        if decision == .close, let idleTimeout = self.machine.idleTimeout {
            self.logger.info("closing idle connection", metadata: ["idle.timeout": "\(idleTimeout)"])
        }
        return decision
    }

    /// The transport closed the connection.
    package func closed() {
        self.machine.closed()
        self.lines.discardAll()
    }

    /// Takes the output produced so far (a notification, say) for the transport to write.
    package func takeOutput() -> ByteBuffer? {
        guard self.output.readableBytes > 0 else { return nil }
        let bytes = self.output
        self.output = ByteBuffer()
        self.dispatcher.statistics.bytesOut.wrappingAdd(UInt64(bytes.readableBytes), ordering: .relaxed)
        return bytes
    }

    // MARK: - Processing

    /// Answers the complete lines until they run out or back-pressure stops it, then says what to write and
    /// whether the connection is done.
    private func process(now: NIODeadline, writable: () -> Bool) -> Actions {
        if self.isProcessing {
            self.processAgain = true
            return Actions()
        }
        self.isProcessing = true
        repeat {
            self.processAgain = false
            self.dispatchBufferedLines(now: now, writable: writable)
        } while self.processAgain
        self.isProcessing = false
        var actions = Actions(write: self.takeOutput())
        if self.machine.finishIfDone(queueEmpty: self.responses.isEmpty) { actions.close = .afterWrites }
        return actions
    }

    private func dispatchBufferedLines(now: NIODeadline, writable: () -> Bool) {
        let maximumLength = self.dispatcher.configuration.maximumLineLength
        let parser = self.dispatcher.parser
        processing: while self.machine.readsLines {
            guard self.machine.mayDispatch(pending: self.responses.pendingRequests, writable: writable()) else {
                self.machine.setStalled(!self.lines.isEmpty)
                break processing
            }
            switch self.lines.next(maximumLength: maximumLength, parser.parse) {
            case .line(let line):
                self.machine.recordActivity(at: now)
                self.dispatch(line)
            case .incomplete:
                self.machine.setStalled(false)
                break processing
            case .tooLong:
                self.machine.setStalled(false)
                self.rejectOverlongLine()
                break processing
            }
        }
        if self.machine.inputClosed, !self.machine.stalled, self.machine.readsLines,
            let line = self.lines.takeRemainder(parser.parse)
        {
            self.dispatch(line)
        }
    }

    private func dispatch(_ line: ParsedLine) {
        switch line {
        case .blank:
            return
        case .failure(let error):
            self.respond(id: nil, .failure(error))
        case .single(let request):
            switch self.start(request, sequence: self.responses.nextSequence, part: nil) {
            case .answered(let id, let outcome): self.respond(id: id, outcome)
            case .silent: break
            case .submitted: self.responses.appendWaiting()
            }
        case .batch(let elements):
            let sequence = self.responses.nextSequence
            var parts = [ByteBuffer?](repeating: nil, count: elements.count)
            var remaining = 0
            for (index, element) in elements.enumerated() {
                switch self.start(element, sequence: sequence, part: index) {
                case .answered(let id, let outcome):
                    self.dispatcher.record(outcome)
                    var buffer = ByteBufferAllocator().buffer(capacity: 64)
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
            } else if let line = ResponseEncoder.batchLine(parts, allocator: ByteBufferAllocator()) {
                self.enqueue(line)
            }
        }
    }

    private func start(_ request: ParsedRequest, sequence: UInt64, part: Int?) -> RequestDispatcher.Disposition {
        let sink = self.completionSink
        return self.dispatcher.start(
            request,
            running: self.machine.runsRequests,
            context: { JSONRPCContext(connection: self.connection, method: $0.method, connectionLogger: self.logger) },
            terminated: part == nil
        ) { response in
            sink(AsyncCompletion(sequence: sequence, part: part, response: response))
        }
    }

    /// Sends a single response after everything queued before it.
    private func respond(id: JSONRPCID?, _ outcome: Result<JSONRPCResult, JSONRPCError>) {
        self.dispatcher.record(outcome)
        if self.responses.isEmpty {
            self.output.reserveCapacity(minimumWritableBytes: ResponseEncoder.lineLengthHint(id: id, outcome: outcome))
            ResponseEncoder.writeResponse(id: id, outcome: outcome, to: &self.output)
            self.output.writeInteger(UInt8(ascii: "\n"))
        } else {
            self.responses.appendReady(
                ResponseEncoder.responseLine(id: id, outcome: outcome, allocator: ByteBufferAllocator())
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

    private func rejectOverlongLine() {
        let limit = self.dispatcher.configuration.maximumLineLength
        self.logger.info("closing connection: request line too long", metadata: ["limit.bytes": "\(limit)"])
        self.machine.lineTooLong()
        self.lines.discardAll()
        self.respond(id: nil, .failure(.requestTooLarge(limit: limit)))
    }
}
