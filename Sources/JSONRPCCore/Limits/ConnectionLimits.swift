/// How many connections the server admits, in total and per peer uid, and how many of the total are kept for
/// privileged peers — as PostgreSQL keeps `superuser_reserved_connections`.
///
/// A connection is admitted if, counting the connections open when it is accepted:
/// - fewer than ``total`` are open, and
/// - its peer is privileged (``isPrivileged``), or its uid has fewer than ``perUID`` open and fewer than
///   `total - reserved` are open.
///
/// Privileged peers are bound by ``total`` only. Connections are decided strictly in the order the listener
/// accepted them. A refused connection gets one -32000 line whose `data.reason` is a ``Refusal`` raw value.
///
/// ```swift
/// let limits = JSONRPCConnectionLimits(total: 256, perUID: 32, reserved: 8) { peer in
///     peer.uid == 0 || admins.contains(peer.gid)
/// }
/// let server = JSONRPCServer(address: address, methods: methods, logger: logger,
///                            connectionLimits: ConnectionLimitsPolicy(limits))
/// ```
public struct JSONRPCConnectionLimits: Sendable {
    /// Why a connection was refused; the raw value is sent as `data.reason`.
    public enum Refusal: String, Sendable, Hashable, CaseIterable {
        /// The peer's uid already holds ``JSONRPCConnectionLimits/perUID`` connections.
        case perUIDLimit = "per-uid limit"
        /// ``JSONRPCConnectionLimits/total`` connections are open.
        case totalLimit = "total limit"
        /// Only the slots reserved for privileged peers are left.
        case reserved
    }

    /// The most connections open at once (at least 1).
    public var total: Int
    /// The most connections one unprivileged uid may hold; `nil` for no per-uid limit.
    public var perUID: Int?
    /// How many of ``total`` only privileged peers may take (0 to `total - 1`).
    public var reserved: Int
    /// Whether a peer may use the reserved slots and is exempt from ``perUID``; asked only when the answer
    /// decides the admission (at a per-uid limit or in the reserved slots). Runs under the server's admission
    /// lock: keep it quick.
    public var isPrivileged: @Sendable (JSONRPCPeerCredentials) -> Bool

    /// Creates limits.
    ///
    /// - Parameters:
    ///   - total: The most connections open at once (default 256).
    ///   - perUID: The most connections per unprivileged uid, or `nil` (the default) for none.
    ///   - reserved: Slots of `total` only privileged peers may take (default 0).
    ///   - isPrivileged: Who is privileged; the default is root (uid 0).
    public init(
        total: Int = 256,
        perUID: Int? = nil,
        reserved: Int = 0,
        isPrivileged: @escaping @Sendable (JSONRPCPeerCredentials) -> Bool = { $0.uid == 0 }
    ) {
        self.total = total
        self.perUID = perUID
        self.reserved = reserved
        self.isPrivileged = isPrivileged
    }

    /// The refusal for a peer holding `heldByUID` connections while `open` are open, or `nil` to admit it.
    package func refusal(open: Int, heldByUID: Int, peer: JSONRPCPeerCredentials) -> Refusal? {
        if open >= max(1, self.total) { return .totalLimit }
        let overPerUID = self.perUID.map { heldByUID >= $0 } ?? false
        let inReserved = open >= self.total - max(0, self.reserved)
        guard overPerUID || inReserved, !self.isPrivileged(peer) else { return nil }
        return overPerUID ? .perUIDLimit : .reserved
    }

    /// The limit a refusal reached, sent as `data.limit`.
    package func limit(of refusal: Refusal) -> Int {
        switch refusal {
        case .perUIDLimit: self.perUID ?? self.total
        case .totalLimit: self.total
        case .reserved: max(0, self.total - self.reserved)
        }
    }
}
