import Glibc
import NIOCore

/// Accumulates received bytes and hands out complete newline-terminated lines, detecting lines over the limit without
/// buffering more than the limit plus one read.
package struct LineBuffer {
    package enum Next<Value> {
        /// A complete line, already consumed and passed through the caller's closure.
        case line(Value)
        /// No complete line yet.
        case incomplete
        /// The next line is longer than the limit.
        case tooLong
    }

    private var buffer = ByteBuffer()
    /// The readable prefix already searched without finding a line feed.
    private var searched = 0

    /// Creates an empty buffer.
    package init() {}

    package var isEmpty: Bool { self.buffer.readableBytes == 0 }

    package mutating func append(_ incoming: ByteBuffer) {
        if self.buffer.readableBytes == 0 {
            self.buffer = incoming
            self.searched = 0
            return
        }
        if self.buffer.readerIndex > 0 && self.buffer.writableBytes < incoming.readableBytes {
            self.buffer.discardReadBytes()
        }
        self.buffer.writeImmutableBuffer(incoming)
    }

    /// Consumes the next line (without its line feed) if one is complete and at most `maximumLength` bytes long.
    package mutating func next<Value>(
        maximumLength: Int,
        _ body: (UnsafeRawBufferPointer) -> Value
    ) -> Next<Value> {
        let searched = self.searched
        let lineFeed: Int? = self.buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress, searched < bytes.count,
                let found = memchr(base + searched, 0x0A, bytes.count - searched)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
        guard let lineFeed else {
            self.searched = self.buffer.readableBytes
            return self.buffer.readableBytes > maximumLength ? .tooLong : .incomplete
        }
        guard lineFeed <= maximumLength else { return .tooLong }
        let value = self.buffer.withUnsafeReadableBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<lineFeed])) }
        self.buffer.moveReaderIndex(forwardBy: lineFeed + 1)
        self.searched = 0
        if self.buffer.readableBytes == 0 { self.buffer = ByteBuffer() }
        return .line(value)
    }

    /// Consumes whatever is left (a last line without a line feed, at end of input).
    package mutating func takeRemainder<Value>(_ body: (UnsafeRawBufferPointer) -> Value) -> Value? {
        guard self.buffer.readableBytes > 0 else { return nil }
        let value = self.buffer.withUnsafeReadableBytes(body)
        self.discardAll()
        return value
    }

    package mutating func discardAll() {
        self.buffer = ByteBuffer()
        self.searched = 0
    }
}
