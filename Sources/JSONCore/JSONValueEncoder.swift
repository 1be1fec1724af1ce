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
        try EncodingNode.box(value, path: nil).resolved()
    }

    /// Encodes `value` straight to its compact JSON text (the bytes `encode(_:)` would serialize
    /// to), without building a ``JSONValue`` first.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite floating-point number.
    package func write(_ value: some Encodable, to output: inout some JSONOutput) throws {
        try EncodingNode.box(value, path: nil).write(to: &output)
    }
}

/// A coding path kept as a parent chain and turned into `[any CodingKey]` only when somebody
/// asks (an error, or a type that reads its `codingPath`): most values never need it.
private final class CodingPath {
    let parent: CodingPath?
    let key: any CodingKey

    init(_ parent: CodingPath?, _ key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    static func keys(of path: CodingPath?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = path
        while let current = node {
            keys.append(current.key)
            node = current.parent
        }
        return keys.reversed()
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

    /// Members in the order they were encoded; sorted (the last of equal keys wins, as in a
    /// dictionary) when the tree is read.
    final class ObjectNode {
        var members: [(key: String, node: EncodingNode)] = []

        func sortedMembers() -> [(key: String, node: EncodingNode)] {
            var order = Array(self.members.indices)
            order.sort { (self.members[$0].key, $0) < (self.members[$1].key, $1) }
            var sorted: [(key: String, node: EncodingNode)] = []
            sorted.reserveCapacity(order.count)
            for (position, index) in order.enumerated() {
                let isOverwritten =
                    position + 1 < order.count && self.members[order[position + 1]].key == self.members[index].key
                if !isOverwritten { sorted.append(self.members[index]) }
            }
            return sorted
        }
    }

    final class ArrayNode {
        var elements: [EncodingNode] = []
    }

    /// The node of `value`; `path` is only evaluated for values that are not JSON primitives.
    static func box(_ value: some Encodable, path: @autoclosure () -> CodingPath?) throws -> EncodingNode {
        switch value {
        case let string as String: return .value(.string(string))
        case let bool as Bool: return .value(.bool(bool))
        case let int as Int: return .value(.number(JSONNumber(int)))
        case let double as Double: return .value(try number(double, path()))
        default:
            let encoder = TreeEncoder(path: path())
            try value.encode(to: encoder)
            return encoder.node ?? .object(ObjectNode())
        }
    }

    static func number(_ value: Double, _ path: @autoclosure () -> CodingPath?) throws -> JSONValue {
        .number(try JSONNumber(encoding: value) { CodingPath.keys(of: path()) })
    }

    func resolved() -> JSONValue {
        switch self {
        case .value(let value): value
        case .object(let object): .object(object.sortedMembers().map { JSONValue.Member($0.key, $0.node.resolved()) })
        case .array(let array): .array(array.elements.map { $0.resolved() })
        case .deferred(let encoder): (encoder.node ?? .object(ObjectNode())).resolved()
        }
    }

    /// Writes the JSON text `resolved()` serializes to.
    func write(to output: inout some JSONOutput) {
        switch self {
        case .value(let value):
            value.write(to: &output)
        case .object(let object):
            output.appendByte(UInt8(ascii: "{"))
            for (position, member) in object.sortedMembers().enumerated() {
                if position > 0 { output.appendByte(UInt8(ascii: ",")) }
                writeJSONString(member.key, to: &output)
                output.appendByte(UInt8(ascii: ":"))
                member.node.write(to: &output)
            }
            output.appendByte(UInt8(ascii: "}"))
        case .array(let array):
            output.appendByte(UInt8(ascii: "["))
            for (position, element) in array.elements.enumerated() {
                if position > 0 { output.appendByte(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.appendByte(UInt8(ascii: "]"))
        case .deferred(let encoder):
            (encoder.node ?? .object(ObjectNode())).write(to: &output)
        }
    }
}

/// The `Encoder` for one value of the tree.
private final class TreeEncoder: Encoder, SingleValueEncodingContainer {
    let path: CodingPath?
    var codingPath: [any CodingKey] { CodingPath.keys(of: path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: EncodingNode?

    init(path: CodingPath?) {
        self.path = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: EncodingNode.ObjectNode
        if case .object(let existing)? = node {
            object = existing
        } else {
            object = EncodingNode.ObjectNode()
            node = .object(object)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(object: object, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: EncodingNode.ArrayNode
        if case .array(let existing)? = node {
            array = existing
        } else {
            array = EncodingNode.ArrayNode()
            node = .array(array)
        }
        return UnkeyedContainer(array: array, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { node = .value(.null) }
    func encode(_ value: Bool) { node = .value(.bool(value)) }
    func encode(_ value: String) { node = .value(.string(value)) }
    func encode(_ value: Double) throws { node = .value(try EncodingNode.number(value, path)) }
    func encode(_ value: Float) throws { node = .value(try EncodingNode.number(Double(value), path)) }
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
    func encode(_ value: some Encodable) throws { node = try EncodingNode.box(value, path: path) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: EncodingNode.ObjectNode
    let path: CodingPath?
    var codingPath: [any CodingKey] { CodingPath.keys(of: path) }

    private func set(_ value: JSONValue, _ key: Key) { set(.value(value), key.stringValue) }
    private func set(_ node: EncodingNode, _ key: String) { object.members.append((key, node)) }
    private func child(_ key: Key) -> CodingPath { CodingPath(path, key) }

    mutating func encodeNil(forKey key: Key) { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        set(try EncodingNode.number(value, child(key)), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        set(try EncodingNode.number(Double(value), child(key)), key)
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
        set(try EncodingNode.box(value, path: child(key)), key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = EncodingNode.ObjectNode()
        set(.object(nested), key.stringValue)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, path: child(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodingNode.ArrayNode()
        set(.array(nested), key.stringValue)
        return UnkeyedContainer(array: nested, path: child(key))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> any Encoder {
        let encoder = TreeEncoder(path: CodingPath(path, AnyKey(name)))
        set(.deferred(encoder), name)
        return encoder
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let array: EncodingNode.ArrayNode
    let path: CodingPath?
    var codingPath: [any CodingKey] { CodingPath.keys(of: path) }
    var count: Int { array.elements.count }

    private var next: CodingPath { CodingPath(path, AnyKey(index: count)) }
    private func append(_ value: JSONValue) { array.elements.append(.value(value)) }

    mutating func encodeNil() { append(.null) }
    mutating func encode(_ value: Bool) { append(.bool(value)) }
    mutating func encode(_ value: String) { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try EncodingNode.number(value, next)) }
    mutating func encode(_ value: Float) throws { append(try EncodingNode.number(Double(value), next)) }
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
        array.elements.append(try EncodingNode.box(value, path: next))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = EncodingNode.ObjectNode()
        let path = next
        array.elements.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, path: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodingNode.ArrayNode()
        let path = next
        array.elements.append(.array(nested))
        return UnkeyedContainer(array: nested, path: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = TreeEncoder(path: next)
        array.elements.append(.deferred(encoder))
        return encoder
    }
}

/// A coding key for array indices, `super` and error paths.
package struct AnyKey: CodingKey {
    private let name: String
    package let intValue: Int?
    package var stringValue: String { intValue.map { "Index \($0)" } ?? name }

    package init(_ string: String) {
        name = string
        intValue = nil
    }

    package init(index: Int) {
        name = ""
        intValue = index
    }

    package init?(stringValue: String) { self.init(stringValue) }
    package init?(intValue: Int) { self.init(index: intValue) }
}
