/// Byte-level JSON scanning over one contiguous buffer.
///
/// Every read is bounds-checked against `bytes.count`, nesting is tracked on an explicit heap stack (no recursion),
/// so no input can trap or overflow the stack. Errors carry the byte offset at which they were detected.
package struct JSONScanner {
    package let bytes: UnsafeRawBufferPointer
    package var index = 0
    package let maximumDepth: Int

    package init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    package var isAtEnd: Bool { self.index >= self.bytes.count }

    package func peek() -> UInt8? {
        self.index < self.bytes.count ? self.bytes[self.index] : nil
    }

    package func fail(_ reason: JSONParseError.Reason, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? self.index, reason: reason)
    }

    /// The error for whatever is at `index` when it cannot start or continue a value.
    package func unexpected() -> JSONParseError {
        guard let byte = self.peek() else { return self.fail(.unexpectedEndOfInput) }
        return self.fail(byte == 0 ? .nulByte : .unexpectedByte(byte))
    }

    package mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x0A, 0x0D, 0x09: self.index += 1
            default: return
            }
        }
    }

    package mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        guard self.peek() == byte else { throw self.unexpected() }
        self.index += 1
    }

    /// Requires that only whitespace remains.
    package mutating func expectEnd() throws(JSONParseError) {
        self.skipWhitespace()
        guard let byte = self.peek() else { return }
        throw self.fail(byte == 0 ? .nulByte : .trailingCharacters)
    }

    private func checkDepth(_ openContainers: Int) throws(JSONParseError) {
        if openContainers >= self.maximumDepth {
            throw self.fail(.nestingTooDeep(maximum: self.maximumDepth))
        }
    }
}

// MARK: - Values

extension JSONScanner {
    private struct Frame {
        var isObject: Bool
        var elements: [JSONValue] = []
        var members: [JSONValue.Member] = []
        var key = ""
    }

