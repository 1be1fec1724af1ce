/// Rule 2 of DESIGN §5: every VMX control an eVMCS guest saw on the source must still be
/// visible to it on the target, after the target's kernel-era filter.
///
/// A Hyper-V L1 reads its VMX capabilities once; a control that disappears after migration
/// may be in use, and KVM then fails nested VM-entry (`nested_evmcs_check_controls()`).
/// Controls that appear are harmless and only make the target a superset.
enum GuestViewRule {
    /// The MSRs the eVMCS filter covers, each with the group it belongs to; TRUE MSRs first so
    /// a control lost in both the TRUE and the non-TRUE MSR is reported once, as QEMU names it.
    private static let filteredMSRs: [(MSRIndex, VMXFeatureGroup)] = [
        (.vmxTruePinBasedControls, .pinBased), (.vmxPinBasedControls, .pinBased),
        (.vmxTrueProcBasedControls, .primaryProcBased), (.vmxProcBasedControls, .primaryProcBased),
        (.vmxProcBasedControls2, .secondaryProcBased),
        (.vmxTrueExitControls, .exit), (.vmxExitControls, .exit),
        (.vmxTrueEntryControls, .entry), (.vmxEntryControls, .entry),
        (.vmxVMFunc, .vmFunctions),
    ]

    static func evaluate(_ vm: VMRequirements, targetEra: EVMCSEra, into a: inout Assessment) {
        let restored = vm.vmx.withDerivedPlainControls()
        let filter = EVMCSFilter(era: targetEra, perfGlobalCtrl: vm.evmcs.perfGlobalCtrl)
        let onTarget = filter.apply(to: restored)
        let onSource: VMXMSRSet
        let sourceDescription: String
        if let seen = vm.guestVisible {
            onSource = seen.withDerivedPlainControls()
            sourceDescription = "measured on the source"
        } else if let sourceEra = vm.source?.era {
            onSource = EVMCSFilter(era: sourceEra, perfGlobalCtrl: vm.evmcs.perfGlobalCtrl).apply(to: restored)
            sourceDescription = "on the source (kernel era \(sourceEra.span))"
        } else {
            a.warn(
                "source-era-unknown",
                "the VM's source kernel is unknown, so what its eVMCS guest saw there cannot be compared with the target's view; give source.kernelRelease or guestVisible"
            )
            return
        }
        // The end of every message, built when the first lost control is found.
        lazy var consequence =
            " \(sourceDescription); the target (kernel era \(targetEra.span)) hides it from eVMCS guests"
        var reportedPin: UInt64 = 0, reportedPrimary: UInt64 = 0, reportedExit: UInt64 = 0, reportedEntry: UInt64 = 0
        for (index, group) in filteredMSRs {
            guard let seen = onSource[index] else { continue }
            let visible = onTarget[index] ?? 0
            let shift: UInt64 = group.encoding == .controls32 ? 32 : 0
            let width: UInt64 = group.encoding == .controls32 ? 0xFFFF_FFFF : ~0
            let seenBits = (seen >> shift) & width
            let visibleBits = (visible >> shift) & width
            if visibleBits & ~seenBits != 0 { a.targetExceeds = true }
            // A control lost in both the TRUE and the non-TRUE MSR is reported once.
            var lost = seenBits & ~visibleBits
            switch group {
            case .pinBased: lost &= ~reportedPin; reportedPin |= lost
            case .primaryProcBased: lost &= ~reportedPrimary; reportedPrimary |= lost
            case .exit: lost &= ~reportedExit; reportedExit |= lost
            case .entry: lost &= ~reportedEntry; reportedEntry |= lost
            default: break
            }
            guard lost != 0 else { continue }
            for bit in BitNaming.bits(of: lost) {
                let (feature, label, phrase) = BitNaming.describe(group: group, bit: bit, msr: index)
                var message = "the eVMCS guest saw "
                message.reserveCapacity(message.utf8.count + phrase.utf8.count + consequence.utf8.count)
                message += phrase
                message += consequence
                a.fail(
                    VerdictReason(
                        code: .evmcsGuestViewLost,
                        msr: index,
                        bit: bit,
                        feature: feature?.name,
                        label: label,
                        need: "1",
                        have: "0",
                        message: message
                    )
                )
            }
        }
    }
}
