/// Writes one JSON object member by member, straight to text: for answers that are built anew
/// for every request and must cost little (a status with live counters), where going through
/// `Encodable` would cost more than the rest of the request.
///
/// Members come out in the order they are written, and `nil` optionals are left out, as a
/// synthesized `Encodable` conformance leaves them out. To match ``JSONValueEncoder`` byte for
/// byte, write the members sorted by key (and test that they match).
///
/// ```swift
/// let answer = try JSONRPCResult { object in
///     try object.write("uptimeSeconds", 12.5)
///     object.write("version", "1.0.0")
/// }
/// // {"uptimeSeconds":12.5,"version":"1.0.0"}
/// ```
public struct JSONObjectWriter {
    package var text: [UInt8]
    private var isFirst = true
    /// The keys of the objects being written, outermost first (for error paths).
    private var enclosingKeys: [StaticString] = []
    /// Where values of a ``JSONObjectTemplate`` go: the text offset and the member's path.
    package private(set) var slots: [(offset: Int, path: [StaticString])] = []

    package init(text: [UInt8]) {
        self.text = text
        self.text.append(UInt8(ascii: "{"))
    }

    /// The finished object's text.
    package consuming func finish() -> [UInt8] {
        self.text.append(UInt8(ascii: "}"))
        return self.text
    }

    /// Writes `"key":`. Keys are plain ASCII names that JSON needs no escapes for.
    private mutating func key(_ key: StaticString) {
        if !self.isFirst { self.text.append(UInt8(ascii: ",")) }
        self.isFirst = false
        self.text.append(UInt8(ascii: "\""))
        self.text.appendASCII(key)
        self.text.append(UInt8(ascii: "\""))
        self.text.append(UInt8(ascii: ":"))
    }

    /// Writes the key of a member whose value each answer of a ``JSONObjectTemplate`` fills in, in the order the
    /// slots were written.
    public mutating func writeSlot(_ key: StaticString) {
        self.key(key)
        self.slots.append((self.text.count, self.enclosingKeys + [key]))
    }

    /// Writes a string member.
    public mutating func write(_ key: StaticString, _ value: String) {
        self.key(key)
        writeJSONString(value, to: &self.text)
    }

    /// Writes a string member, or nothing for `nil`.
    public mutating func write(_ key: StaticString, _ value: String?) {
        if let value { self.write(key, value) }
    }

    /// Writes a Boolean member.
    public mutating func write(_ key: StaticString, _ value: Bool) {
        self.key(key)
        self.text.appendASCII(value ? "true" : "false")
    }

    /// Writes an integer member.
    public mutating func write(_ key: StaticString, _ value: Int) {
        self.key(key)
        writeDecimal(value, to: &self.text)
    }

    /// Writes a number member as ``JSONValueEncoder`` writes a `Double` (`30`, not `30.0`).
    ///
    /// - Throws: `EncodingError.invalidValue` if `value` is not finite.
    public mutating func write(_ key: StaticString, _ value: Double) throws {
        let number = try JSONNumber(encoding: value) {
            (self.enclosingKeys + [key]).map { AnyKey($0.description) }
        }
        self.key(key)
        writeUTF8(number.text, to: &self.text)
    }

    /// Writes a number member, or nothing for `nil`.
    ///
    /// - Throws: `EncodingError.invalidValue` if `value` is not finite.
    public mutating func write(_ key: StaticString, _ value: Double?) throws {
        if let value { try self.write(key, value) }
    }

    /// Writes a member whose value is an object written by `body`.
    public mutating func writeObject(_ key: StaticString, _ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        self.key(key)
        self.text.append(UInt8(ascii: "{"))
        self.isFirst = true
        self.enclosingKeys.append(key)
        defer {
            self.text.append(UInt8(ascii: "}"))
            self.isFirst = false
            self.enclosingKeys.removeLast()
        }
        try body(&self)
    }
}
