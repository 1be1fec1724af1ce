/// Why a JSON text was rejected, and where.
///
/// Equatable and Hashable over ``offset`` and ``reason`` (``code`` and ``message`` follow from the
/// reason); ``cause`` is not compared.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a rejection; ``JSONParseError/reason`` has the detail.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the category, e.g. `"syntax"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The text is not JSON: a byte, escape, number or structure the grammar does not allow (a
        /// raw control character in a string too), or the input ends inside a value.
        public static let syntax = Code(rawValue: "syntax")
        /// The bytes are not text: not well-formed UTF-8, or a NUL byte.
        public static let encoding = Code(rawValue: "encoding")
        /// Well-formed, but over a limit the parser was configured with (the nesting depth).
        public static let limitExceeded = Code(rawValue: "limitExceeded")

        /// The stable name of the category.
        public var description: String { rawValue }
    }

    /// The category of the rejection.
    public let code: Code
    /// A short human-readable explanation: the ``reason``'s description.
    public let message: String
    /// The byte offset (from the start of the input) at which the problem was detected.
    public let offset: Int
    /// What is wrong at ``offset``.
    public let reason: Reason
    /// The underlying error, when one led to the rejection; the parser itself sets none.
    public let cause: (any Error & Sendable)?

    /// Creates a parse error; its code and message follow from `reason`.
    ///
    /// - Parameters:
    ///   - offset: The byte offset of the problem.
    ///   - reason: What is wrong.
    ///   - cause: The underlying error, if any.
    public init(offset: Int, reason: Reason, cause: (any Error & Sendable)? = nil) {
        self.code = reason.code
        self.message = reason.description
        self.offset = offset
        self.reason = reason
        self.cause = cause
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

        /// The category this problem belongs to.
        public var code: Code {
            switch self {
            case .nulByte, .invalidUTF8: .encoding
            case .nestingTooDeep: .limitExceeded
            case .unexpectedEndOfInput, .unexpectedByte, .unescapedControlCharacter, .invalidEscape, .loneSurrogate,
                .leadingZero, .invalidNumber, .trailingCharacters:
                .syntax
            }
        }

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

    /// Whether two errors report the same problem at the same offset; ``cause`` is not compared.
    public static func == (lhs: JSONParseError, rhs: JSONParseError) -> Bool {
        lhs.offset == rhs.offset && lhs.reason == rhs.reason
    }

    /// Hashes ``offset`` and ``reason``, the parts ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(offset)
        hasher.combine(reason)
    }

    /// `"<reason> at byte <offset>"`.
    public var description: String { "\(message) at byte \(offset)" }
}
