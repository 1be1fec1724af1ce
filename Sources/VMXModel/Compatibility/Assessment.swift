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
    static func describe(group: VMXFeatureGroup, bit: Int, msr: MSRIndex) -> (
        feature: VMXFeature?, label: String, phrase: String
    ) {
        if let feature = VMXCatalog.feature(in: group, bit: bit) {
            let label = "\(msr.qemuLabel).\(feature.name) [bit \(bit)]"
            return (feature, label, "\(feature.name) (\(feature.summary), \(msr.qemuLabel) bit \(bit))")
        }
        let label = "\(msr.qemuLabel) [bit \(bit)]"
        return (nil, label, "unnamed bit \(bit) of \(msr.qemuLabel)")
    }

    /// Bit positions set in `mask`, ascending.
    static func bits(of mask: UInt64) -> [Int] {
        var bits: [Int] = []
        var rest = mask
        while rest != 0 {
            let bit = rest.trailingZeroBitCount
            bits.append(bit)
            rest &= rest - 1
        }
        return bits
    }
}
