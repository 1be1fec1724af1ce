/// Hex spelling of 64-bit values in documents.
///
/// JSON numbers cannot carry 64-bit MSR values exactly (most parsers use doubles), so every
/// MSR value is a string: `"0x00ff00ff00000016"` on output, any `0x`-prefixed hex on input.
public enum HexNumber {
    /// Parses `0x`-prefixed hex (either case, 1–16 digits, optional leading zeros beyond that
    /// are rejected). Returns `nil` for anything else.
    public static func parse(_ text: String) -> UInt64? {
        let utf8 = text.utf8
        guard utf8.count > 2 else { return nil }
        var iterator = utf8.makeIterator()
        guard iterator.next() == UInt8(ascii: "0") else { return nil }
        let x = iterator.next()
        guard x == UInt8(ascii: "x") || x == UInt8(ascii: "X") else { return nil }
        var value: UInt64 = 0
        var significantDigits = 0
        while let byte = iterator.next() {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            if value != 0 || digit != 0 { significantDigits += 1 }
            guard significantDigits <= 16 else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    /// `0x` and exactly 16 lower-case digits: the canonical spelling of a 64-bit MSR value.
    public static func format64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// `0x` and the shortest lower-case digits: for indices, masks and small fields.
    public static func formatShort(_ value: UInt64) -> String {
        "0x" + String(value, radix: 16)
    }
}
