#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Encodes `Encodable` values into a ``JSONValue`` — the same JSON that Foundation's
/// `JSONEncoder` writes with `.sortedKeys` and `.withoutEscapingSlashes`, at a fraction of its
/// cost (no intermediate dictionaries of boxed values, no Foundation writer).
///
/// Object members come out sorted by key; integral doubles print without a fractional part
/// (`30`, not `30.0`), as `JSONEncoder` prints them. Types are encoded through their own
/// `Encodable` conformance: there are no date, data or key strategies.
///
/// ```swift
/// let value = try JSONValueEncoder().encode(status)   // a JSONValue
/// let bytes = value.serialized()
/// ```
public struct JSONValueEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `value`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite floating-point number.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        try EncodingNode.box(value, codingPath: []).resolved()
    }
}

/// A value under construction: containers are references so that nested containers handed
/// out earlier keep writing into the tree.
private enum EncodingNode {
    case value(JSONValue)
    case object(ObjectNode)
    case array(ArrayNode)
    /// Written by an encoder handed out for a nested or super encoder.
    case deferred(TreeEncoder)

    final class ObjectNode {
        var members: [String: EncodingNode] = [:]
    }

    final class ArrayNode {
        var elements: [EncodingNode] = []
    }

    static func box(_ value: some Encodable, codingPath: [any CodingKey]) throws -> EncodingNode {
        switch value {
        case let string as String: return .value(.string(string))
        case let bool as Bool: return .value(.bool(bool))
        case let int as Int: return .value(.number(JSONNumber(int)))
        case let double as Double: return .value(try number(double, codingPath))
        default:
            let encoder = TreeEncoder(codingPath: codingPath)
            try value.encode(to: encoder)
            return encoder.node ?? .object(ObjectNode())
        }
    }

    static func number(_ value: Double, _ codingPath: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(codingPath: codingPath, debugDescription: "\(value) is not a JSON number")
            )
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(JSONNumber(uncheckedText: text))
    }

    func resolved() -> JSONValue {
        switch self {
        case .value(let value): value
        case .object(let object):
            .object(object.members.sorted { $0.key < $1.key }.map { JSONValue.Member($0.key, $0.value.resolved()) })
        case .array(let array): .array(array.elements.map { $0.resolved() })
        case .deferred(let encoder): (encoder.node ?? .object(ObjectNode())).resolved()
        }
    }
}

/// The `Encoder` for one value of the tree.
private final class TreeEncoder: Encoder, SingleValueEncodingContainer {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: EncodingNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: EncodingNode.ObjectNode
        if case .object(let existing)? = node {
            object = existing
        } else {
            object = EncodingNode.ObjectNode()
            node = .object(object)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: EncodingNode.ArrayNode
        if case .array(let existing)? = node {
            array = existing
        } else {
            array = EncodingNode.ArrayNode()
            node = .array(array)
        }
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { node = .value(.null) }
    func encode(_ value: Bool) { node = .value(.bool(value)) }
    func encode(_ value: String) { node = .value(.string(value)) }
    func encode(_ value: Double) throws { node = .value(try EncodingNode.number(value, codingPath)) }
    func encode(_ value: Float) throws { node = .value(try EncodingNode.number(Double(value), codingPath)) }
    func encode(_ value: Int) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: Int8) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: Int16) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: Int32) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: Int64) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt8) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt16) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt32) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt64) { node = .value(.number(JSONNumber(value))) }
    func encode(_ value: some Encodable) throws { node = try EncodingNode.box(value, codingPath: codingPath) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: EncodingNode.ObjectNode
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue, _ key: Key) { object.members[key.stringValue] = .value(value) }

    mutating func encodeNil(forKey key: Key) { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        set(try EncodingNode.number(value, codingPath + [key]), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        set(try EncodingNode.number(Double(value), codingPath + [key]), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) { set(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        object.members[key.stringValue] = try EncodingNode.box(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = EncodingNode.ObjectNode()
        object.members[key.stringValue] = .object(nested)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodingNode.ArrayNode()
        object.members[key.stringValue] = .array(nested)
        return UnkeyedContainer(array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> any Encoder {
        let encoder = TreeEncoder(codingPath: codingPath + [AnyKey(name)])
        object.members[name] = .deferred(encoder)
        return encoder
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let array: EncodingNode.ArrayNode
    let codingPath: [any CodingKey]
    var count: Int { array.elements.count }

    private var nextPath: [any CodingKey] { codingPath + [AnyKey(index: count)] }
    private func append(_ value: JSONValue) { array.elements.append(.value(value)) }

    mutating func encodeNil() { append(.null) }
    mutating func encode(_ value: Bool) { append(.bool(value)) }
    mutating func encode(_ value: String) { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try EncodingNode.number(value, nextPath)) }
    mutating func encode(_ value: Float) throws { append(try EncodingNode.number(Double(value), nextPath)) }
    mutating func encode(_ value: Int) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int8) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int16) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int32) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int64) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt8) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt16) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt32) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt64) { append(.number(JSONNumber(value))) }
    mutating func encode(_ value: some Encodable) throws {
        array.elements.append(try EncodingNode.box(value, codingPath: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = EncodingNode.ObjectNode()
        let path = nextPath
        array.elements.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodingNode.ArrayNode()
        let path = nextPath
        array.elements.append(.array(nested))
        return UnkeyedContainer(array: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = TreeEncoder(codingPath: nextPath)
        array.elements.append(.deferred(encoder))
        return encoder
    }
}

/// A coding key for array indices and `super`.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}
