/// A minimal canonical JSON writer (the RFC 8785 rules for the values fingerprints use):
/// object members sorted by key, no whitespace, integers in decimal, strings with only the
/// mandatory escapes. Independent of Foundation's encoder, whose output may change between
/// toolchains — a fingerprint must not.
enum CanonicalJSON {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case object([String: CanonicalJSON])

    /// The canonical UTF-8 bytes of this value.
    var bytes: [UInt8] {
        var output: [UInt8] = []
        write(into: &output)
        return output
    }

    private func write(into output: inout [UInt8]) {
        switch self {
        case .string(let text): Self.writeString(text, into: &output)
        case .integer(let value): output.append(contentsOf: String(value).utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // RFC 8785 sorts by UTF-16 code units; keys here are ASCII, where that equals byte order.
            for (position, key) in members.keys.sorted().enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
            case 0x08: output.append(contentsOf: "\\b".utf8)
            case 0x09: output.append(contentsOf: "\\t".utf8)
            case 0x0A: output.append(contentsOf: "\\n".utf8)
            case 0x0C: output.append(contentsOf: "\\f".utf8)
            case 0x0D: output.append(contentsOf: "\\r".utf8)
            case 0x00..<0x20:
                let hex = String(byte, radix: 16)
                output.append(contentsOf: ("\\u00" + (byte < 0x10 ? "0" : "") + hex).utf8)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
