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
    private let transport: any ConnectionTransport

    /// Creates the handle of a connection served by `transport`.
    ///
    /// - Parameters:
    ///   - id: A number unique among the server's connections.
    ///   - peer: The peer's credentials.
    ///   - transport: The transport serving the connection.
    package init(id: UInt64, peer: JSONRPCPeerCredentials, transport: any ConnectionTransport) {
        self.id = id
        self.peer = peer
        self.transport = transport
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { self.transport.isOpen }

    /// Sends a notification line (`{"jsonrpc":"2.0","method":…,"params":…}`) to the client.
    ///
    /// The line is written whole, never interleaved with another line; it may overtake responses to requests that
    /// are still pending. Dropped if the connection is closing. A client that stops reading while notifications
    /// arrive is disconnected as a slow consumer once its unread output would exceed four times
    /// ``JSONRPCServerConfiguration/maximumBufferedOutputBytes``.
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
        self.transport.sendLine(
            ResponseEncoder.notificationLine(method: method, params: params, allocator: ByteBufferAllocator())
        )
    }

    /// Registers a callback run once when the connection closes (immediately if it already has).
    ///
    /// - Parameter callback: Runs on the connection's event loop; it must not block.
    public func onClose(_ callback: @escaping @Sendable () -> Void) {
        self.transport.onClose(callback)
    }

    /// Exempts the connection from the idle timeout (e.g. while it holds a subscription), or subjects it again.
    ///
    /// - Parameter enabled: Whether the idle timeout applies.
    public func setIdleTimeoutEnabled(_ enabled: Bool) {
        self.transport.setIdleTimeoutEnabled(enabled)
    }

    /// Closes the connection now, without waiting for pending responses.
    public func close() {
        self.transport.close()
    }
}
