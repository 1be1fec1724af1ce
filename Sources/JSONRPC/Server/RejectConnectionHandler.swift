import NIOCore

/// Answers a connection that cannot be served with one error line, then closes it.
final class RejectConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let line: ByteBuffer

    init(error: JSONRPCError) {
        self.line = ResponseEncoder.responseLine(id: nil, outcome: .failure(error), allocator: ByteBufferAllocator())
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(self.line)).whenComplete { _ in channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
