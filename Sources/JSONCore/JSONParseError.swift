/// Why a JSON text was rejected, and where.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset (from the start of the input) at which the problem was detected.
    public var offset: Int
    /// What is wrong at ``offset``.
    public var reason: Reason

    /// Creates a parse error.
    ///
    /// - Parameters:
    ///   - offset: The byte offset of the problem.
    ///   - reason: What is wrong.
    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// The kinds of problems the parser reports.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// The input ended inside a value (or was empty).
        case unexpectedEndOfInput
        /// A byte that cannot start or continue a value here.
        case unexpectedByte(UInt8)
        /// A NUL byte, anywhere.
        case nulByte
        /// A byte sequence that is not well-formed UTF-8 inside a string.
        case invalidUTF8
        /// A raw control character (U+0000 to U+001F) inside a string.
        case unescapedControlCharacter(UInt8)
        /// A backslash escape that JSON does not define, or malformed `\u` hex digits.
        case invalidEscape
        /// A `\u` escape of a UTF-16 surrogate without its partner.
        case loneSurrogate
        /// A number with a superfluous leading zero, such as `01`.
        case leadingZero
        /// A number that does not match the JSON grammar, such as `1.` or `-`.
        case invalidNumber
        /// Containers nested deeper than the configured maximum.
        case nestingTooDeep(maximum: Int)
        /// Non-whitespace after the complete top-level value.
        case trailingCharacters

        /// A short human-readable explanation.
        public var description: String {
            switch self {
            case .unexpectedEndOfInput: "unexpected end of input"
            case .unexpectedByte(let byte):
                if byte >= 0x21 && byte < 0x7F {
                    "unexpected character '\(Character(Unicode.Scalar(byte)))'"
                } else {
                    "unexpected byte 0x\(String(byte, radix: 16, uppercase: true))"
                }
            case .nulByte: "NUL byte"
            case .invalidUTF8: "invalid UTF-8"
            case .unescapedControlCharacter(let byte):
                "unescaped control character 0x\(String(byte, radix: 16, uppercase: true)) in string"
            case .invalidEscape: "invalid escape sequence"
            case .loneSurrogate: "lone UTF-16 surrogate in \\u escape"
            case .leadingZero: "leading zero in number"
            case .invalidNumber: "invalid number"
            case .nestingTooDeep(let maximum): "nesting deeper than \(maximum) levels"
            case .trailingCharacters: "trailing characters after the JSON value"
            }
        }
    }

    /// `"<reason> at byte <offset>"`.
    public var description: String { "\(self.reason) at byte \(self.offset)" }
}
