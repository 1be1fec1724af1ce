import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a method handler answers: a ``JSONValue``, an `Encodable` encoded with sorted keys, or pre-encoded JSON bytes
/// that are spliced into the response without re-encoding.
///
/// ```swift
/// // Built once when the cache changes, answered many times at the cost of a memcpy:
/// let cached = try JSONRPCResult(preEncoded: profileBytes)
/// methods.registerImmediate("host.profile") { _, _ in cached }
/// ```
public struct JSONRPCResult: Sendable {
    enum Storage: Sendable {
        case value(JSONValue)
        case encoded(ByteBuffer)
    }

    let storage: Storage

    /// A `null` result.
    public static let null = JSONRPCResult(JSONValue.null)

    /// Creates a result from a value.
    ///
    /// - Parameter value: The result.
    public init(_ value: JSONValue) {
        self.storage = .value(value)
    }

    /// Encodes a value with ``JSONValueEncoder``: the JSON of `JSONEncoder` with `.sortedKeys` and
    /// `.withoutEscapingSlashes`, so equal values give equal bytes, several times faster.
    ///
    /// The text is written once, here: a result kept and answered many times (a cached profile)
    /// costs a copy of its bytes per answer, not a walk of the value.
    ///
    /// - Parameter value: The result.
    /// - Throws: `EncodingError` if the value cannot be encoded (e.g. a non-finite `Double`).
    public init(encoding value: some Encodable) throws {
        var text: [UInt8] = []
        text.reserveCapacity(1024)
        try JSONValueEncoder().write(value, to: &text)
        self.init(encodedText: text)
    }

    /// Wraps JSON text this module wrote (valid, one line).
    init(encodedText text: [UInt8]) {
        self.init(encodedBuffer: ByteBuffer(bytes: text))
    }

    /// Wraps JSON text this module wrote (valid, one line) in the buffer it was written to.
    init(encodedBuffer buffer: ByteBuffer) {
        self.storage = .encoded(buffer)
    }

    /// The compact JSON text of this result, as it goes on the wire.
    public var jsonText: [UInt8] {
        switch self.storage {
        case .value(let value): value.serialized()
        case .encoded(let bytes): Array(bytes.readableBytesView)
        }
    }

    /// Wraps pre-encoded JSON text, validated once here and then sent as is.
    ///
    /// Line feeds (which valid JSON can only hold as insignificant whitespace) are removed so the text fits on one
    /// line of the newline-delimited protocol.
    ///
    /// - Parameter bytes: One complete JSON text, UTF-8.
    /// - Throws: ``JSONParseError`` if `bytes` are not exactly one valid JSON text.
    public init(preEncoded bytes: ByteBuffer) throws(JSONParseError) {
        try JSONParser(maximumDepth: .max).validate(bytes.readableBytesView)
        if bytes.readableBytesView.contains(0x0A) {
            self.storage = .encoded(ByteBuffer(bytes: bytes.readableBytesView.lazy.filter { $0 != 0x0A }))
        } else {
            self.storage = .encoded(bytes)
        }
    }

    /// Wraps pre-encoded JSON text, validated once here and then sent as is.
    ///
    /// - Parameter bytes: One complete JSON text, UTF-8.
    /// - Throws: ``JSONParseError`` if `bytes` are not exactly one valid JSON text.
    public init(preEncoded bytes: some Collection<UInt8>) throws(JSONParseError) {
        try self.init(preEncoded: ByteBuffer(bytes: bytes))
    }

    /// The length of the text ``write(to:)`` appends, when known without writing it (pre-encoded results).
    var encodedLength: Int? {
        switch self.storage {
        case .value: nil
        case .encoded(let bytes): bytes.readableBytes
        }
    }

    func write(to buffer: inout ByteBuffer) {
        switch self.storage {
        case .value(let value): value.write(to: &buffer)
        case .encoded(let bytes): buffer.writeImmutableBuffer(bytes)
        }
    }
}
