/// One feature of a decoded MSR set.
public struct DecodedFeature: Codable, Hashable, Sendable {
    public var name: String
    public var group: VMXFeatureGroup
    public var msr: String
    public var bit: Int
    /// `MSR(48DH).vmx-posted-intr [bit 7]`.
    public var label: String
    public var summary: String
    public var qemuProperty: String?
    public var state: FeatureState
}

/// One multi-bit field of a decoded MSR set; `value` is `nil` when the MSR was not reported.
public struct DecodedField: Codable, Hashable, Sendable {
    public var name: String
    public var msr: String
    public var bits: String
    public var summary: String
    public var value: String?
}

/// A decoded MSR set: every catalogued feature and field, in catalog order.
public struct DecodedVMX: Codable, Hashable, Sendable {
    public var features: [DecodedFeature]
    public var fields: [DecodedField]

    /// The decoded feature called `name`, or `nil`.
    public func feature(_ name: String) -> DecodedFeature? { features.first { $0.name == name } }
}

/// Decodes VMX capability MSR values into per-feature states the way QEMU's `vmxcap` does.
public enum VMXDecoder {
    /// Decodes every catalogued feature and field of `set`.
    public static func decode(_ set: VMXMSRSet) -> DecodedVMX {
        let features = VMXCatalog.features.map { feature in
            DecodedFeature(
                name: feature.name,
                group: feature.group,
                msr: feature.msr.hex,
                bit: feature.bit,
                label: feature.label,
                summary: feature.summary,
                qemuProperty: feature.qemuProperty,
                state: state(of: feature, in: set)
            )
        }
        let fields = VMXCatalog.fields.map { field in
            DecodedField(
                name: field.name,
                msr: field.msr.hex,
                bits: field.bitsLabel,
                summary: field.summary,
                value: set[field.msr].map { field.display(field.value(in: $0)) }
            )
        }
        return DecodedVMX(features: features, fields: fields)
    }

    /// The state of one feature in `set`.
    ///
    /// Controls follow vmxcap: `default` when the TRUE MSR allows 0 and 1 while the plain MSR
    /// forces 1; otherwise `no`/`yes`/`forced` from the plain MSR. When only one of the plain
    /// and TRUE MSRs is reported, the other is derived the way KVM does (plain = TRUE with the
    /// default1 bits forced on).
    public static func state(of feature: VMXFeature, in set: VMXMSRSet) -> FeatureState {
        switch feature.group.encoding {
        case .flags64, .allowed1Mask64:
            guard let value = set[feature.msr] else { return .notReported }
            return value & (1 << UInt64(feature.bit)) != 0 ? .yes : .no
        case .controls32:
            guard let controls = ControlPair(group: feature.group, in: set) else { return .notReported }
            return controls.state(ofBit: feature.bit)
        }
    }
}

/// The plain and TRUE values of one control group, each possibly derived from the other.
struct ControlPair {
    let plain: UInt64
    let trueValue: UInt64?

    init?(group: VMXFeatureGroup, in set: VMXMSRSet) {
        guard let plainMSR = group.plainMSR else {
            guard let value = set[group.msr] else { return nil }
            plain = value
            trueValue = nil
            return
        }
        switch (set[plainMSR], set[group.msr]) {
        case (let plain?, let trueValue):
            self.plain = plain
            self.trueValue = trueValue
        case (nil, let trueValue?):
            plain = trueValue | UInt64(group.defaultOnes)
            self.trueValue = trueValue
        case (nil, nil):
            return nil
        }
    }

    func state(ofBit bit: Int) -> FeatureState {
        let mustBeOne = plain & (1 << UInt64(bit)) != 0
        let mayBeOne = plain & (1 << UInt64(32 + bit)) != 0
        if let trueValue {
            let trueMustBeOne = trueValue & (1 << UInt64(bit)) != 0
            let trueMayBeOne = trueValue & (1 << UInt64(32 + bit)) != 0
            if !trueMustBeOne && trueMayBeOne && mayBeOne && mustBeOne { return .default }
        }
        switch (mustBeOne, mayBeOne) {
        case (false, false): return .no
        case (false, true): return .yes
        case (true, true): return .forced
        case (true, false): return .invalid
        }
    }
}