    /// Parses one value starting at `index` (leading whitespace allowed).
    ///
    /// - Parameter depth: How many containers already enclose this value.
    package mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        var stack: [Frame] = []
        descend: while true {
            self.skipWhitespace()
            guard let byte = self.peek() else { throw self.fail(.unexpectedEndOfInput) }
            var value: JSONValue
            if let isObject = Self.opensContainer(byte) {
                if try self.enterContainer(isObject: isObject, depth: depth + stack.count) {
                    stack.append(Frame(isObject: isObject, key: isObject ? try self.parseMemberKey() : ""))
                    continue descend
                }
                value = isObject ? .object([]) : .array([])
            } else {
                value = try self.parseScalar()
            }
            // Attach the finished value to its container; close containers that end here.
            while !stack.isEmpty {
                let top = stack.count - 1
                let isObject = stack[top].isObject
                if isObject {
                    stack[top].members.append(JSONValue.Member(stack[top].key, value))
                } else {
                    stack[top].elements.append(value)
                }
                if try self.continueContainer(isObject: isObject) {
                    if isObject { stack[top].key = try self.parseMemberKey() }
                    continue descend
                }
                let frame = stack.removeLast()
                value = isObject ? .object(frame.members) : .array(frame.elements)
            }
            return value
        }
    }

    /// Validates one value starting at `index` without building it.
    ///
    /// - Parameter depth: How many containers already enclose this value.
    package mutating func skipValue(depth: Int) throws(JSONParseError) {
        var stack: [Bool] = []  // isObject, per open container
        descend: while true {
            self.skipWhitespace()
            guard let byte = self.peek() else { throw self.fail(.unexpectedEndOfInput) }
            if let isObject = Self.opensContainer(byte) {
                if try self.enterContainer(isObject: isObject, depth: depth + stack.count) {
                    if isObject { try self.skipMemberKey() }
                    stack.append(isObject)
                    continue descend
                }
            } else {
                try self.skipScalar()
            }
            while let isObject = stack.last {
                if try self.continueContainer(isObject: isObject) {
                    if isObject { try self.skipMemberKey() }
                    continue descend
                }
                stack.removeLast()
            }
            return
        }
    }

    /// Whether `byte` opens an object (`true`), an array (`false`) or neither (`nil`).
    private static func opensContainer(_ byte: UInt8) -> Bool? {
        switch byte {
        case UInt8(ascii: "{"): true
        case UInt8(ascii: "["): false
        default: nil
        }
    }

    /// Moves past the `{` or `[` at `index` and the whitespace after it, checking that `depth`
    /// enclosing containers leave room for it.
    ///
    /// - Returns: `true` when a member or element follows; `false` when the container is empty
    ///   (its closing bracket is consumed too).
    package mutating func enterContainer(isObject: Bool, depth: Int) throws(JSONParseError) -> Bool {
        try self.checkDepth(depth)
        self.index += 1
        self.skipWhitespace()
        guard self.peek() == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return true }
        self.index += 1
        return false
    }

    /// After a member or element: moves past the `,` and the whitespace after it and returns `true`,
    /// or past the container's closing bracket and returns `false`.
    package mutating func continueContainer(isObject: Bool) throws(JSONParseError) -> Bool {
        self.skipWhitespace()
        switch self.peek() {
        case UInt8(ascii: ","):
            self.index += 1
            self.skipWhitespace()
            return true
        case UInt8(ascii: "}") where isObject, UInt8(ascii: "]") where !isObject:
            self.index += 1
            return false
        default:
            throw self.unexpected()
        }
    }

    /// Parses `"key" :` at `index`.
    package mutating func parseMemberKey() throws(JSONParseError) -> String {
        try self.parseMemberKey { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads a member key and its colon, and returns what `read` makes of the key's unescaped UTF-8 bytes, without
    /// a `String` for a key without escapes (a request's keys are matched this way).
    package mutating func parseMemberKey<Key>(_ read: (UnsafeRawBufferPointer) -> Key) throws(JSONParseError) -> Key {
        guard self.peek() == UInt8(ascii: "\"") else { throw self.unexpected() }
        let key = try self.parseString(read)
        self.skipWhitespace()
        try self.expect(UInt8(ascii: ":"))
        return key
    }

    private mutating func skipMemberKey() throws(JSONParseError) {
        guard self.peek() == UInt8(ascii: "\"") else { throw self.unexpected() }
        _ = try self.scanString()
        self.skipWhitespace()
        try self.expect(UInt8(ascii: ":"))
    }

    private mutating func parseScalar() throws(JSONParseError) -> JSONValue {
        switch self.peek() ?? 0 {
        case UInt8(ascii: "\""):
            return .string(try self.parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try self.scanNumber()
            return .number(JSONNumber(uncheckedText: self.text(range)))
        case UInt8(ascii: "t"):
            try self.expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.expectLiteral("null")
            return .null
        default:
            throw self.unexpected()
        }
    }

    private mutating func skipScalar() throws(JSONParseError) {
        switch self.peek() ?? 0 {
        case UInt8(ascii: "\""): _ = try self.scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try self.scanNumber()
        case UInt8(ascii: "t"): try self.expectLiteral("true")
        case UInt8(ascii: "f"): try self.expectLiteral("false")
        case UInt8(ascii: "n"): try self.expectLiteral("null")
        default: throw self.unexpected()
        }
    }

    package mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for offset in 0..<count {
            guard self.peek() == start[offset] else { throw self.unexpected() }
            self.index += 1
        }
    }

    /// The input bytes in `range` as a string; only call for ranges already validated as UTF-8.
    package func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[range]), as: UTF8.self)
    }
}

// MARK: - Numbers

extension JSONScanner {
    private static func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while Self.isDigit(self.peek()) { self.index += 1 }
    }

    /// Validates a number at `index` against the RFC 8259 grammar and returns its byte range.
    package mutating func scanNumber() throws(JSONParseError) -> Range<Int> {
        let start = self.index
        if self.peek() == UInt8(ascii: "-") { self.index += 1 }
        switch self.peek() ?? 0 {
        case UInt8(ascii: "0"):
            self.index += 1
            if Self.isDigit(self.peek()) { throw self.fail(.leadingZero, at: self.index - 1) }
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            self.skipDigits()
        default:
            throw self.fail(.invalidNumber)
        }
        if self.peek() == UInt8(ascii: ".") {
            self.index += 1
            guard Self.isDigit(self.peek()) else { throw self.fail(.invalidNumber) }
            self.skipDigits()
        }
        if self.peek() == UInt8(ascii: "e") || self.peek() == UInt8(ascii: "E") {
            self.index += 1
            if self.peek() == UInt8(ascii: "+") || self.peek() == UInt8(ascii: "-") { self.index += 1 }
            guard Self.isDigit(self.peek()) else { throw self.fail(.invalidNumber) }
            self.skipDigits()
        }
        return start..<self.index
    }
}

// MARK: - Strings

extension JSONScanner {
    /// Parses the string at `index` (which holds the opening quote) and leaves `index` after the closing quote.
    package mutating func parseString() throws(JSONParseError) -> String {
        let (content, hasEscapes) = try self.scanString()
        return hasEscapes ? self.unescape(content) : self.text(content)
    }

