/// The JSON-RPC methods evmcsd answers (Docs/protocol.md).
public enum EVMCSMethod: String, CaseIterable, Sendable {
    case discover = "rpc.discover"
    case status = "daemon.status"
    case profile = "host.profile"
    case evmcs = "host.evmcs"
    case vmx = "host.vmx"
    case history = "host.history"
    case check = "compat.check"
    case baseline = "compat.baseline"
    case pools = "compat.pools"
    case subscribe = "events.subscribe"
    case unsubscribe = "events.unsubscribe"
    case refresh = "cache.refresh"
    case reload = "daemon.reload"

    /// Methods only root or members of the admin group may call.
    public var requiresAdmin: Bool { self == .refresh || self == .reload }
}

/// Notifications evmcsd sends to subscribers.
public enum EVMCSNotification {
    /// What the host offers changed (any change of the profile diff, `fingerprintChanged` says whether the
    /// fingerprint did too); params are a ``ProfileChangedEvent``.
    public static let profileChanged = NotificationContract.profileChanged.name
}
