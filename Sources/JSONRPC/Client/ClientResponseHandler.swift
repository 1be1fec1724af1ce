import NIOCore

/// Splits the server's output into lines and hands each parsed JSON text to the client.
final class ClientResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var reader = ResponseLineReader()
    private let onValue: (Result<JSONValue, JSONRPCClientError>) -> Void
    private let onClose: () -> Void

    init(onValue: @escaping (Result<JSONValue, JSONRPCClientError>) -> Void, onClose: @escaping () -> Void) {
        self.onValue = onValue
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reader.append(unwrapInboundIn(data))
        while true {
            switch reader.next() {
            case .value(let value): onValue(.success(value))
            case .malformed(let why): onValue(.failure(.malformedResponse(why)))
            case .incomplete: return
            case .tooLong:
                onValue(.failure(ResponseLineReader.tooLongError))
                context.close(promise: nil)
                return
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
