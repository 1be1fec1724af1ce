/// What the rules found so far while comparing a VM with a target.
struct Assessment {
    var reasons: [VerdictReason] = []
    var warnings: [Warning] = []
    /// Whether the target offers more than the VM needs somewhere (so it is not identical,
    /// and not a subset).
    var targetExceeds = false

    mutating func fail(_ reason: VerdictReason) { reasons.append(reason) }

    mutating func warn(_ code: String, _ message: String, msr: MSRIndex? = nil) {
        warnings.append(Warning(code: code, message: message, msr: msr))
    }

    /// The level these findings amount to.
    var level: CompatibilityLevel {
        if reasons.isEmpty { return targetExceeds ? .superset : .identical }
        return !targetExceeds && reasons.allSatisfy(\.code.isShortfall) ? .subset : .incompatible
    }
}

/// Naming helpers for reasons about single bits.
enum BitNaming {
    /// The catalogued feature at `bit` of `group`, if any, and a label for the bit either way.
    ///
    /// Catalogued bits in the MSRs their group lives in are looked up in a table built once: a
    /// verdict can name dozens of bits, and building these strings was most of its cost.
    static func describe(group: VMXFeatureGroup, bit: Int, msr: MSRIndex) -> (
        feature: VMXFeature?, label: String, phrase: String
    ) {
        if let known = described[Place(group: group, msr: msr, bit: bit)] { return known }
        return compose(VMXCatalog.feature(in: group, bit: bit), msr: msr, bit: bit)
    }

    private struct Place: Hashable {
        var group: VMXFeatureGroup
        var msr: MSRIndex
        var bit: Int
    }

    /// Every catalogued feature in its group's MSR and, for controls, the non-TRUE MSR too.
    private static let described: [Place: (feature: VMXFeature?, label: String, phrase: String)] = {
        var table: [Place: (feature: VMXFeature?, label: String, phrase: String)] = [:]
        for feature in VMXCatalog.features {
            for msr in [feature.group.msr, feature.group.plainMSR].compactMap({ $0 }) {
                table[Place(group: feature.group, msr: msr, bit: feature.bit)] = compose(
                    feature,
                    msr: msr,
                    bit: feature.bit
                )
            }
        }
        return table
    }()

    private static func compose(_ feature: VMXFeature?, msr: MSRIndex, bit: Int) -> (
        feature: VMXFeature?, label: String, phrase: String
    ) {
        if let feature {
            let label = "\(msr.qemuLabel).\(feature.name) [bit \(bit)]"
            return (feature, label, "\(feature.name) (\(feature.summary), \(msr.qemuLabel) bit \(bit))")
        }
        let label = "\(msr.qemuLabel) [bit \(bit)]"
        return (nil, label, "unnamed bit \(bit) of \(msr.qemuLabel)")
    }

    /// Bit positions set in `mask`, ascending (a sequence, so iterating allocates nothing).
    static func bits(of mask: UInt64) -> SetBits { SetBits(rest: mask) }

    struct SetBits: Sequence, IteratorProtocol {
        var rest: UInt64

        mutating func next() -> Int? {
            guard rest != 0 else { return nil }
            let bit = rest.trailingZeroBitCount
            rest &= rest - 1
            return bit
        }
    }
}
