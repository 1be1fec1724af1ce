/// Values of arbitrary MSRs (e.g. KVM's feature MSRs such as IA32_ARCH_CAPABILITIES),
/// encoded in documents as `{"0x10a": "0x..."}`.
public struct MSRValues: Hashable, Sendable, Codable {
    public var values: [MSRIndex: UInt64]

    public init(_ values: [MSRIndex: UInt64] = [:]) {
        self.values = values
    }

    public subscript(index: MSRIndex) -> UInt64? {
        get { values[index] }
        set { values[index] = newValue }
    }

    /// The VMX capability MSRs among these values.
    public var vmx: VMXMSRSet {
        VMXMSRSet(values.filter { VMXMSRSet.holds($0.key) })
    }

    public init(from decoder: any Decoder) throws {
        // Two spellings of one index (`0x10a`, `0x10A`): the later one wins, as in VMXMSRSet.
        values = Dictionary(try MSRValueMap.decode(from: decoder, example: "0x10a")) { _, later in later }
    }

    public func encode(to encoder: any Encoder) throws {
        try MSRValueMap.encode(values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: encoder)
    }
}

/// The document form of MSR values, shared by ``MSRValues`` and ``VMXMSRSet``: an object keyed by
/// hex MSR index (`"0x10a"`) whose values are 64-bit hex strings.
enum MSRValueMap {
    /// The entries of such an object.
    /// - Parameters:
    ///   - decoder: The decoder at the object.
    ///   - example: An index the error message shows as the expected spelling.
    ///   - refusal: Why an index is not allowed here, or `nil` when it is.
    /// - Throws: `DecodingError` naming the first key that is not an allowed hex index, or a value
    ///   that is not a hex string.
    static func decode(
        from decoder: any Decoder,
        example: String,
        refusal: (MSRIndex, String) -> String? = { _, _ in nil }
    ) throws -> [(MSRIndex, UInt64)] {
        let container = try decoder.container(keyedBy: DocumentKey.self)
        return try container.allKeys.map { key in
            guard let index = MSRIndex(hex: key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: container,
                    debugDescription: "MSR index must be a hex string such as \"\(example)\""
                )
            }
            if let reason = refusal(index, key.stringValue) {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: reason)
            }
            return (index, try container.decode(HexValue.self, forKey: key).value)
        }
    }

    /// Writes `entries` as such an object, in their order.
    static func encode(_ entries: [(MSRIndex, UInt64)], to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DocumentKey.self)
        for (index, value) in entries {
            try container.encode(HexNumber.format64(value), forKey: DocumentKey(index.hex))
        }
    }
}
