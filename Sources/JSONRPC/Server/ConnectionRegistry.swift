import NIOCore
import Synchronization

/// The open connections, for the connection limit and for draining on shutdown.
final class ConnectionRegistry: Sendable {
    enum Admission {
        case admitted
        case overLimit
        case draining
    }

    private struct State {
        var channels: [UInt64: any Channel] = [:]
        var draining = false
    }

    private let state = Mutex(State())

    func admit(id: UInt64, channel: any Channel, limit: Int) -> Admission {
        self.state.withLock { state in
            if state.draining { return .draining }
            guard state.channels.count < limit else { return .overLimit }
            state.channels[id] = channel
            return .admitted
        }
    }

    func remove(id: UInt64) {
        _ = self.state.withLock { $0.channels.removeValue(forKey: id) }
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
}
