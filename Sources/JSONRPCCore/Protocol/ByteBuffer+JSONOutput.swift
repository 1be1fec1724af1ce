import JSONCore
import NIOCore

extension ByteBuffer: JSONOutput {
    package mutating func appendByte(_ byte: UInt8) { self.writeInteger(byte) }
    package mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) { self.writeBytes(bytes) }
    package mutating func appendASCII(_ text: StaticString) { self.writeStaticString(text) }
}
