/// One named VMX capability bit.
///
/// Names are QEMU's `-cpu` property names (`vmx-posted-intr`) where QEMU has one — the names
/// libvirt and KubeVirt already use. Bits QEMU does not name get a documented evmcsd name in
/// the same style, with ``isQEMUProperty`` false (see Docs/features.md).
public struct VMXFeature: Hashable, Sendable {
    /// Unique name of the feature.
    public let name: String
    /// The group (and therefore the MSR and encoding) the bit belongs to.
    public let group: VMXFeatureGroup
    /// The bit as QEMU numbers it: the control bit (0–31) for controls, the MSR bit otherwise.
    public let bit: Int
    /// What the bit means, in vmxcap's words.
    public let summary: String
    /// The QEMU property that sets this bit, or `nil` when QEMU has none. Usually `name`;
    /// QEMU names EPT/VPID bit 41 `vmx-invept-single-context` as it does bit 25, and that
    /// property toggles both bits.
    public let qemuProperty: String?

    init(_ name: String, _ group: VMXFeatureGroup, _ bit: Int, _ summary: String, qemu: Bool = true) {
        self.name = name
        self.group = group
        self.bit = bit
        self.summary = summary
        self.qemuProperty = qemu ? name : nil
    }

    init(_ name: String, _ group: VMXFeatureGroup, _ bit: Int, _ summary: String, qemuProperty: String) {
        self.name = name
        self.group = group
        self.bit = bit
        self.summary = summary
        self.qemuProperty = qemuProperty
    }

    /// Whether `name` is a QEMU `-cpu` property.
    public var isQEMUProperty: Bool { qemuProperty == name }

    /// The MSR QEMU reports the bit in.
    public var msr: MSRIndex { group.msr }

    /// The bit's position in the 64-bit MSR value (the allowed-1 position for controls).
    public var msrBit: Int { group.encoding == .controls32 ? 32 + bit : bit }

    /// The feature as QEMU prints it: `MSR(48DH).vmx-posted-intr [bit 7]`.
    public var label: String { "\(msr.qemuLabel).\(name) [bit \(bit)]" }
}

/// A multi-bit field of a VMX capability MSR (revision id, VMCS size, CR3-target count…).
public struct VMXField: Hashable, Sendable {
    /// How a field's value is shown to humans.
    public enum Style: Hashable, Sendable {
        case decimal
        case hex
        /// An encoded count: `multiplier × (value + 1)` (the MSR-list limit of MISC[27:25]).
        case scaledCount(multiplier: UInt64)
    }

    /// Unique name of the field.
    public let name: String
    public let msr: MSRIndex
    /// Lowest and highest bit of the field, inclusive.
    public let bits: ClosedRange<Int>
    public let summary: String
    public let style: Style

    init(_ name: String, _ msr: MSRIndex, _ bits: ClosedRange<Int>, _ summary: String, _ style: Style = .decimal) {
        self.name = name
        self.msr = msr
        self.bits = bits
        self.summary = summary
        self.style = style
    }

    /// The field's raw value in an MSR value.
    public func value(in msrValue: UInt64) -> UInt64 {
        let width = bits.upperBound - bits.lowerBound + 1
        let shifted = msrValue >> UInt64(bits.lowerBound)
        return width >= 64 ? shifted : shifted & ((1 << UInt64(width)) - 1)
    }

    /// The field value as shown to humans.
    public func display(_ value: UInt64) -> String {
        switch style {
        case .decimal: String(value)
        case .hex: HexNumber.formatShort(value)
        case .scaledCount(let multiplier): String(multiplier * (value + 1))
        }
    }

    /// Bit range as the SDM writes it: `[30:0]`.
    public var bitsLabel: String { "[\(bits.upperBound):\(bits.lowerBound)]" }
}
