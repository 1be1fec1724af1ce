import NIOCore

/// The life of one connection as a value: whether it reads, answers, drains or closes, whether reading is held
/// back, and when it counts as idle. Every decision a transport makes about a connection comes from here.
///
/// It knows nothing of sockets, handlers or clocks: callers pass the time (`now`) and what they observe
/// (writability, pending requests), so every transition can be tested on its own.
package struct ConnectionStateMachine {
    /// Where the connection is in its life.
    package enum Phase: Sendable, Hashable {
        /// Reading and answering.
        case open
        /// Shutting down: no more reads; lines already received are answered with -32003, running requests finish.
        case draining
        /// A line was too long: what is queued is answered, then -32001, then the connection closes.
        case failing
        /// Closing once the last write is done.
        case closing
        /// Closed.
        case closed
    }

    /// What to do when the idle timer fires.
    package enum IdleDecision: Sendable, Hashable {
        /// Not idle long enough: check again at the deadline.
        case checkAgain(at: NIODeadline)
        /// Idle past the timeout: close once what was written has gone out.
        case close
        /// The timeout does not apply now (off, exempted, or the connection is no longer open).
        case stop
    }

    /// Where the connection is in its life.
    package private(set) var phase = Phase.open
    /// Whether the peer shut its side down (end of input); what was read is still answered.
    package private(set) var inputClosed = false
    /// Whether processing stopped with bytes (possibly complete lines) left because of back-pressure.
    package private(set) var stalled = false
    /// Whether a read was held back and is owed once back-pressure eases.
    package private(set) var readDeferred = false
    /// Whether the idle timeout applies to this connection (a subscriber is exempt).
    package private(set) var idleTimeoutEnabled = true
    /// Whether an idle check is scheduled.
    package private(set) var idleCheckScheduled = false
    /// When the last complete request line arrived (or an asynchronous answer completed).
    package private(set) var lastActivity: NIODeadline

    /// The idle timeout, `nil` for none.
    package let idleTimeout: TimeAmount?
    /// The most requests read but not answered on the wire (at least 1).
    package let pendingLimit: Int

    /// Creates the state of a connection that opened at `now`.
    ///
    /// - Parameters:
    ///   - idleTimeout: How long the connection may go without a complete request before it is closed, or `nil`.
    ///   - pendingLimit: The most requests read but not answered (values below 1 count as 1).
    ///   - now: The time the connection opened.
    package init(idleTimeout: TimeAmount?, pendingLimit: Int, now: NIODeadline) {
        self.idleTimeout = idleTimeout
        self.pendingLimit = max(1, pendingLimit)
        self.lastActivity = now
    }

    // MARK: - Reading

    /// Whether request lines are read and dispatched (open or draining).
    package var readsLines: Bool { self.phase == .open || self.phase == .draining }

    /// Whether new requests are run; a draining connection answers them with -32003.
    package var runsRequests: Bool { self.phase == .open }

    /// Whether another line may be dispatched now, with `pending` requests unanswered.
    package func mayDispatch(pending: Int, writable: Bool) -> Bool {
        self.readsLines && pending < self.pendingLimit && writable
    }

    /// Whether the transport may read more bytes now, with `pending` requests unanswered.
    package func mayRead(pending: Int, writable: Bool) -> Bool {
        self.phase == .open && !self.inputClosed && !self.stalled && pending < self.pendingLimit && writable
    }

    /// The transport asks to read: `true` to read now, `false` if the read is held back (and owed later).
    package mutating func readRequested(pending: Int, writable: Bool) -> Bool {
        if self.mayRead(pending: pending, writable: writable) { return true }
        self.readDeferred = true
        return false
    }

    /// After back-pressure eased: `true` if the held-back read is to be issued now.
    package mutating func resumeDeferredRead(pending: Int, writable: Bool) -> Bool {
        guard self.readDeferred, self.mayRead(pending: pending, writable: writable) else { return false }
        self.readDeferred = false
        return true
    }

    /// Records whether dispatching stopped with lines left over because of back-pressure.
    package mutating func setStalled(_ stalled: Bool) {
        self.stalled = stalled
    }

    /// The peer ended its input.
    package mutating func inputEnded() {
        self.inputClosed = true
    }

    /// A complete request line arrived, or an answer completed, at `now`.
    package mutating func recordActivity(at now: NIODeadline) {
        self.lastActivity = now
    }

    // MARK: - Closing

    /// A line was over the limit: the connection answers what it has, then the error, then closes.
    package mutating func lineTooLong() {
        self.phase = .failing
    }

    /// Shutdown asks the connection to drain. `false` if it was not open (nothing to do).
    package mutating func beginDrain() -> Bool {
        guard self.phase == .open else { return false }
        self.phase = .draining
        return true
    }

    /// Whether the connection is done, with `queueEmpty` telling whether every response is out: then it moves to
    /// closing and the transport closes it once its writes are done.
    package mutating func finishIfDone(queueEmpty: Bool) -> Bool {
        let done: Bool
        switch self.phase {
        case .open: done = self.inputClosed && !self.stalled && queueEmpty
        case .draining: done = !self.stalled && queueEmpty
        case .failing: done = queueEmpty
        case .closing, .closed: return false
        }
        if done { self.beginClosing() }
        return done
    }

    /// The connection is to close now (an error, a slow consumer, the drain deadline). `false` if it already is.
    package mutating func closeRequested() -> Bool {
        guard self.phase != .closed && self.phase != .closing else { return false }
        self.beginClosing()
        return true
    }

    /// The connection must close now even if it is already closing (its last write may never complete: a
    /// client that does not read). `false` only if it is closed.
    package mutating func forceClose() -> Bool {
        guard self.phase != .closed else { return false }
        self.beginClosing()
        return true
    }

    /// The transport closed the connection.
    package mutating func closed() {
        self.phase = .closed
        self.idleCheckScheduled = false
    }

    private mutating func beginClosing() {
        self.phase = .closing
        self.idleCheckScheduled = false
    }

    // MARK: - Idle timeout

    /// The first idle check once the connection is active, `nil` without a timeout.
    package mutating func firstIdleCheck() -> NIODeadline? {
        guard let idleTimeout, self.phase == .open else { return nil }
        self.idleCheckScheduled = true
        return self.lastActivity + idleTimeout
    }

    /// Turns the idle timeout on or off at `now`; returns when to schedule a check if one is needed and none is.
    package mutating func setIdleTimeoutEnabled(_ enabled: Bool, now: NIODeadline) -> NIODeadline? {
        self.idleTimeoutEnabled = enabled
        guard enabled, !self.idleCheckScheduled, let idleTimeout, self.phase == .open else { return nil }
        self.lastActivity = now
        self.idleCheckScheduled = true
        return now + idleTimeout
    }

    /// The idle timer fired at `now`; `busy` says whether requests are pending or lines wait.
    package mutating func idleCheck(now: NIODeadline, busy: Bool) -> IdleDecision {
        self.idleCheckScheduled = false
        guard self.phase == .open, self.idleTimeoutEnabled, let idleTimeout else { return .stop }
        let deadline: NIODeadline
        if busy {
            deadline = now + idleTimeout
        } else if self.lastActivity + idleTimeout > now {
            deadline = self.lastActivity + idleTimeout
        } else {
            self.beginClosing()
            return .close
        }
        self.idleCheckScheduled = true
        return .checkAgain(at: deadline)
    }
}
