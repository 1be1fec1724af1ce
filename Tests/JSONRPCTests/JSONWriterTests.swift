import JSONRPC
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("writes compact JSON with members in order")
    func compact() {
        let value: JSONValue = ["b": [1, true, nil], "a": ["x": "y"], "n": .number(JSONNumber(double: -0.5)!)]
        #expect(value.serializedString == #"{"b":[1,true,null],"a":{"x":"y"},"n":-0.5}"#)
    }

    @Test("escapes quotes, backslashes and control characters only")
    func escaping() {
        let value = JSONValue.string("q\"b\\s/\u{8}\u{C}\n\r\t\u{1}\u{1F}\u{7F}é😀\u{0}")
        #expect(value.serializedString == #""q\"b\\s/\b\f\n\r\t\u0001\u001f"# + "\u{7F}é😀" + #"\u0000""#)
    }

    @Test(
        "round-trips through the parser",
        arguments: [
            #"{"a":[1,2.5,-3e-7,"x\ny",{"":null}],"b":{"c":false}}"#,
            #"["\u0000","\"","\\","😀",[],{}]"#,
            #"18446744073709551615"#,
        ]
    )
    func roundTrip(text: String) throws {
        let value = try JSONParser().parse(text)
        let written = value.serialized()
        #expect(try JSONParser().parse(written) == value)
        #expect(try JSONParser().parse(written).serialized() == written)
    }

    @Test("JSONNumber validates its text")
    func numbers() {
        #expect(JSONNumber("12") != nil)
        #expect(JSONNumber("-0.5e10") != nil)
        #expect(JSONNumber("012") == nil)
        #expect(JSONNumber("1.") == nil)
        #expect(JSONNumber("1 ") == nil)
        #expect(JSONNumber("") == nil)
        #expect(JSONNumber(double: .infinity) == nil)
        #expect(JSONNumber(UInt64.max).text == "18446744073709551615")
    }
}
