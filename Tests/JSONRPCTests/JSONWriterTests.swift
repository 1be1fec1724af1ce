import Foundation
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

@Suite("JSON pretty printing")
struct JSONPrettyPrintingTests {
    @Test("lays out text as JSONSerialization's .prettyPrinted with sorted keys and unescaped slashes")
    func matchesJSONSerialization() throws {
        let text = #"{"z":[1,{"b":[],"a":{}},"a/b"],"a":{"n":-0.5,"s":"q\"\\\u0001","t":true,"nil":null},"m":[[]]}"#
        let value = try JSONParser().parse(text)
        let foundation = try JSONSerialization.data(
            withJSONObject: try JSONSerialization.jsonObject(with: Data(text.utf8)),
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        )
        #expect(value.prettyPrintedString() == String(decoding: foundation, as: UTF8.self))
    }

    @Test("keeps member order unless asked to sort")
    func memberOrder() {
        let value: JSONValue = ["b": 1, "a": [2]]
        #expect(value.prettyPrintedString(sortingKeys: false) == "{\n  \"b\" : 1,\n  \"a\" : [\n    2\n  ]\n}")
        #expect(value.prettyPrintedString() == "{\n  \"a\" : [\n    2\n  ],\n  \"b\" : 1\n}")
    }

    @Test(
        "an object writer writes integers as String(value) does",
        arguments: [0, 7, -1, 9, 10, -10, 99, 100, 1_234_567_890, -9_876_543_210, Int.max, Int.min]
    )
    func integers(value: Int) {
        let answer = JSONObjectTemplate { object in object.write("n", value) }.answer { _ in }
        #expect(answer.jsonText == Array(#"{"n":\#(value)}"#.utf8))
    }

    @Test(
        "a template's slots hold any integer and the longest shortest-text doubles, as JSONEncoder writes them",
        arguments: [
            (Int.min, -2.2250738585072014e-308), (Int.max, -1.7976931348623157e308), (0, 0), (-1, -0.0),
            (9, 0.1), (10, 1e16), (-10, 5e-324), (99, 123_456.789), (100, 30), (1_234_567_890, 1e-7),
        ]
    )
    func templateSlots(integer: Int, double: Double) throws {
        struct Inner: Encodable { let d: Int }
        struct Members: Encodable {
            let a: Int
            let b: Double
            let c: Inner
        }
        let template = JSONObjectTemplate { object in
            object.writeSlot("a")
            object.writeSlot("b")
            object.writeObject("c") { inner in inner.writeSlot("d") }
        }
        let answer = try template.answer { slots in
            slots.fill(integer)
            try slots.fill(double)
            slots.fill(~integer)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = try encoder.encode(Members(a: integer, b: double, c: Inner(d: ~integer)))
        #expect(String(decoding: answer.jsonText, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }
}
