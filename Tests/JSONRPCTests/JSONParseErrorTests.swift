import JSONRPC
import Testing

@Suite("JSON parse error: code and message")
struct JSONParseErrorTests {
    @Test(
        arguments: [
            ("[1,]", JSONParseError.Code.syntax),
            ("\"a", .syntax),
            ("\"\u{01}\"", .syntax),
            ("[\"\u{00}\"]", .encoding),
            ("[[[[1]]]]", .limitExceeded),
        ] as [(String, JSONParseError.Code)]
    )
    func eachRejectionHasACategory(text: String, code: JSONParseError.Code) throws {
        do {
            _ = try JSONParser(maximumDepth: 3).parse(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.code == code)
            #expect(error.message == error.reason.description)
            #expect(error.cause == nil)
        }
    }

    @Test func invalidUTF8IsAnEncodingError() {
        #expect(throws: JSONParseError(offset: 1, reason: .invalidUTF8)) { try JSONParser().parse([UInt8]([0x22, 0xFF, 0x22])) }
        #expect(JSONParseError(offset: 1, reason: .invalidUTF8).code == .encoding)
    }

    @Test func equalityIgnoresTheCause() {
        struct Underlying: Error {}
        let plain = JSONParseError(offset: 4, reason: .trailingCharacters)
        let caused = JSONParseError(offset: 4, reason: .trailingCharacters, cause: Underlying())
        #expect(plain == caused && plain.hashValue == caused.hashValue)
        #expect(caused.cause is Underlying)
        #expect(plain.description == "trailing characters after the JSON value at byte 4")
    }

    @Test func codesAreDistinct() {
        let codes: [JSONParseError.Code] = [.syntax, .encoding, .limitExceeded]
        #expect(Set(codes).count == codes.count)
    }
}
