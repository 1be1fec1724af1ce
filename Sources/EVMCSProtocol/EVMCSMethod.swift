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
    /// The host's capability fingerprint changed; params are a ``ProfileChangedEvent``.
    public static let profileChanged = "profile.changed"
}

/// evmcsd's application error codes (JSON-RPC reserves -32000…-32099 for servers; the
/// transport owns -32000…-32009, evmcsd -32011 and up). Docs/protocol.md lists them. A host
/// without usable KVM is not an error: its profile says why, with reasons.
public enum EVMCSErrorCode {
    /// The peer is not root and not in the admin group.
    public static let notAuthorized = -32011
    /// A document in the params is malformed; `data` has the path and reason.
    public static let invalidDocument = -32012
    /// The probe source failed (a recorded profile file that became unreadable).
    public static let probeFailed = -32013
    /// No profile has been measured yet.
    public static let notReady = -32014
    /// The configuration could not be reloaded; the old one keeps running.
    public static let reloadFailed = -32015
    /// A fleet computation (baseline, pools) cannot be done with these inputs.
    public static let fleetFailed = -32016
}
