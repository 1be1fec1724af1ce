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
    /// The method called.
    public let method: String
    private let connectionLogger: Logger

    /// Creates the context of one request on `connection`.
    ///
    /// - Parameters:
    ///   - connection: The connection the request arrived on.
    ///   - method: The method called.
    ///   - connectionLogger: The connection's logger (`connection.id`, `peer.uid`, `peer.gid`, `peer.pid`).
    init(connection: JSONRPCConnection, method: String, connectionLogger: Logger) {
        self.connection = connection
        self.method = method
        self.connectionLogger = connectionLogger
    }

    /// A logger carrying `connection.id`, `peer.uid`, `peer.gid`, `peer.pid` and `rpc.method` metadata: log
    /// with it, so every line of a request says where it came from.
    public var logger: Logger {
        var logger = self.connectionLogger
        logger[metadataKey: "rpc.method"] = .string(self.method)
        return logger
    }

    /// The peer's credentials.
    public var peer: JSONRPCPeerCredentials { self.connection.peer }
}
