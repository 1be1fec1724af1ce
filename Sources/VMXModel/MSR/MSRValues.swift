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
        let container = try decoder.container(keyedBy: DocumentKey.self)
        var values: [MSRIndex: UInt64] = [:]
        for key in container.allKeys {
            guard let index = MSRIndex(hex: key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: container,
                    debugDescription: "MSR index must be a hex string such as \"0x10a\""
                )
            }
            values[index] = try container.decode(HexValue.self, forKey: key).value
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DocumentKey.self)
        for (index, value) in values.sorted(by: { $0.key < $1.key }) {
            try container.encode(HexNumber.format64(value), forKey: DocumentKey(index.hex))
        }
    }
}
