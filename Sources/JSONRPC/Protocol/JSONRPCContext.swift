import Logging

/// The identity of the process at the other end of a connection, read with `SO_PEERCRED` when it connected.
public struct JSONRPCPeerCredentials: Sendable, Hashable {
    /// The peer's user id.
    public var uid: UInt32
    /// The peer's group id.
    public var gid: UInt32
    /// The peer's process id.
    public var pid: Int32

    /// Creates peer credentials.
    ///
    /// - Parameters:
    ///   - uid: The user id.
    ///   - gid: The group id.
    ///   - pid: The process id.
    public init(uid: UInt32, gid: UInt32, pid: Int32) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
    }
}

/// What a handler knows about the request's origin.
public struct JSONRPCContext: Sendable {
    /// The connection the request arrived on; use it to push notifications or watch for the connection closing.
    public let connection: JSONRPCConnection
    /// A logger carrying `connection.id`, `peer.uid`, `peer.gid` and `peer.pid` metadata.
    public var logger: Logger

    /// The peer's credentials.
    public var peer: JSONRPCPeerCredentials { self.connection.peer }
}
