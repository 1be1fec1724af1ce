import NIOCore
import Testing

@testable import JSONRPC

@Suite("Line framing")
struct LineBufferTests {
    private static let input = Array("first\n\nsecond line\r\n{\"x\":1}\nlast-without-feed".utf8)

    /// Feeds `input` split at `split` and returns the lines seen, then the remainder.
    private func lines(splittingAt split: Int, maximumLength: Int = 64) -> [String] {
        var buffer = LineBuffer()
        var seen: [String] = []
        for part in [Self.input[..<split], Self.input[split...]] {
            buffer.append(ByteBuffer(bytes: part))
            while case .line(let line) = buffer.next(
                maximumLength: maximumLength,
                { String(decoding: $0, as: UTF8.self) }
            ) {
                seen.append(line)
            }
        }
        if let rest = buffer.takeRemainder({ String(decoding: $0, as: UTF8.self) }) { seen.append(rest) }
        return seen
    }

    @Test("yields the same lines wherever the input is split")
    func everySplitPoint() {
        let expected = ["first", "", "second line\r", "{\"x\":1}", "last-without-feed"]
        for split in 0...Self.input.count {
            #expect(self.lines(splittingAt: split) == expected, "split at \(split)")
        }
    }

    @Test("reports a line over the limit without waiting for its end")
    func tooLong() {
        var buffer = LineBuffer()
        buffer.append(ByteBuffer(string: "12345\n123456"))
        #expect(buffer.next(maximumLength: 5) { $0.count }.isLine(5))
        #expect(buffer.next(maximumLength: 5) { $0.count }.isTooLong)
        var complete = LineBuffer()
        complete.append(ByteBuffer(string: "123456\n"))
        #expect(complete.next(maximumLength: 5) { $0.count }.isTooLong)
    }
}

extension LineBuffer.Next where Value == Int {
    fileprivate func isLine(_ length: Int) -> Bool {
        if case .line(length) = self { return true }
        return false
    }

    fileprivate var isTooLong: Bool {
        if case .tooLong = self { return true }
        return false
    }
}
