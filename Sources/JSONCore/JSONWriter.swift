/// A byte sink the JSON writer appends to (`[UInt8]` here; the transport adds NIO's `ByteBuffer`).
package protocol JSONOutput {
    mutating func appendByte(_ byte: UInt8)
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer)
    mutating func appendASCII(_ text: StaticString)
}

extension Array: JSONOutput where Element == UInt8 {
    package mutating func appendByte(_ byte: UInt8) { self.append(byte) }
    package mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        // Typed, the bytes are appended with one copy; a raw buffer would be appended byte by byte.
        bytes.withMemoryRebound(to: UInt8.self) { self.append(contentsOf: $0) }
    }
    package mutating func appendASCII(_ text: StaticString) {
        self.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension JSONValue {
    /// The compact UTF-8 JSON text of this value (no insignificant whitespace, members in order).
    ///
    /// - Returns: The encoded bytes.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        self.write(to: &output)
        return output
    }

    /// The compact JSON text of this value.
    public var serializedString: String {
        String(decoding: self.serialized(), as: UTF8.self)
    }

    package func write(to output: inout some JSONOutput) {
        switch self {
        case .null: output.appendASCII("null")
        case .bool(let value): output.appendASCII(value ? "true" : "false")
        case .number(let number): writeUTF8(number.text, to: &output)
        case .string(let string): writeJSONString(string, to: &output)
        case .array(let elements):
            output.appendByte(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.appendByte(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.appendByte(UInt8(ascii: "]"))
        case .object(let members):
            output.appendByte(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                if position > 0 { output.appendByte(UInt8(ascii: ",")) }
                writeJSONString(member.key, to: &output)
                output.appendByte(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.appendByte(UInt8(ascii: "}"))
        }
    }
}

extension JSONValue {
    /// This value as indented text, laid out as Foundation's `JSONSerialization` writes it with
    /// `.prettyPrinted` (two spaces per level, `"key" : value`, slashes unescaped): for files
    /// people read, such as `Docs/openrpc.json`.
    ///
    /// - Parameter sortingKeys: Write object members in the order of their keys (Swift's `String`
    ///   order: by code point for ASCII keys; Foundation's sorts without regard to case) instead of
    ///   their own order.
    /// - Returns: The text, without a final newline.
    public func prettyPrintedString(sortingKeys: Bool = true) -> String {
        var output: [UInt8] = []
        self.writePretty(to: &output, level: 0, sortingKeys: sortingKeys)
        return String(decoding: output, as: UTF8.self)
    }

    private func writePretty(to output: inout [UInt8], level: Int, sortingKeys: Bool) {
        func newline(_ level: Int) {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
        }
        switch self {
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            if elements.isEmpty { output.append(UInt8(ascii: "\n")) }
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(level + 1)
                element.writePretty(to: &output, level: level + 1, sortingKeys: sortingKeys)
            }
            newline(level)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            if members.isEmpty { output.append(UInt8(ascii: "\n")) }
            let ordered = sortingKeys ? members.sorted { $0.key < $1.key } : members
            for (position, member) in ordered.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(level + 1)
                writeJSONString(member.key, to: &output)
                output.append(contentsOf: " : ".utf8)
                member.value.writePretty(to: &output, level: level + 1, sortingKeys: sortingKeys)
            }
            newline(level)
            output.append(UInt8(ascii: "}"))
        default:
            self.write(to: &output)
        }
    }
}

/// Appends the decimal text of `value`, the bytes of `String(value)`, without making a `String` (the
/// answer templates write a dozen integers per request).
package func writeDecimal(_ value: Int, to output: inout [UInt8]) {
    withUnsafeTemporaryAllocation(byteCount: maximumDecimalLength, alignment: 1) { digits in
        let count = writeDecimal(value, into: digits.baseAddress!)
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[..<count]))
    }
}

/// The longest decimal text of an `Int`: `Int.min` is 19 digits and a sign.
package let maximumDecimalLength = 20

/// Writes the decimal text of `value` at `destination`, which has room for ``maximumDecimalLength`` bytes, and
/// returns how many it wrote.
package func writeDecimal(_ value: Int, into destination: UnsafeMutableRawPointer) -> Int {
    var magnitude = value.magnitude
    var count = value < 0 ? 2 : 1
    var rest = magnitude / 10
    while rest != 0 {
        count += 1
        rest /= 10
    }
    var position = count
    repeat {
        position -= 1
        destination.storeBytes(
            of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10),
            toByteOffset: position,
            as: UInt8.self
        )
        magnitude /= 10
    } while magnitude != 0
    if value < 0 { destination.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self) }
    return count
}

/// Appends the UTF-8 bytes of `text` verbatim.
package func writeUTF8(_ text: String, to output: inout some JSONOutput) {
    var text = text
    text.withUTF8 { output.appendBytes(UnsafeRawBufferPointer($0)) }
}

/// Appends `string` as a quoted JSON string, escaping `"`, `\` and control characters.
package func writeJSONString(_ string: String, to output: inout some JSONOutput) {
    var string = string
    output.appendByte(UInt8(ascii: "\""))
    string.withUTF8 { utf8 in
        var runStart = 0
        for position in 0..<utf8.count {
            let byte = utf8[position]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            output.appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<position])))
            runStart = position + 1
            switch byte {
            case UInt8(ascii: "\""): output.appendASCII("\\\"")
            case UInt8(ascii: "\\"): output.appendASCII("\\\\")
            case 0x08: output.appendASCII("\\b")
            case 0x0C: output.appendASCII("\\f")
            case 0x0A: output.appendASCII("\\n")
            case 0x0D: output.appendASCII("\\r")
            case 0x09: output.appendASCII("\\t")
            default:
                let hex: StaticString = "0123456789abcdef"
                output.appendASCII("\\u00")
                output.appendByte(hex.utf8Start[Int(byte >> 4)])
                output.appendByte(hex.utf8Start[Int(byte & 0xF)])
            }
        }
        output.appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count])))
    }
    output.appendByte(UInt8(ascii: "\""))
}
