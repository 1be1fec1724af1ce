/// QEMU's VMX feature words (`FEAT_VMX_*` in target/i386/cpu.h): one 64-bit allowed-1 set per
/// group, in QEMU's numbering — the control bit for controls, the MSR bit otherwise (which is
/// ``VMXFeature/bit`` in both cases).
public struct QEMUFeatureWords: Hashable, Sendable {
    /// The groups QEMU has a feature word for, in `feature_word_info` order (no tertiary controls).
    public static let groups: [VMXFeatureGroup] = [
        .basic, .pinBased, .primaryProcBased, .secondaryProcBased, .exit, .entry, .misc, .eptVPID, .vmFunctions,
    ]

    private var words: [UInt64]

    /// Feature words with the given masks; a group left out is empty.
    public init(
        basic: UInt64 = 0,
        pinBased: UInt64 = 0,
        primaryProcBased: UInt64 = 0,
        secondaryProcBased: UInt64 = 0,
        exit: UInt64 = 0,
        entry: UInt64 = 0,
        misc: UInt64 = 0,
        eptVPID: UInt64 = 0,
        vmFunctions: UInt64 = 0
    ) {
        words = [basic, pinBased, primaryProcBased, secondaryProcBased, exit, entry, misc, eptVPID, vmFunctions]
    }

    /// The word of `group` (0 for a group QEMU has no word for; setting one is ignored).
    public subscript(group: VMXFeatureGroup) -> UInt64 {
        get { Self.groups.firstIndex(of: group).map { words[$0] } ?? 0 }
        set {
            guard let index = Self.groups.firstIndex(of: group) else { return }
            words[index] = newValue
        }
    }

    /// Whether `feature`'s bit is set.
    public func contains(_ feature: VMXFeature) -> Bool {
        self[feature.group] & (1 << UInt64(feature.bit)) != 0
    }

    /// Sets or clears `feature`'s bit.
    public mutating func set(_ feature: VMXFeature, _ on: Bool) {
        let bit: UInt64 = 1 << UInt64(feature.bit)
        self[feature.group] = on ? self[feature.group] | bit : self[feature.group] & ~bit
    }

    /// The bits set here and clear in `other`, as (group, bit) pairs in group order.
    public func bits(notIn other: QEMUFeatureWords) -> [(group: VMXFeatureGroup, bit: Int)] {
        Self.groups.flatMap { group in
            let missing = self[group] & ~other[group]
            return (0..<64).filter { missing & (1 << UInt64($0)) != 0 }.map { (group, $0) }
        }
    }

    /// The words with every bit of `other` cleared too.
    public func intersection(_ other: QEMUFeatureWords) -> QEMUFeatureWords {
        var result = self
        for group in Self.groups { result[group] &= other[group] }
        return result
    }

    /// `true` when no bit is set.
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// What KVM offers as QEMU reads it (`kvm_arch_get_supported_msr_feature()`): for the TRUE
    /// control MSRs the bits that may be 1 but need not be (`high & ~low`), for secondary
    /// controls the allowed-1 half, for BASIC, MISC, EPT/VPID and VMFUNC the value itself. An
    /// MSR the set does not report offers nothing.
    public init(supportedBy values: VMXMSRSet) {
        self.init()
        for group in Self.groups {
            guard let value = values[group.msr] else { continue }
            switch group {
            case .pinBased, .primaryProcBased, .exit, .entry: self[group] = (value >> 32) & ~value & 0xFFFF_FFFF
            case .secondaryProcBased: self[group] = value >> 32
            default: self[group] = value
            }
        }
    }
}
