/// Merges the restore references of many hosts into the richest VMX values all of them
/// accept, MSR by MSR, following the restore rules (``RestoreRules``).
struct BaselineMerger {
    let references: [VMXMSRSet]
    let names: [String]
    private(set) var warnings: [Warning] = []

    init(references: [VMXMSRSet], names: [String]) {
        self.references = references
        self.names = names
    }

    mutating func merge() -> VMXMSRSet {
        var result = VMXMSRSet()
        guard !references.isEmpty else { return result }
        if references.contains(where: \.isEmpty) {
            let without = zip(names, references).filter { $0.1.isEmpty }.map(\.0)
            warnings.append(
                Warning(
                    code: "nested-vmx-left-out",
                    message:
                        "no VMX values in the baseline: \(without.count) host(s) have no nested VMX (\(without.prefix(5).joined(separator: ", ")))"
                )
            )
            return result
        }
        for index in MSRIndex.allVMX where RestoreRules.isRestorable(index) {
            let values = references.compactMap { $0[index] }
            guard values.count == references.count else {
                if !values.isEmpty {
                    warnings.append(
                        Warning(
                            code: "msr-left-out",
                            message:
                                "\(index.vmxName ?? index.hex) is not reported by every host and is left out of the baseline",
                            msr: index
                        )
                    )
                }
                continue
            }
            result[index] = merge(index, values)
        }
        resolveTimerRate(&result)
        reportContradictions(result)
        return result
    }

    private mutating func merge(_ index: MSRIndex, _ values: [UInt64]) -> UInt64? {
        switch index {
        case .vmxTruePinBasedControls, .vmxTrueProcBasedControls, .vmxTrueExitControls, .vmxTrueEntryControls,
            .vmxProcBasedControls2:
            let low = values.reduce(0) { $0 | ($1 & 0xFFFF_FFFF) }
            let high = values.reduce(~0 as UInt64) { $0 & ($1 >> 32) }
            return high << 32 | low
        case .vmxBasic:
            return mergeBasic(values)
        case .vmxMisc:
            return mergeMisc(values)
        case .vmxCR0Fixed0, .vmxCR4Fixed0:
            return values.reduce(0, |)
        case .vmxVMCSEnum:
            let field = VMXCatalog.field(named: "vmcs-max-index")!
            return values.min { field.value(in: $0) < field.value(in: $1) }
        default:
            return values.reduce(~0, &)
        }
    }

    private mutating func mergeBasic(_ values: [UInt64]) -> UInt64? {
        let revision = VMXCatalog.field(named: "vmcs-revision")!
        let size = VMXCatalog.field(named: "vmcs-size")!
        guard Set(values.map { revision.value(in: $0) }).count == 1 else {
            warnings.append(
                Warning(
                    code: "vmcs-revision-differs",
                    message:
                        "hosts report different VMCS revision identifiers; no IA32_VMX_BASIC value restores on all of them, so it is left out",
                    msr: .vmxBasic
                )
            )
            return nil
        }
        let mask = RestoreRules.basicFeatureAndReservedBits
        let sizeMask: UInt64 = 0x1FFF << 32
        var merged = values[0] & ~mask & ~sizeMask & ~(1 << 48)
        merged |= values.reduce(~0) { $0 & ($1 & mask) }
        merged |= (values.map { size.value(in: $0) }.max() ?? 0) << 32
        return merged
    }

    private mutating func mergeMisc(_ values: [UInt64]) -> UInt64? {
        let mseg = VMXCatalog.field(named: "mseg-revision")!
        guard Set(values.map { mseg.value(in: $0) }).count == 1 else {
            warnings.append(
                Warning(
                    code: "mseg-revision-differs",
                    message: "hosts report different MSEG revision identifiers; IA32_VMX_MISC is left out",
                    msr: .vmxMisc
                )
            )
            return nil
        }
        let mask = RestoreRules.miscFeatureAndReservedBits
        let cr3 = VMXCatalog.field(named: "cr3-target-count")!
        let maxMSR = VMXCatalog.field(named: "max-msr-list")!
        var merged = values[0] & ~mask & ~(0x1FF << 16) & ~(0x7 << 25)
        merged |= values.reduce(~0) { $0 & ($1 & mask) }
        merged |= (values.map { cr3.value(in: $0) }.min() ?? 0) << 16
        merged |= (values.map { maxMSR.value(in: $0) }.min() ?? 0) << 25
        return merged
    }

    /// KVM requires equal preemption-timer rates only when the pin-based controls allow the
    /// timer: if the hosts' rates differ, the baseline gives up the timer instead of failing.
    private mutating func resolveTimerRate(_ result: inout VMXMSRSet) {
        let rate = VMXCatalog.field(named: "preemption-timer-rate")!
        let rates = Set(references.compactMap { $0[.vmxMisc] }.map { rate.value(in: $0) })
        guard rates.count > 1, let pin = result[.vmxTruePinBasedControls], pin & (1 << 38) != 0 else { return }
        result[.vmxTruePinBasedControls] = pin & ~(1 << 38)
        warnings.append(
            Warning(
                code: "preemption-timer-left-out",
                message:
                    "hosts have different VMX-preemption timer rates (\(rates.sorted().map(String.init).joined(separator: ", "))); vmx-preemption-timer is left out of the baseline",
                msr: .vmxTruePinBasedControls
            )
        )
    }

    /// A control that one host forces to 1 and another cannot enable makes the merged value
    /// contradictory: report it (no VM value can satisfy both hosts).
    private mutating func reportContradictions(_ result: VMXMSRSet) {
        for group in VMXFeatureGroup.allCases where group.encoding == .controls32 {
            guard let value = result[group.msr] else { continue }
            for bit in BitNaming.bits(of: value & 0xFFFF_FFFF & ~(value >> 32)) {
                let (_, label, _) = BitNaming.describe(group: group, bit: bit, msr: group.msr)
                warnings.append(
                    Warning(
                        code: "control-contradiction",
                        message:
                            "\(label): some host forces this control to 1 and another cannot enable it; no VM value restores on all hosts",
                        msr: group.msr
                    )
                )
            }
        }
    }
}
