import NIOCore

/// Splits the server's output into lines and hands each parsed JSON text to the client.
final class ClientResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var lines = LineBuffer()
    private let parser = JSONParser(maximumDepth: 512)
    private let onValue: (Result<JSONValue, JSONRPCClientError>) -> Void
    private let onClose: () -> Void
    /// Responses are never longer than this (the daemon's largest answers are a few hundred KiB).
    private let maximumLine = 64 << 20

    init(onValue: @escaping (Result<JSONValue, JSONRPCClientError>) -> Void, onClose: @escaping () -> Void) {
        self.onValue = onValue
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lines.append(unwrapInboundIn(data))
        while true {
            switch lines.next(maximumLength: maximumLine, { raw in Result { try parser.parse(raw) } }) {
            case .line(.success(let value)): onValue(.success(value))
            case .line(.failure(let error)): onValue(.failure(.malformedResponse("\(error)")))
            case .incomplete: return
            case .tooLong:
                onValue(.failure(.malformedResponse("a response line exceeds \(maximumLine) bytes")))
                lines.discardAll()
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
