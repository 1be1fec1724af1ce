import Foundation
import JSONRPC
import Testing

/// ``JSONValueEncoder`` writes exactly what `JSONEncoder` (`.sortedKeys`,
/// `.withoutEscapingSlashes`) writes.
@Suite("JSONValueEncoder")
struct JSONValueEncoderTests {
    enum Color: String, Codable { case red, green }

    struct Inner: Codable, Equatable {
        var name: String
        var weight: Double?
        var tags: [String]
    }

    struct Sample: Codable {
        var zeta = 1
        var alpha = "a/b \"quoted\" \\ tab\t newline\n bell\u{07} é 😀"
        var doubles: [Double] = [
            0, 1, -1, 30, 0.1, 1.49, 123_456_789.125, 1e-7, 1e21, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ]
        var float: Float = 0.25
        var integers: [Int64] = [.min, -1, 0, .max]
        var unsigned: UInt64 = .max
        var small: [Int8] = [-128, 127]
        var flags: [Bool] = [true, false]
        var missing: String? = nil
        var present: String? = "here"
        var nested = Inner(name: "n", weight: nil, tags: [])
        var list = [Inner(name: "x", weight: 2.5, tags: ["t"])]
        var byName: [String: Int] = ["b": 2, "a": 1, "c": 3]
        var byNumber: [Int: String] = [10: "ten", 2: "two"]
        var color = Color.green
        var optionals: [Int?] = [1, nil, 3]
        var empty: [String: String] = [:]
        var nestedArrays: [[Int]] = [[], [1, 2], [3]]
    }

    /// A type that uses nested and super encoders by hand.
    final class Derived: Encodable {
        enum Keys: String, CodingKey { case own, info, list }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("o", forKey: .own)
            var info = container.nestedContainer(keyedBy: Keys.self, forKey: .info)
            try info.encode(1.5, forKey: .own)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(1)
            var inner = list.nestedContainer(keyedBy: Keys.self)
            try inner.encodeNil(forKey: .own)
            try list.encode("s")
            try "base".encode(to: container.superEncoder())
        }
    }

    func foundation(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func ours(_ value: some Encodable) throws -> String {
        try JSONValueEncoder().encode(value).serializedString
    }

    @Test func matchesJSONEncoderByteForByte() throws {
        #expect(try ours(Sample()) == foundation(Sample()))
        #expect(try ours(Derived()) == foundation(Derived()))
        #expect(try ours([Sample(), Sample()]) == foundation([Sample(), Sample()]))
        #expect(try ours("top") == foundation("top"))
        #expect(try ours(42.0) == foundation(42.0))
        #expect(try ours([Int?.none]) == foundation([Int?.none]))
    }

    @Test func nonFiniteNumbersAreErrorsWithTheirPath() {
        struct Bad: Encodable { var value = [1.0, .nan] }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Bad()) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Double.infinity) }
    }
}
