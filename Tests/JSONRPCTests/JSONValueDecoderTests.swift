import Foundation
import JSONRPC
import Testing

/// The tree decoder decodes what `JSONDecoder` decodes, from the parsed tree, with the same
/// kinds of errors and coding paths.
@Suite("JSONValueDecoder")
struct JSONValueDecoderTests {
    struct Sample: Codable, Equatable {
        struct Inner: Codable, Equatable {
            var id: UInt64
            var tags: [String]
            var ratio: Double?
        }
        var name: String
        var enabled: Bool
        var count: Int
        var inner: Inner
        var map: [String: Int8]
        var nested: [[Int]]
        var missing: String?
    }

    static func tree(_ text: String) throws -> JSONValue { try JSONParser().parse(Array(text.utf8)) }

    static let text =
        #"{"name":"x","enabled":true,"count":-3,"inner":{"id":18446744073709551615,"tags":["a","b"],"ratio":0.25},"map":{"k":-128},"nested":[[1],[],[2,3]],"missing":null}"#

    @Test func decodesWhatJSONDecoderDecodes() throws {
        let viaTree = try JSONValueDecoder().decode(Sample.self, from: try Self.tree(Self.text))
        let viaFoundation = try JSONDecoder().decode(Sample.self, from: Data(Self.text.utf8))
        #expect(viaTree == viaFoundation)
        #expect(viaTree.inner.id == .max, "64-bit values keep every bit")
    }

    @Test func integralNumbersWrittenOtherwiseAreIntegers() throws {
        struct Value: Decodable { var value: Int }
        for text in ["3", "3.0", "3e0", "30e-1"] {
            #expect(try JSONValueDecoder().decode(Value.self, from: try Self.tree(#"{"value":\#(text)}"#)).value == 3)
        }
    }

    @Test(arguments: [
        (#"{"value":3.5}"#, "value"), (#"{"value":300}"#, "value"), (#"{"value":"3"}"#, "value"),
        (#"{"other":1}"#, "value"), (#"{"value":null}"#, "value"),
    ])
    func problemsNameTheirPath(text: String, key: String) throws {
        struct Value: Decodable { var value: Int8 }
        let error = #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(Value.self, from: try Self.tree(text))
        }
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            path = context.codingPath
        case .keyNotFound(let missing, let context)?:
            path = context.codingPath + [missing]
        default:
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(path.map(\.stringValue) == [key], "\(text)")
    }

    @Test func arrayElementsAreNamedByIndex() throws {
        struct List: Decodable { var items: [Bool] }
        let error = #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(List.self, from: try Self.tree(#"{"items":[true,1]}"#))
        }
        guard case .typeMismatch(_, let context)? = error else {
            Issue.record("expected a type mismatch, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["items", "1"])
    }

    @Test func paramsAreParsedOnceAndDecodedWithTheirFieldPath() throws {
        struct Params: Decodable { var view: String }
        let request = JSONRPCRequest(method: "m", id: .init(1), params: try Self.tree(#"{"view":7}"#))
        let error = #expect(throws: JSONRPCError.self) { try request.decodeParams(Params.self) }
        #expect(error?.data?["field"] == "params.view")
        #expect(error?.data?["reason"] == "expected string")
    }
}
