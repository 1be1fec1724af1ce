import NIOCore

/// A handle on one client connection, safe to keep and use from any thread.
///
/// ```swift
/// methods.registerImmediate("events.subscribe") { _, context in
///     let connection = context.connection
///     subscribers.add(connection)
///     connection.setIdleTimeoutEnabled(false)
///     connection.onClose { subscribers.remove(connection.id) }
///     return .null
/// }
/// // later, from anywhere:
/// connection.sendNotification(method: "profile.changed", params: ["fingerprint": "…"])
/// ```
public final class JSONRPCConnection: Sendable {
    /// A number unique among this server's connections.
    public let id: UInt64
    /// The peer's credentials.
    public let peer: JSONRPCPeerCredentials
    private let channel: any Channel

    init(id: UInt64, peer: JSONRPCPeerCredentials, channel: any Channel) {
        self.id = id
        self.peer = peer
        self.channel = channel
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { self.channel.isActive }

    /// Sends a notification line (`{"jsonrpc":"2.0","method":…,"params":…}`) to the client.
    ///
    /// The line is written whole, never interleaved with another line; it may overtake responses to requests that
    /// are still pending. Dropped if the connection is closing. A client that stops reading while notifications
    /// arrive is disconnected as a slow consumer once its unread output would exceed four times
    /// ``JSONRPCServer/Configuration/maximumBufferedOutputBytes``.
    ///
    /// - Parameters:
    ///   - method: The notification's method name.
    ///   - params: An array or object, or `nil` to omit `params`.
    public func sendNotification(method: String, params: JSONValue? = nil) {
        self.send(method: method, params: params.map(JSONRPCResult.init))
    }

    /// Sends a notification whose params are an `Encodable` value (encoded with sorted keys).
    ///
    /// - Parameters:
    ///   - method: The notification's method name.
    ///   - params: A value encoding to a JSON array or object.
    /// - Throws: `EncodingError` if `params` cannot be encoded.
    public func sendNotification(method: String, encoding params: some Encodable) throws {
        self.send(method: method, params: try JSONRPCResult(encoding: params))
    }

    private func send(method: String, params: JSONRPCResult?) {
        let line = ResponseEncoder.notificationLine(method: method, params: params, allocator: ByteBufferAllocator())
        self.channel.writeAndFlush(line, promise: nil)
    }

    /// Registers a callback run once when the connection closes (immediately if it already has).
    ///
    /// - Parameter callback: Runs on the connection's event loop; it must not block.
    public func onClose(_ callback: @escaping @Sendable () -> Void) {
        self.channel.closeFuture.whenComplete { _ in callback() }
    }

    /// Exempts the connection from the idle timeout (e.g. while it holds a subscription), or subjects it again.
    ///
    /// - Parameter enabled: Whether the idle timeout applies.
    public func setIdleTimeoutEnabled(_ enabled: Bool) {
        self.channel.triggerUserOutboundEvent(IdleTimeoutSetting(enabled: enabled), promise: nil)
    }

    /// Closes the connection now, without waiting for pending responses.
    public func close() {
        self.channel.close(promise: nil)
    }
}

/// Outbound user event that turns a connection's idle timeout on or off.
struct IdleTimeoutSetting: Sendable {
    var enabled: Bool
}

/// Inbound user event asking a connection to drain: answer what was read, then close by `deadline` at the latest.
struct DrainRequest: Sendable {
    var deadline: NIODeadline
}
