import NIOCore
import Synchronization

/// The open connections: admission under ``JSONRPCServer/ConnectionLimits`` in the order the listener accepted
/// them, and the set of channels to drain on shutdown.
///
/// Accepted connections are set up on several event loops at once, so their admissions would otherwise be
/// decided in whatever order the loops get to them, and near a limit a later connection could take the slot
/// of an earlier one (acceptance and refusal interleaved). The listener therefore gives every connection a
/// ticket as it accepts it (``issueTicket(_:)``, on the listener's loop, in accept order); a connection whose
/// credentials are known (``arrive(_:peer:)``) is decided only once every earlier ticket is decided or gone.
final class ConnectionRegistry: Sendable {
    enum Admission: Sendable {
        case admitted
        case refused(JSONRPCServer.ConnectionLimits.Refusal, limit: Int)
        case draining
        /// The connection closed before it was decided.
        case gone
    }

    private enum Slot {
        /// Accepted, credentials not read yet.
        case ticketed(UInt64)
        /// Credentials read, waiting for the connections accepted before it.
        case waiting(UInt64)
        /// Admitted and counted.
        case open(uid: UInt32)
    }

    private struct Arrival {
        var key: ObjectIdentifier
        var channel: any Channel
        var peer: JSONRPCPeerCredentials
        var promise: EventLoopPromise<Admission>
    }

    private struct State {
        var slots: [ObjectIdentifier: Slot] = [:]
        var channels: [ObjectIdentifier: any Channel] = [:]
        var perUID: [UInt32: Int] = [:]
        var draining = false
        var nextTicket: UInt64 = 0
        /// The lowest ticket not decided yet.
        var turn: UInt64 = 0
        /// Tickets that can be decided once it is their turn: an arrival, or `nil` for a connection gone before.
        var ready: [UInt64: Arrival?] = [:]
    }

    private let state = Mutex(State())
    private let policy: ConnectionLimitsPolicy

    init(policy: ConnectionLimitsPolicy) {
        self.policy = policy
    }

    /// Gives a just accepted connection its place in the admission order; call on the listener's event loop.
    func issueTicket(_ channel: any Channel) {
        self.state.withLock { state in
            state.slots[ObjectIdentifier(channel)] = .ticketed(state.nextTicket)
            state.nextTicket += 1
        }
    }

    /// Decides the admission of a ticketed connection whose peer is known, after every connection accepted
    /// before it. The future completes on the channel's event loop.
    func arrive(_ channel: any Channel, peer: JSONRPCPeerCredentials) -> EventLoopFuture<Admission> {
        let promise = channel.eventLoop.makePromise(of: Admission.self)
        let key = ObjectIdentifier(channel)
        let limits = self.policy.limits
        let decided = self.state.withLock { state -> [(EventLoopPromise<Admission>, Admission)] in
            // No slot: the connection closed before its credentials were read.
            guard case .ticketed(let ticket) = state.slots[key] else { return [(promise, .gone)] }
            state.slots[key] = .waiting(ticket)
            state.ready[ticket] = Arrival(key: key, channel: channel, peer: peer, promise: promise)
            return Self.decideInTurn(&state, limits)
        }
        for (waiting, admission) in decided { waiting.succeed(admission) }
        return promise.futureResult
    }

    /// Forgets a connection that closed, whether it was admitted, waiting for its turn or never set up.
    /// - Returns: Whether it was an admitted (counted) connection.
    @discardableResult
    func remove(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let limits = self.policy.limits
        let (wasOpen, decided) = self.state.withLock { state -> (Bool, [(EventLoopPromise<Admission>, Admission)]) in
            switch state.slots.removeValue(forKey: key) {
            case .open(let uid):
                state.channels[key] = nil
                state.perUID[uid, default: 1] -= 1
                if state.perUID[uid] == 0 { state.perUID[uid] = nil }
                return (true, [])
            case .ticketed(let ticket):
                state.ready[ticket] = .some(nil)
                return (false, Self.decideInTurn(&state, limits))
            case .waiting(let ticket):
                // Its setup waits on the promise.
                let arrival = state.ready[ticket]??.promise
                state.ready[ticket] = .some(nil)
                var decided = Self.decideInTurn(&state, limits)
                if let arrival { decided.append((arrival, .gone)) }
                return (false, decided)
            case nil:
                return (false, [])
            }
        }
        for (waiting, admission) in decided { waiting.succeed(admission) }
        return wasOpen
    }

    /// Refuses further admissions and returns the connections open now.
    func beginDraining() -> [any Channel] {
        self.state.withLock { state in
            state.draining = true
            return Array(state.channels.values)
        }
    }

    var openChannels: [any Channel] {
        self.state.withLock { Array($0.channels.values) }
    }

    /// Decides every ready ticket from the current turn on, in order.
    private static func decideInTurn(_ state: inout State, _ limits: JSONRPCServer.ConnectionLimits)
        -> [(EventLoopPromise<Admission>, Admission)]
    {
        var decided: [(EventLoopPromise<Admission>, Admission)] = []
        while let entry = state.ready.removeValue(forKey: state.turn) {
            state.turn += 1
            if let arrival = entry { decided.append((arrival.promise, Self.decide(arrival, &state, limits))) }
        }
        return decided
    }

    private static func decide(_ arrival: Arrival, _ state: inout State, _ limits: JSONRPCServer.ConnectionLimits)
        -> Admission
    {
        if state.draining {
            state.slots[arrival.key] = nil
            return .draining
        }
        let uid = arrival.peer.uid
        let held = state.perUID[uid] ?? 0
        if let refusal = limits.refusal(open: state.channels.count, heldByUID: held, peer: arrival.peer) {
            state.slots[arrival.key] = nil
            return .refused(refusal, limit: limits.limit(of: refusal))
        }
        state.slots[arrival.key] = .open(uid: uid)
        state.channels[arrival.key] = arrival.channel
        state.perUID[uid] = held + 1
        return .admitted
    }
}
