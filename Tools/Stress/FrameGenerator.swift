/// What evmcsd must answer to a frame (a line, or a line without newline at EOF).
enum Expectation: Equatable, CustomStringConvertible {
    /// No line at all (notifications, empty lines, all-notification batches).
    case nothing
    /// One response with a result.
    case result
    /// One error response with this code.
    case error(Int)
    /// One line holding an array of this many responses.
    case batch(Int)
    /// An error with this code, then the daemon closes the connection.
    case errorThenClose(Int)
    /// A result, then EOF (the client half-closed after a line without newline).
    case resultThenClose

    var description: String {
        switch self {
        case .nothing: "no answer"
        case .result: "a result"
        case .error(let code): "error \(code)"
        case .batch(let count): "a batch of \(count)"
        case .errorThenClose(let code): "error \(code), then close"
        case .resultThenClose: "a result, then close"
        }
    }

    var closesConnection: Bool {
        switch self {
        case .errorThenClose, .resultThenClose: true
        default: false
        }
    }
}

/// A generated frame and what the daemon must answer.
struct Frame {
    var category: String
    var bytes: [UInt8]
    /// Whether the frame ends with a newline (otherwise the client half-closes after it).
    var terminated: Bool
    var expectation: Expectation
}

/// Deterministic generator of valid, malformed and hostile frames (SplitMix64, seedable).
struct FrameGenerator {
    private var state: UInt64
    /// The daemon's `limits.max-line-bytes` (over-long frames exceed it).
    let maximumLine: Int
    /// The daemon's `limits.max-batch`.
    let maximumBatch: Int

    init(seed: UInt64, maximumLine: Int, maximumBatch: Int) {
        state = seed
        self.maximumLine = maximumLine
        self.maximumBatch = maximumBatch
    }

    mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(random() % UInt64(bound)) }

    static let methods = ["daemon.status", "host.evmcs", "host.history", "host.vmx", "host.profile"]

    private mutating func id() -> String {
        switch below(5) {
        case 0: String(below(1_000_000))
        case 1: "\"r\(below(1_000_000))\""
        case 2: "18446744073709551615"
        case 3: String(repeating: "9", count: 50 + below(300))
        default: "-\(below(1000)).25e3"
        }
    }

    private mutating func request(notification: Bool = false) -> String {
        let method = Self.methods[below(Self.methods.count)]
        let idPart = notification ? "" : "\"id\":\(id()),"
        return "{\"jsonrpc\":\"2.0\",\(idPart)\"method\":\"\(method)\"}"
    }

    mutating func next() -> Frame {
        let roll = below(1000)
        switch roll {
        case 0..<200:
            return frame("valid", request(), .result)
        case 200..<260:
            return frame("notification", request(notification: true), .nothing)
        case 260..<380:
            let whole = Array(request().utf8)
            return Frame(
                category: "truncated",
                bytes: Array(whole.prefix(1 + below(whole.count - 1))),
                terminated: true,
                expectation: .error(-32700)
            )
        case 380..<440:
            var bytes = Array(request().utf8)
            let invalid: [[UInt8]] = [
                [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80], [0xE2, 0x82],
            ]
            bytes.insert(contentsOf: invalid[below(invalid.count)], at: 13 + below(6))  // inside the "2.0" string
            return Frame(category: "invalid-utf8", bytes: bytes, terminated: true, expectation: .error(-32700))
        case 440..<480:
            var bytes = Array(request().utf8)
            bytes.insert(0, at: below(bytes.count))
            return Frame(category: "nul-byte", bytes: bytes, terminated: true, expectation: .error(-32700))
        case 480..<520:
            let depth = 129 + below(3000)
            return frame(
                "deep-nesting",
                String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
                .error(-32700)
            )
        case 520..<600:
            let shapes = [
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", "{\"jsonrpc\":2,\"id\":1,\"method\":\"host.history\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.history\",\"params\":\"x\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"host.history\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"host.history\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1}", "\"string\"", "42", "null",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"host.history\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.history\",\"x\":{\"a\":1,\"a\":1}}",
            ]
            return frame("wrong-types", shapes[below(shapes.count)], .error(-32600))
        case 600..<640:
            let count = maximumBatch + 1 + below(400)
            return frame(
                "giant-batch",
                "[" + (0..<count).map { _ in request() }.joined(separator: ",") + "]",
                .error(-32002)
            )
        case 640..<720:
            var elements: [String] = []
            var answered = 0
            for _ in 0..<(1 + below(8)) {
                switch below(3) {
                case 0: elements.append(request(notification: true))
                case 1:
                    elements.append(request())
                    answered += 1
                default:
                    elements.append(String(below(100)))
                    answered += 1
                }
            }
            return frame(
                "batch",
                "[" + elements.joined(separator: ",") + "]",
                answered == 0 ? .nothing : .batch(answered)
            )
        case 720..<800:
            var bytes: [UInt8] = [[0x01, 0x02, 0x03, 0x23, 0x7F][below(5)]]
            for _ in 0..<below(512) {
                var byte = UInt8(truncatingIfNeeded: random())
                if byte == 0x0A { byte = 0x0B }
                bytes.append(byte)
            }
            return Frame(category: "garbage", bytes: bytes, terminated: true, expectation: .error(-32700))
        case 800..<840:
            return frame("blank", ["", " ", "\t", "  \t "][below(4)], .nothing)
        case 840..<900:
            let methods = ["no.such", "rpc.nope", "", "host.profile.x"]
            return frame(
                "unknown-method",
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"\(methods[below(methods.count)])\"}",
                .error(-32601)
            )
        case 900..<960:
            let params = [
                "{\"view\":1e400}", "{\"view\":\"bogus\"}", "[1]", "{\"view\":[]}", "{\"nope\":1}",
                "{\"view\":\"guest\",\"view\":\"system\"}",
            ]
            return frame(
                "bad-params",
                "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"host.vmx\",\"params\":\(params[below(params.count)])}",
                .error(-32602)
            )
        case 960..<997:
            return frame(
                "huge-number",
                "{\"jsonrpc\":\"2.0\",\"id\":\(String(repeating: "7", count: 1000 + below(20_000))),\"method\":\"host.history\"}",
                .result
            )
        case 997..<999:
            return Frame(
                category: "unterminated",
                bytes: Array(request().utf8),
                terminated: false,
                expectation: .resultThenClose
            )
        default:
            return Frame(
                category: "over-long",
                bytes: [UInt8](repeating: UInt8(ascii: "x"), count: maximumLine + 1 + below(1000)),
                terminated: true,
                expectation: .errorThenClose(-32001)
            )
        }
    }

    private func frame(_ category: String, _ text: String, _ expectation: Expectation) -> Frame {
        Frame(category: category, bytes: Array(text.utf8), terminated: true, expectation: expectation)
    }
}
