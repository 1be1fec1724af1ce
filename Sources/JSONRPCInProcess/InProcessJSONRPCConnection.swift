import JSONRPCCore
import Logging
import NIOCore
import Synchronization

/// The client's end of an in-process connection: send request lines, read response and notification lines.
///
/// Lines are sent with ``send(_:)`` (a line feed ends each request, as on the socket) and come back on
/// ``lines``, one element per line, without its line feed, in the order the server wrote them. The stream ends
/// when the connection closes. Safe to use from any task.
public final class InProcessJSONRPCConnection: Sendable {
    /// The connection's number, unique within its server.
    public let id: UInt64
    /// The credentials handlers see.
    public let peer: JSONRPCPeerCredentials
    /// Every line the server writes, without its line feed; finishes when the connection closes.
    public let lines: AsyncStream<[UInt8]>

    private let continuation: AsyncStream<[UInt8]>.Continuation
    private let eventLoop: any EventLoop
    private let closePromise: EventLoopPromise<Void>
    private let state: NIOLoopBoundBox<ServingState?>
    private let open = Atomic(true)

    /// What lives on the event loop while the connection is open.
    private final class ServingState {
        let session: ConnectionSession
        var idleCheck: Scheduled<Void>?
        var drainDeadline: Scheduled<Void>?

        init(session: ConnectionSession) {
            self.session = session
        }
    }

    init(
        id: UInt64,
        peer: JSONRPCPeerCredentials,
        dispatcher: RequestDispatcher,
        logger: Logger,
        eventLoop: any EventLoop
    ) {
        self.id = id
        self.peer = peer
        (self.lines, self.continuation) = AsyncStream.makeStream(of: [UInt8].self)
        self.eventLoop = eventLoop
        self.closePromise = eventLoop.makePromise(of: Void.self)
        self.state = NIOLoopBoundBox.makeEmptyBox(valueType: ServingState.self, eventLoop: eventLoop)
        let handle = JSONRPCConnection(id: id, peer: peer, transport: Transport(connection: self))
        self.onLoop { [self] in
            let session = ConnectionSession(dispatcher: dispatcher, connection: handle, logger: logger, now: eventLoop.now) {
                completion in
                self.onLoop { self.asyncCompleted(completion) }
            }
            let serving = ServingState(session: session)
            self.state.value = serving
            if let deadline = session.firstIdleCheck() { self.scheduleIdleCheck(at: deadline) }
        }
    }

    // MARK: - Client side

    /// Sends bytes to the server, as a client writes to its socket (end each request with a line feed).
    ///
    /// - Parameter text: One or more request lines, or part of one.
    public func send(_ text: String) {
        self.send(bytes: Array(text.utf8))
    }

    /// Sends raw bytes to the server.
    ///
    /// - Parameter bytes: Request bytes.
    public func send(bytes: [UInt8]) {
        let buffer = ByteBuffer(bytes: bytes)
        self.onLoop {
            guard let session = self.state.value?.session else { return }
            self.perform(session.received(buffer, now: self.eventLoop.now, writable: { true }))
        }
    }

    /// Ends the client's input, as a half-close of the socket: what was sent is answered, then the connection
    /// closes.
    public func finishInput() {
        self.onLoop {
            guard let session = self.state.value?.session else { return }
            self.perform(session.inputEnded(now: self.eventLoop.now, writable: { true }))
        }
    }

    /// Closes the connection at once.
    public func close() {
        self.onLoop { self.finish() }
    }

    /// Waits until the connection is closed.
    public func closed() async {
        try? await self.closePromise.futureResult.get()
    }

    // MARK: - Server side

    func onClose(_ callback: @escaping @Sendable () -> Void) {
        self.closePromise.futureResult.whenComplete { _ in callback() }
    }

    func drain(deadline: NIODeadline) {
        self.onLoop {
            guard let serving = self.state.value else { return }
            let actions = serving.session.drain(now: self.eventLoop.now, writable: { true })
            if serving.drainDeadline == nil, serving.session.machine.phase == .draining {
                serving.drainDeadline = self.eventLoop.scheduleTask(deadline: deadline) {
                    if self.state.value?.session.drainDeadlinePassed() == true { self.finish() }
                }
            }
            self.perform(actions)
        }
    }

    fileprivate func pushNotification(_ line: ByteBuffer) {
        self.onLoop {
            guard let session = self.state.value?.session else { return }
            switch session.notification(line, buffered: 0) {
            case .queued: self.deliver(session.takeOutput())
            case .dropped: break
            case .slowConsumer: self.finish()
            }
        }
    }

    fileprivate func setIdleTimeoutEnabled(_ enabled: Bool) {
        self.onLoop {
            guard let session = self.state.value?.session else { return }
            if let deadline = session.setIdleTimeoutEnabled(enabled, now: self.eventLoop.now) {
                self.scheduleIdleCheck(at: deadline)
            }
        }
    }

    fileprivate var isOpen: Bool { self.open.load(ordering: .relaxed) }

    // MARK: - On the loop

    /// Runs `body` on the connection's loop: at once when already there (a handler pushing a notification while
    /// its request is processed, as on a channel), otherwise queued in order.
    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if self.eventLoop.inEventLoop {
            body()
        } else {
            self.eventLoop.execute(body)
        }
    }

    private func asyncCompleted(_ completion: ConnectionSession.AsyncCompletion) {
        guard let session = self.state.value?.session else { return }
        self.perform(session.asyncCompleted(completion, now: self.eventLoop.now, writable: { true }))
    }

    private func perform(_ actions: ConnectionSession.Actions) {
        self.deliver(actions.write)
        if actions.close != nil { self.finish() }
    }

    private func deliver(_ bytes: ByteBuffer?) {
        guard let bytes, bytes.readableBytes > 0 else { return }
        // The session writes whole lines only.
        for line in bytes.readableBytesView.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .dropLast()
        {
            self.continuation.yield(Array(line))
        }
    }

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        guard let serving = self.state.value else { return }
        serving.idleCheck = self.eventLoop.scheduleTask(deadline: deadline) {
            guard let session = self.state.value?.session else { return }
            switch session.idleCheck(now: self.eventLoop.now) {
            case .checkAgain(let next): self.scheduleIdleCheck(at: next)
            case .close: self.finish()
            case .stop: break
            }
        }
    }

    private func finish() {
        guard let serving = self.state.value else { return }
        self.state.value = nil
        self.open.store(false, ordering: .relaxed)
        serving.session.closed()
        serving.idleCheck?.cancel()
        serving.drainDeadline?.cancel()
        self.continuation.finish()
        self.closePromise.succeed(())
    }
}

/// ``JSONRPCConnection``'s operations on an in-process connection.
private struct Transport: ConnectionTransport {
    // Unowned would not be Sendable-checked; the strong reference lives as long as handlers keep the handle,
    // and the connection's state (the session, which holds the handle) is dropped when it closes.
    let connection: InProcessJSONRPCConnection

    var isOpen: Bool { self.connection.isOpen }

    func sendLine(_ line: ByteBuffer) {
        self.connection.pushNotification(line)
    }

    func onClose(_ callback: @escaping @Sendable () -> Void) {
        self.connection.onClose(callback)
    }

    func setIdleTimeoutEnabled(_ enabled: Bool) {
        self.connection.setIdleTimeoutEnabled(enabled)
    }

    func close() {
        self.connection.close()
    }
}
