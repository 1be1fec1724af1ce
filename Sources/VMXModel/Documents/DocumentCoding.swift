/// A coding key for documents whose keys are data (MSR indices, capability names).
public struct DocumentKey: CodingKey, Hashable, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }

    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

/// A 64-bit value spelled as a hex string in a document.
struct HexValue: Codable, Hashable {
    let value: UInt64

    init(_ value: UInt64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let text = try? container.decode(String.self) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription:
                    "expected a hex string such as \"0x00000000000000ff\" (JSON numbers cannot hold 64-bit values exactly)"
            )
        }
        guard let value = HexNumber.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "\"\(text)\" is not a 0x-prefixed hex number of at most 16 digits"
            )
        }
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(HexNumber.format64(value))
    }
}

extension Decoder {
    /// The keyed container of an object whose keys must all be `Keys`: a key that is not one of
    /// them throws, so a typo in a hand-written document (`versionlow`) is an error instead of
    /// being ignored. Keys starting with `x-` are free for extensions.
    /// - Throws: `DecodingError` naming the first unknown key, or when this is not an object.
    public func strictContainer<Keys: CodingKey & CaseIterable>(
        keyedBy _: Keys.Type
    ) throws -> KeyedDecodingContainer<Keys> {
        let container = try container(keyedBy: DocumentKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        for key in container.allKeys where !known.contains(key.stringValue) && !key.stringValue.hasPrefix("x-") {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: container,
                debugDescription:
                    "unknown field \"\(key.stringValue)\" (known: \(known.sorted().joined(separator: ", ")))"
            )
        }
        return try self.container(keyedBy: Keys.self)
    }
}

extension KeyedDecodingContainer {
    /// Decodes a document's `schema` member and accepts only `expected`.
    /// - Throws: `DecodingError.dataCorrupted` naming the unsupported schema
    ///   (``DocumentLoader/unsupportedSchemaMessage(_:)``).
    func decodeSchema(_ expected: String, forKey key: Key) throws -> String {
        let schema = try decode(String.self, forKey: key)
        guard schema == expected else {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: self,
                debugDescription: DocumentLoader.unsupportedSchemaMessage(schema)
            )
        }
        return schema
    }
}
