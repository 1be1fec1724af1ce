import Synchronization

/// The connection limits a server applies, changeable while it runs.
///
/// Connections are decided against the limits in force when they are admitted; open connections are never
/// closed by a change, even if they are over a new limit.
///
/// ```swift
/// let limits = ConnectionLimitsPolicy(.init(total: 256, perUID: 32, reserved: 8) { $0.uid == 0 })
/// let server = JSONRPCServer(address: address, methods: methods, logger: logger, connectionLimits: limits)
/// // on reload:
/// limits.limits = .init(total: 512, perUID: 32, reserved: 8) { $0.uid == 0 }
/// ```
public final class ConnectionLimitsPolicy: Sendable {
    private let current: Mutex<JSONRPCConnectionLimits>

    /// Creates a policy with `limits` in force.
    public init(_ limits: JSONRPCConnectionLimits) {
        self.current = Mutex(limits)
    }

    /// The limits in force.
    public var limits: JSONRPCConnectionLimits {
        get { self.current.withLock { $0 } }
        set { self.current.withLock { $0 = newValue } }
    }
}
