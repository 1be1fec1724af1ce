/// A strict RFC 8259 parser.
///
/// Rejects invalid UTF-8, unescaped control characters, lone surrogates in `\u` escapes, leading zeros, NUL bytes and
/// trailing characters; limits nesting to ``maximumDepth`` without recursing, so no input can crash it.
///
/// ```swift
/// let parser = JSONParser(maximumDepth: 32)
/// do {
///     let value = try parser.parse(#"{"a":[1,2,3]}"#)
///     print(value["a"]?[2] ?? .null)  // 3
/// } catch {
///     print(error)  // e.g. "leading zero in number at byte 6"
/// }
/// ```
public struct JSONParser: Sendable {
    /// The deepest allowed nesting of arrays and objects; `[[1]]` has depth 2.
    public var maximumDepth: Int

    /// Creates a parser.
    ///
    /// - Parameter maximumDepth: The deepest allowed nesting of arrays and objects (default 128).
    public init(maximumDepth: Int = 128) {
        self.maximumDepth = maximumDepth
    }

    /// Parses one JSON text.
    ///
    /// - Parameter bytes: The UTF-8 encoded JSON text; whitespace around the value is allowed.
    /// - Returns: The parsed value.
    /// - Throws: ``JSONParseError`` with the byte offset and reason of the first problem.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var scanner = JSONScanner(bytes: bytes, maximumDepth: self.maximumDepth)
        let value = try scanner.parseValue(depth: 0)
        try scanner.expectEnd()
        return value
    }

    /// Parses one JSON text from any byte collection (`[UInt8]`, `ByteBuffer.readableBytesView`, `Data`, …).
    ///
    /// - Parameter bytes: The UTF-8 encoded JSON text.
    /// - Returns: The parsed value.
    /// - Throws: ``JSONParseError`` with the byte offset and reason of the first problem.
    public func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONParseError) -> JSONValue {
        try Self.withContiguousBytes(bytes) { buffer throws(JSONParseError) in try self.parse(buffer) }
    }

    /// Parses one JSON text.
    ///
    /// - Parameter text: The JSON text.
    /// - Returns: The parsed value.
    /// - Throws: ``JSONParseError`` with the byte offset (in UTF-8) and reason of the first problem.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try self.parse(text.utf8)
    }

    /// Checks that `bytes` hold exactly one valid JSON text, without building it.
    ///
    /// - Parameter bytes: The UTF-8 encoded JSON text.
    /// - Throws: ``JSONParseError`` with the byte offset and reason of the first problem.
    public func validate<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONParseError) {
        try Self.withContiguousBytes(bytes) { buffer throws(JSONParseError) in
            var scanner = JSONScanner(bytes: buffer, maximumDepth: self.maximumDepth)
            try scanner.skipValue(depth: 0)
            try scanner.expectEnd()
        }
    }

    private static func withContiguousBytes<Bytes: Collection<UInt8>, Result>(
        _ bytes: Bytes,
        _ body: (UnsafeRawBufferPointer) throws(JSONParseError) -> Result
    ) throws(JSONParseError) -> Result {
        let outcome = bytes.withContiguousStorageIfAvailable { buffer in
            Swift.Result { () throws(JSONParseError) in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let outcome { return try outcome.get() }
        return try Array(bytes).withUnsafeBytes { buffer in
            Swift.Result { () throws(JSONParseError) in try body(buffer) }
        }.get()
    }
}
