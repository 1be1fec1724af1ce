import JSONRPC
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    private let parser = JSONParser()

    @Test(
        "accepts valid RFC 8259 texts",
        arguments: [
            ("null", JSONValue.null),
            ("true", true),
            (" false ", false),
            ("0", .number(JSONNumber("0")!)),
            ("-0", .number(JSONNumber("-0")!)),
            ("-12.5e+3", .number(JSONNumber("-12.5e+3")!)),
            ("1E-2", .number(JSONNumber("1E-2")!)),
            ("\"\"", ""),
            ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "a\"b\\c/d\u{8}\u{C}\n\r\t"),
            ("\"\\u00e9\\u20AC\"", "é€"),
            ("\"\\ud83d\\ude00\"", "😀"),
            ("\"é😀\"", "é😀"),
            ("\"\\u0000\"", "\u{0}"),
            ("[]", []),
            ("{}", [:]),
            (" [ 1 , [ ] , { } ] ", [1, [], [:]]),
            ("\t\r\n{\"a\" : {\"b\":[null,true]}}\n", ["a": ["b": [nil, true]]]),
            ("{\"k\":1,\"k\":2}", .object([.init("k", 1), .init("k", 2)])),
        ] as [(String, JSONValue)]
    )
    func valid(text: String, expected: JSONValue) throws {
        #expect(try self.parser.parse(text) == expected)
    }

    @Test("keeps numbers as their exact text")
    func exactNumbers() throws {
        let text = #"[18446744073709551615,-9223372036854775808,123456789012345678901234567890,1e400,0.10]"#
        let value = try self.parser.parse(text)
        #expect(value[0]?.number?.uint64 == UInt64.max)
        #expect(value[1]?.number?.int64 == Int64.min)
        #expect(value[2]?.number?.text == "123456789012345678901234567890")
        #expect(value[3]?.number?.double == nil)
        #expect(value.serializedString == text)
    }

    @Test(
        "rejects invalid texts with offset and reason",
        arguments: [
            ("", 0, JSONParseError.Reason.unexpectedEndOfInput),
            ("   ", 3, .unexpectedEndOfInput),
            ("01", 0, .leadingZero),
            ("-01", 1, .leadingZero),
            ("1.", 2, .invalidNumber),
            (".5", 0, .unexpectedByte(UInt8(ascii: "."))),
            ("+1", 0, .unexpectedByte(UInt8(ascii: "+"))),
            ("-", 1, .invalidNumber),
            ("1e", 2, .invalidNumber),
            ("1e+", 3, .invalidNumber),
            ("[1,]", 3, .unexpectedByte(UInt8(ascii: "]"))),
            ("[1 2]", 3, .unexpectedByte(UInt8(ascii: "2"))),
            ("{\"a\":1,}", 7, .unexpectedByte(UInt8(ascii: "}"))),
            ("{\"a\" 1}", 5, .unexpectedByte(UInt8(ascii: "1"))),
            ("{a:1}", 1, .unexpectedByte(UInt8(ascii: "a"))),
            ("{\"a\":}", 5, .unexpectedByte(UInt8(ascii: "}"))),
            ("[", 1, .unexpectedEndOfInput),
            ("{\"a\":1", 6, .unexpectedEndOfInput),
            ("\"abc", 4, .unexpectedEndOfInput),
            ("\"\\x\"", 1, .invalidEscape),
            ("\"\\u12\"", 5, .invalidEscape),
            ("\"\\u12", 5, .unexpectedEndOfInput),
            ("\"\\uD800\"", 1, .loneSurrogate),
            ("\"\\uDC00\"", 1, .loneSurrogate),
            ("\"\\uD800\\u0041\"", 1, .loneSurrogate),
            ("\"a\tb\"", 2, .unescapedControlCharacter(0x09)),
            ("\"a\nb\"", 2, .unescapedControlCharacter(0x0A)),
            ("tru", 3, .unexpectedEndOfInput),
            ("True", 0, .unexpectedByte(UInt8(ascii: "T"))),
            ("nul!", 3, .unexpectedByte(UInt8(ascii: "!"))),
            ("1 2", 2, .trailingCharacters),
            ("{}x", 2, .trailingCharacters),
            ("[]]", 2, .trailingCharacters),
            ("NaN", 0, .unexpectedByte(UInt8(ascii: "N"))),
        ] as [(String, Int, JSONParseError.Reason)]
    )
    func invalid(text: String, offset: Int, reason: JSONParseError.Reason) {
        #expect(throws: JSONParseError(offset: offset, reason: reason)) { try self.parser.parse(text) }
    }

    @Test(
        "rejects NUL bytes and malformed UTF-8",
        arguments: [
            ([0x22, 0x61, 0x00, 0x22], 2, JSONParseError.Reason.nulByte),
            ([0x5B, 0x31, 0x2C, 0x00, 0x5D], 3, .nulByte),
            ([0x31, 0x00], 1, .nulByte),
            ([0x00], 0, .nulByte),
            ([0x22, 0xC3, 0x28, 0x22], 1, .invalidUTF8),  // bad continuation
            ([0x22, 0xC0, 0xAF, 0x22], 1, .invalidUTF8),  // overlong '/'
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1, .invalidUTF8),  // overlong, 3 bytes
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1, .invalidUTF8),  // UTF-8 encoded surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, .invalidUTF8),  // above U+10FFFF
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1, .invalidUTF8),
            ([0x22, 0x80, 0x22], 1, .invalidUTF8),  // lone continuation byte
            ([0x22, 0xE2, 0x82], 1, .invalidUTF8),  // truncated at end of input
            ([0xEF, 0xBB, 0xBF, 0x31], 0, .unexpectedByte(0xEF)),  // byte order mark
        ] as [([UInt8], Int, JSONParseError.Reason)]
    )
    func invalidBytes(bytes: [UInt8], offset: Int, reason: JSONParseError.Reason) {
        #expect(throws: JSONParseError(offset: offset, reason: reason)) { try self.parser.parse(bytes) }
    }

    @Test("limits nesting depth without recursion")
    func nesting() throws {
        let atLimit = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(throws: Never.self) { try self.parser.parse(atLimit) }
        let overLimit = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        #expect(throws: JSONParseError(offset: 128, reason: .nestingTooDeep(maximum: 128))) {
            try self.parser.parse(overLimit)
        }
        let objects = String(repeating: "{\"a\":", count: 4) + "1" + String(repeating: "}", count: 4)
        #expect(throws: JSONParseError(offset: 15, reason: .nestingTooDeep(maximum: 3))) {
            try JSONParser(maximumDepth: 3).parse(objects)
        }
        // A million open brackets: an error, not a stack overflow, with or without a limit.
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONParseError(offset: 128, reason: .nestingTooDeep(maximum: 128))) {
            try self.parser.parse(deep)
        }
        #expect(throws: JSONParseError(offset: 1_000_000, reason: .unexpectedEndOfInput)) {
            try JSONParser(maximumDepth: .max).validate(deep)
        }
    }

    @Test("validate agrees with parse")
    func validateMatchesParse() throws {
        for text in ["[1,{\"a\":\"\\u00e9\"}]", "01", "[1,]", "\"\\uD800\"", "{\"a\":[[[]]]}"] {
            let parsed = Result { try self.parser.parse(text) }
            let validated = Result { try self.parser.validate(Array(text.utf8)) }
            switch (parsed, validated) {
            case (.success, .success): break
            case (.failure(let parseError), .failure(let validateError)):
                #expect(parseError as? JSONParseError == validateError as? JSONParseError)
            default: Issue.record("parse and validate disagree on \(text)")
            }
        }
    }

    @Test("never crashes on random and mutated input")
    func fuzz() {
        var random = SplitMix64(seed: 0x5EED)
        let seeds = [
            #"{"jsonrpc":"2.0","method":"host.vmx","params":{"vm":{"vmx":{"0x48d":"0xff"}}},"id":7}"#,
            #"[1,-2.5e3,true,false,null,"\u00e9\ud83d\ude00",{"a":[{}]}]"#,
        ].map { Array($0.utf8) }
        let alphabet = Array(#"{}[]",:\/-+.0123456789eEtrufalsn u"#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xED, 0xF4, 0xFF]
        for iteration in 0..<20_000 {
            var bytes = seeds[iteration % seeds.count]
            for _ in 0...(random.next() % 4) {
                let position = Int(random.next() % UInt64(bytes.count + 1))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0 where position < bytes.count: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: if position < bytes.count { bytes.remove(at: position) }
                }
            }
            if let value = try? self.parser.parse(bytes) {
                #expect((try? self.parser.parse(value.serialized())) == value)
            }
        }
    }
}

/// A small deterministic generator for reproducible fuzzing.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
