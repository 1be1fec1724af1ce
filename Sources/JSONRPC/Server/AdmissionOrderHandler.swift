import NIOCore

/// On the listening channel, ahead of NIO's accept handler: hands every accepted connection to the environment
/// before its set-up moves to its own event loop, so admissions are decided in accept order.
final class AdmissionOrderHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let environment: ServerEnvironment

    init(environment: ServerEnvironment) {
        self.environment = environment
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.environment.connectionAccepted(self.unwrapInboundIn(data))
        context.fireChannelRead(data)
    }
}
