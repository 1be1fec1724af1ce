import Glibc

/// The reference server's answers: one fixed response line per method, exactly as long as
/// evmcsd's answer to the same request (measured first), so both servers move the same bytes.
///
/// A line is a well-formed JSON-RPC response whose result is a padding string:
/// `{"jsonrpc":"2.0","id":10000001,"result":"xxxx…"}` and a line feed.
struct CannedResponses: Sendable {
    private struct Entry: Sendable {
        /// `"method":"NAME"` as it appears in the benchmark's requests.
        var member: [UInt8]
        var line: [UInt8]
    }

    private let entries: [Entry]
    /// Sent for a line naming no known method.
    let fallback: [UInt8]

    /// - Parameters:
    ///   - lengths: Method name → length of evmcsd's response line, line feed included.
    ///   - id: The request id the benchmark sends (echoed in the responses).
    init(lengths: [String: Int], id: String) {
        self.entries = lengths.sorted { $0.key < $1.key }.map { method, length in
            Entry(member: Array(#""method":"\#(method)""#.utf8), line: Self.line(id: id, length: length))
        }
        self.fallback =
            Array(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"Method not found"}}"#.utf8)
            + [0x0A]
    }

    /// The response line for one request line (without its line feed).
    func response(for request: UnsafeRawBufferPointer) -> [UInt8] {
        for entry in self.entries where Self.contains(request, entry.member) {
            return entry.line
        }
        return self.fallback
    }

    /// A response line of exactly `length` bytes (or the shortest possible one, if `length` is less).
    static func line(id: String, length: Int) -> [UInt8] {
        let prefix = Array(#"{"jsonrpc":"2.0","id":\#(id),"result":""#.utf8)
        let suffix = Array(#""}"#.utf8) + [0x0A]
        let padding = max(0, length - prefix.count - suffix.count)
        return prefix + [UInt8](repeating: UInt8(ascii: "x"), count: padding) + suffix
    }

    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let first = needle.first else { return false }
        return needle.withUnsafeBytes { needle in
            var index = 0
            let last = haystack.count - needle.count
            while index <= last {
                guard let found = memchr(haystack.baseAddress! + index, Int32(first), last - index + 1) else {
                    return false
                }
                index = haystack.baseAddress!.distance(to: UnsafeRawPointer(found))
                if memcmp(haystack.baseAddress! + index, needle.baseAddress!, needle.count) == 0 { return true }
                index += 1
            }
            return false
        }
    }
}
