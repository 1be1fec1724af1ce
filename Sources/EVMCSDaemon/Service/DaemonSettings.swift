import JSONRPC
import Synchronization

/// The settings in force, replaced whole by a reload and read by every handler.
final class DaemonSettings: Sendable {
    /// One consistent set: the configuration and the admin policy resolved from it.
    struct Snapshot: Sendable {
        var configuration: DaemonConfiguration
        var admin: AdminPolicy

        /// The connection limits these settings give: root and the admin group may take the
        /// reserved slots and are not bound by the per-uid limit.
        var connectionLimits: JSONRPCServer.ConnectionLimits {
            let admin = self.admin
            return JSONRPCServer.ConnectionLimits(
                total: configuration.limits.maxConnections,
                perUID: configuration.limits.maxConnectionsPerUID,
                reserved: configuration.limits.reservedConnections,
                isPrivileged: { admin.allows($0) }
            )
        }
    }

    private let snapshot: Mutex<(settings: Snapshot, generation: UInt64)>

    init(_ snapshot: Snapshot) {
        self.snapshot = Mutex((snapshot, 0))
    }

    /// The settings in force.
    var current: Snapshot {
        get { snapshot.withLock { $0.settings } }
        set {
            snapshot.withLock {
                $0.settings = newValue
                $0.generation += 1
            }
        }
    }

    /// Counts the replacements of the settings (a `daemon.status` template holds until it changes).
    var generation: UInt64 { snapshot.withLock { $0.generation } }
}
