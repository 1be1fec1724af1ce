import EVMCSProtocol
import JSONRPC
import Synchronization

/// The connections subscribed to `profile.changed`, and the fan-out of change events to them.
///
/// It lives on the transport side of the daemon: the refresher only emits events, and this hub
/// turns each one into a notification line on every subscribed connection. A connection leaves
/// the hub when it unsubscribes or closes.
final class SubscriptionHub: Sendable {
    private let connections = Mutex<[UInt64: JSONRPCConnection]>([:])

    init() {}

    /// Subscribes `connection` (again is a no-op) and exempts it from the idle timeout: a
    /// subscriber waits for notifications.
    func subscribe(_ connection: JSONRPCConnection) {
        let id = connection.id
        let inserted = connections.withLock { connections in
            guard connections[id] == nil else { return false }
            connections[id] = connection
            return true
        }
        connection.setIdleTimeoutEnabled(false)
        if inserted { connection.onClose { [weak self] in self?.remove(id) } }
    }

    /// Unsubscribes `connection` and subjects it to the idle timeout again.
    /// - Returns: Whether it was subscribed.
    @discardableResult
    func unsubscribe(_ connection: JSONRPCConnection) -> Bool {
        connection.setIdleTimeoutEnabled(true)
        return remove(connection.id)
    }

    /// How many connections are subscribed (`daemon.status`).
    var count: Int { connections.withLock { $0.count } }

    /// Sends `event` as a `profile.changed` notification to every subscriber.
    func broadcast(_ event: ProfileChangedEvent) {
        let subscribers = connections.withLock { Array($0.values) }
        guard !subscribers.isEmpty else { return }
        for subscriber in subscribers {
            // Encoding a ProfileChangedEvent cannot fail (strings, numbers and arrays only).
            try? subscriber.sendNotification(method: EVMCSNotification.profileChanged, encoding: event)
        }
    }

    @discardableResult
    private func remove(_ id: UInt64) -> Bool {
        connections.withLock { $0.removeValue(forKey: id) != nil }
    }
}