    /// Reads the string at `index` (which holds the opening quote) and returns what `read` makes of its unescaped
    /// UTF-8 bytes; only a string with escapes is copied.
    package mutating func parseString<Value>(_ read: (UnsafeRawBufferPointer) -> Value) throws(JSONParseError) -> Value {
        let (content, hasEscapes) = try self.scanString()
        guard hasEscapes else { return read(UnsafeRawBufferPointer(rebasing: self.bytes[content])) }
        var text = self.unescape(content)
        return text.withUTF8 { read(UnsafeRawBufferPointer($0)) }
    }

    /// Validates the string at `index` (which holds the opening quote): UTF-8, control characters, escapes and
    /// surrogate pairs. Leaves `index` after the closing quote.
    ///
    /// - Returns: The byte range between the quotes, and whether it contains backslash escapes.
    package mutating func scanString() throws(JSONParseError) -> (content: Range<Int>, hasEscapes: Bool) {
        self.index += 1
        let start = self.index
        var hasEscapes = false
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                self.index += 1
                return (start..<(self.index - 1), hasEscapes)
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try self.scanEscape()
            } else if byte < 0x20 {
                throw self.fail(byte == 0 ? .nulByte : .unescapedControlCharacter(byte))
            } else if byte < 0x80 {
                self.index += 1
            } else {
                try self.scanMultibyteScalar(lead: byte)
            }
        }
        throw self.fail(.unexpectedEndOfInput)
    }

    /// Validates one escape at `index` (which holds the backslash) and moves past it.
    private mutating func scanEscape() throws(JSONParseError) {
        let escapeStart = self.index
        guard self.index + 1 < self.bytes.count else {
            self.index = self.bytes.count
            throw self.fail(.unexpectedEndOfInput)
        }
        switch self.bytes[self.index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            self.index += 2
        case UInt8(ascii: "u"):
            let unit = try self.hexQuad(at: self.index + 2)
            self.index += 6
            switch unit {
            case 0xD800...0xDBFF:
                guard self.index + 1 < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\\"),
                    self.bytes[self.index + 1] == UInt8(ascii: "u")
                else { throw self.fail(.loneSurrogate, at: escapeStart) }
                let low = try self.hexQuad(at: self.index + 2)
                guard (0xDC00...0xDFFF).contains(low) else { throw self.fail(.loneSurrogate, at: escapeStart) }
                self.index += 6
            case 0xDC00...0xDFFF:
                throw self.fail(.loneSurrogate, at: escapeStart)
            default:
                break
            }
        default:
            throw self.fail(.invalidEscape)
        }
    }

    /// Reads the four hex digits of a `\u` escape starting at `offset`.
    private func hexQuad(at offset: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for position in offset..<(offset + 4) {
            guard position < self.bytes.count else { throw self.fail(.unexpectedEndOfInput, at: position) }
            let byte = self.bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw self.fail(.invalidEscape, at: position)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Validates one multi-byte UTF-8 scalar at `index` (Unicode Table 3-7: no overlongs, no surrogates, at most
    /// U+10FFFF) and moves past it.
    private mutating func scanMultibyteScalar(lead: UInt8) throws(JSONParseError) {
        let continuationCount: Int
        var firstRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: continuationCount = 1
        case 0xE0:
            continuationCount = 2
            firstRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: continuationCount = 2
        case 0xED:
            continuationCount = 2
            firstRange = 0x80...0x9F
        case 0xF0:
            continuationCount = 3
            firstRange = 0x90...0xBF
        case 0xF1...0xF3: continuationCount = 3
        case 0xF4:
            continuationCount = 3
            firstRange = 0x80...0x8F
        default: throw self.fail(.invalidUTF8)
        }
        guard self.index + continuationCount < self.bytes.count else { throw self.fail(.invalidUTF8) }
        guard firstRange.contains(self.bytes[self.index + 1]) else { throw self.fail(.invalidUTF8) }
        for offset in stride(from: 2, through: continuationCount, by: 1) {
            guard (0x80...0xBF).contains(self.bytes[self.index + offset]) else { throw self.fail(.invalidUTF8) }
        }
        self.index += continuationCount + 1
    }

    /// Decodes the escapes of an already validated string body.
    private func unescape(_ range: Range<Int>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(range.count)
        var position = range.lowerBound
        while position < range.upperBound {
            let byte = self.bytes[position]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                position += 1
                continue
            }
            let escaped = self.bytes[position + 1]
            position += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = (try? self.hexQuad(at: position)) ?? 0xFFFD
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = (try? self.hexQuad(at: position + 2)) ?? 0xDC00
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    position += 6
                }
                Self.appendUTF8(scalar, to: &output)
            default: output.append(escaped)  // " \ /
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            output.append(UInt8(scalar))
        case ..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
