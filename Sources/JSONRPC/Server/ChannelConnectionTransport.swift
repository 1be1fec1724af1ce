import JSONRPCCore
import NIOCore

/// ``JSONRPCConnection``'s operations on a NIO channel: notification lines and the idle setting go through the
/// pipeline to the connection's ``ConnectionHandler``.
struct ChannelConnectionTransport: ConnectionTransport {
    let channel: any Channel

    var isOpen: Bool { self.channel.isActive }

    func sendLine(_ line: ByteBuffer) {
        self.channel.writeAndFlush(line, promise: nil)
    }

    func onClose(_ callback: @escaping @Sendable () -> Void) {
        self.channel.closeFuture.whenComplete { _ in callback() }
    }

    func setIdleTimeoutEnabled(_ enabled: Bool) {
        self.channel.triggerUserOutboundEvent(IdleTimeoutSetting(enabled: enabled), promise: nil)
    }

    func close() {
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
