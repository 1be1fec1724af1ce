import NIOCore

/// What a transport does for one of its connections on behalf of ``JSONRPCConnection``: the operations a
/// handler may ask for from any thread. The NIO Unix-socket transport implements it over a `Channel`, the
/// in-process transport over its own event loop.
package protocol ConnectionTransport: Sendable {
    /// Whether the connection is still open.
    var isOpen: Bool { get }
    /// Queues a complete notification line (line feed included) behind the output produced so far.
    func sendLine(_ line: ByteBuffer)
    /// Runs `callback` once when the connection closes (at once if it already has).
    func onClose(_ callback: @escaping @Sendable () -> Void)
    /// Turns the idle timeout on or off for this connection.
    func setIdleTimeoutEnabled(_ enabled: Bool)
    /// Closes the connection without waiting for pending responses.
    func close()
}
