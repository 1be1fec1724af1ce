/// Decodes `Decodable` types straight from a ``JSONValue`` tree, so bytes the strict parser has
/// read are never parsed a second time (by Foundation's `JSONDecoder`).
///
/// Errors are `DecodingError`s with the coding path, as `JSONDecoder` throws them. Numbers are
/// read from their exact text: an integer type takes an integral number in its range (`3`,
/// `3.0`, `3e0`), a floating-point type any number. Objects are expected to have unique member
/// names (the server refuses duplicates first); if one repeats, the first occurrence counts.
///
/// ```swift
/// let tree = try JSONParser().parse(#"{"view":"guest"}"#)
/// let request = try JSONValueDecoder().decode(VMXRequest.self, from: tree)
/// ```
public struct JSONValueDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Decodes `type` from `value`.
    /// - Throws: `DecodingError` naming the coding path of the first problem.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: TreeDecoder(value: value, codingPath: []))
    }
}

private struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw mismatch([String: Any].self, value, codingPath)
        }
        return KeyedDecodingContainer(ObjectContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self, value, codingPath) }
        return ArrayContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ScalarContainer(value: value, codingPath: codingPath)
    }
}

/// A coding key for array positions and dictionary members.
private struct IndexKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }
    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}

private func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
    if case .null = value {
        return .valueNotFound(type, .init(codingPath: path, debugDescription: "Expected \(type) but found null."))
    }
    return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type)."))
}

/// Reads scalars out of a value; shared by the three container kinds.
private enum Scalar {
    static func bool(_ value: JSONValue, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(Bool.self, value, path) }
        return bool
    }

    static func string(_ value: JSONValue, _ path: [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw mismatch(String.self, value, path) }
        return string
    }

    static func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: JSONValue,
        _ path: [any CodingKey]
    ) throws -> T {
        guard case .number(let number) = value else { throw mismatch(T.self, value, path) }
        guard let parsed = T(number.text), parsed.isFinite else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: path, debugDescription: "Number \(number.text) does not fit in \(T.self).")
            )
        }
        return parsed
    }

    static func integer<T: FixedWidthInteger>(_ value: JSONValue, _ path: [any CodingKey]) throws -> T {
        guard case .number(let number) = value else { throw mismatch(T.self, value, path) }
        if let exact = T(number.text) { return exact }
        // 3.0 or 3e0: integral, written another way.
        if let double = Double(number.text), double.rounded() == double, let exact = T(exactly: double) {
            return exact
        }
        throw DecodingError.dataCorrupted(
            .init(codingPath: path, debugDescription: "Number \(number.text) does not fit in \(T.self).")
        )
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey]) throws -> T {
        try T(from: TreeDecoder(value: value, codingPath: path))
    }
}

private struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let codingPath: [any CodingKey]
    private let members: [String: JSONValue]
    let allKeys: [Key]

    init(members list: [JSONValue.Member], codingPath: [any CodingKey]) {
        var members: [String: JSONValue] = [:]
        var keys: [Key] = []
        for member in list where members[member.key] == nil {
            members[member.key] = member.value
            if let key = Key(stringValue: member.key) { keys.append(key) }
        }
        self.members = members
        self.allKeys = keys
        self.codingPath = codingPath
    }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                .init(codingPath: codingPath, debugDescription: "No value for key \"\(key.stringValue)\".")
            )
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Scalar.bool(value(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Scalar.string(value(key), path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try Scalar.floatingPoint(value(key), path(key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try Scalar.floatingPoint(value(key), path(key))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try Scalar.integer(value(key), path(key))
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try Scalar.integer(value(key), path(key))
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try Scalar.integer(value(key), path(key))
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try Scalar.decode(type, value(key), path(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try TreeDecoder(value: value(key), codingPath: path(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(value: value(key), codingPath: path(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        TreeDecoder(value: members["super"] ?? .null, codingPath: codingPath + [IndexKey(stringValue: "super")])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(value: members[key.stringValue] ?? .null, codingPath: path(key))
    }
}

private struct ArrayContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var elementPath: [any CodingKey] { codingPath + [IndexKey(intValue: currentIndex)] }

    private mutating func next<T>(_ type: T.Type, _ read: (JSONValue, [any CodingKey]) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(codingPath: elementPath, debugDescription: "Unkeyed container is at end.")
            )
        }
        let value = try read(elements[currentIndex], elementPath)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = elements[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type, Scalar.bool) }
    mutating func decode(_ type: String.Type) throws -> String { try next(type, Scalar.string) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try Scalar.floatingPoint($0, $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try Scalar.floatingPoint($0, $1) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try Scalar.integer($0, $1) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next(type) { try Scalar.decode(type, $0, $1) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next(KeyedDecodingContainer<NestedKey>.self) {
            try TreeDecoder(value: $0, codingPath: $1).container(keyedBy: type)
        }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { try TreeDecoder(value: $0, codingPath: $1).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next((any Decoder).self) { TreeDecoder(value: $0, codingPath: $1) }
    }
}

private struct ScalarContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try Scalar.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Scalar.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Scalar.floatingPoint(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try Scalar.floatingPoint(value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try Scalar.integer(value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Scalar.integer(value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Scalar.integer(value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Scalar.integer(value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Scalar.integer(value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Scalar.decode(type, value, codingPath) }
}
