import NIOCore

/// The client side of the framing: splits a server's output into lines and parses each as
/// JSON. Shared by ``ClientResponseHandler`` (on NIO) and ``BlockingJSONRPCClient``.
struct ResponseLineReader {
    /// The next complete line, parsed.
    enum Next {
        case value(JSONValue)
        /// The line is not JSON; the text says why.
        case malformed(String)
        /// No complete line yet.
        case incomplete
        /// The line is longer than ``maximumLine``; nothing more can be read from this connection.
        case tooLong
    }

    /// Responses are never longer than this (the daemon's largest answers are a few hundred KiB).
    static let maximumLine = 64 << 20

    private var lines = LineBuffer()
    private let parser = JSONParser(maximumDepth: 512)

    /// Adds received bytes.
    mutating func append(_ bytes: ByteBuffer) { lines.append(bytes) }

    /// Consumes and parses the next complete line.
    mutating func next() -> Next {
        let parser = self.parser
        switch lines.next(maximumLength: Self.maximumLine, { raw in Result { try parser.parse(raw) } }) {
        case .line(.success(let value)): return .value(value)
        case .line(.failure(let error)): return .malformed("\(error)")
        case .incomplete: return .incomplete
        case .tooLong:
            lines.discardAll()
            return .tooLong
        }
    }

    /// The error a client reports for ``Next/tooLong``.
    static var tooLongError: JSONRPCClientError { .malformedResponse("a response line exceeds \(maximumLine) bytes") }
}
