import Glibc

/// Reads newline-terminated lines from a blocking descriptor into one reusable buffer.
///
/// A returned range stays valid until the next call.
final class LineReader {
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0

    /// - Parameter capacity: The longest line accepted.
    init(capacity: Int = 1 << 20) {
        self.buffer = [UInt8](repeating: 0, count: capacity)
    }

    /// Blocks until a complete line is buffered and returns its range, line feed included.
    ///
    /// - Throws: ``SystemError`` on a read error, ``BenchmarkError`` when the peer closes or a
    ///   line exceeds the capacity.
    func nextLine(from descriptor: Int32) throws -> Range<Int> {
        var scanned = self.start
        while true {
            if let lineFeed = self.firstLineFeed(in: scanned..<self.end) {
                let line = self.start..<(lineFeed + 1)
                self.start = lineFeed + 1
                if self.start == self.end { (self.start, self.end) = (0, 0) }
                return line
            }
            if self.start > 0 {
                self.buffer.withUnsafeMutableBytes { bytes in
                    _ = memmove(bytes.baseAddress!, bytes.baseAddress! + self.start, self.end - self.start)
                }
                (self.start, self.end) = (0, self.end - self.start)
            }
            guard self.end < self.buffer.count else {
                throw BenchmarkError("a response line is longer than \(self.buffer.count) bytes")
            }
            scanned = self.end
            let count = self.buffer.withUnsafeMutableBytes { bytes in
                read(descriptor, bytes.baseAddress! + self.end, bytes.count - self.end)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError("read")
            }
            guard count > 0 else { throw BenchmarkError("the server closed the connection") }
            self.end += count
        }
    }

    /// The bytes of a range returned by ``nextLine(from:)``.
    func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        self.buffer[range]
    }

    private func firstLineFeed(in range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return nil }
        return self.buffer.withUnsafeBytes { bytes in
            guard let found = memchr(bytes.baseAddress! + range.lowerBound, 0x0A, range.count) else { return nil }
            return bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
    }
}
