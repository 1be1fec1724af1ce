import Glibc

/// The requests the benchmark sends and what it accepts as an answer.
enum RequestLine {
    /// Every request carries this id. Eight digits keep each answer's length constant, so the
    /// reference server's canned lines match evmcsd's byte for byte in length.
    static let id = "10000001"

    /// `{"jsonrpc":"2.0","id":10000001,"method":"METHOD"}` and a line feed.
    static func make(method: String) -> [UInt8] {
        Array(#"{"jsonrpc":"2.0","id":\#(Self.id),"method":"\#(method)"}"#.utf8) + [0x0A]
    }

    /// The start of every successful answer.
    static let resultPrefix = Array(#"{"jsonrpc":"2.0","id":\#(id),"result":"#.utf8)

    /// Whether `line` is a successful answer to one of the benchmark's requests.
    static func isResult(_ line: some BidirectionalCollection<UInt8>) -> Bool {
        line.starts(with: Self.resultPrefix) && line.last == 0x0A
    }
}

/// One request and its answer on a fresh connection: for response sizes and state checks.
enum SingleCall {
    /// Sends `method` to the server at `socketPath` and returns the answer line (line feed included).
    ///
    /// - Throws: ``SystemError``, or ``BenchmarkError`` if the answer is not a result.
    static func call(_ method: String, at socketPath: String) throws -> [UInt8] {
        let descriptor = try UnixSocket.connect(to: socketPath)
        defer { close(descriptor) }
        try UnixSocket.writeAll(descriptor, RequestLine.make(method: method))
        let reader = LineReader()
        let line = Array(reader.bytes(try reader.nextLine(from: descriptor)))
        guard RequestLine.isResult(line) else {
            throw BenchmarkError(
                "\(method) was not answered with a result: \(String(decoding: line.prefix(300), as: UTF8.self))"
            )
        }
        return line
    }
}
