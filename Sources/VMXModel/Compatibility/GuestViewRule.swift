/// Rule 2 of Docs/compatibility.md: every VMX control an eVMCS guest saw on the source must still
/// be visible to it on the target, after the target's filter — measured where the target's
/// profile measured it, else its era's table (``HostGuestFilter``).
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

    /// Compares what the VM's eVMCS guest saw on the source with what `target` would show it.
    /// - Returns: what the source side rests on, or `nil` when it is unknown (then nothing is compared).
    @discardableResult
    static func evaluate(
        _ vm: VMRequirements,
        target: HostGuestFilter,
        into a: inout Assessment
    ) -> EffectiveEra.Basis? {
        let restored = vm.vmx.withDerivedPlainControls()
        let onTarget = target.apply(to: restored)
        guard let source = SourceGuestView(vm, restored: restored) else {
            a.warn(
                "source-era-unknown",
                "the VM's source kernel is unknown, so what its eVMCS guest saw there cannot be compared with the target's view; give source.kernelRelease or guestVisible"
            )
            return nil
        }
        if let ambiguity = source.ambiguity { a.warn("source-era-ambiguous", "the source's guest view is derived: \(ambiguity)") }
        let onSource = source.view
        let sourceDescription = source.description
        let targetDescription =
            target.basis == .measured
            ? "the target (measured) hides it from eVMCS guests"
            : "the target (kernel era \(target.era?.span ?? "unknown")) hides it from eVMCS guests"
        noteUnobserved(onSource, target: target, into: &a)
        // The end of every message, built when the first lost control is found.
        lazy var consequence = " \(sourceDescription); \(targetDescription)"
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
        return source.basis
    }

    /// A measured target cannot show how it filters a control its vCPU does not offer; when the
    /// source's guest saw such a control, the era's table decided it: say so.
    private static func noteUnobserved(_ onSource: VMXMSRSet, target: HostGuestFilter, into a: inout Assessment) {
        guard target.basis == .measured else { return }
        for index in EVMCSFilter.filteredMSRs {
            guard let seen = onSource[index] else { continue }
            let unobserved = seen & target.unobservedBits(of: index)
            guard unobserved != 0 else { continue }
            let shift = index == .vmxVMFunc ? 0 : 32
            let bits = BitNaming.bits(of: unobserved >> UInt64(shift)).map(String.init).joined(separator: ", ")
            a.warn(
                "target-filter-unobserved",
                "the target's vCPU does not offer bit(s) \(bits) of \(index.qemuLabel), so its eVMCS filter was not measured there; the \(target.era.map { "era \($0.rawValue)" } ?? "unknown era's") table was used",
                msr: index
            )
        }
    }
}

/// What the VM's eVMCS guest saw on its source, and what that rests on.
struct SourceGuestView {
    var view: VMXMSRSet
    var basis: EffectiveEra.Basis
    var description: String
    var ambiguity: String?

    init?(_ vm: VMRequirements, restored: VMXMSRSet) {
        if let seen = vm.guestVisible {
            view = seen.withDerivedPlainControls()
            basis = .measured
            description = "measured on the source"
            return
        }
        guard let source = vm.source else { return nil }
        if let declared = source.evmcsEra {
            view = EVMCSFilter(era: declared, perfGlobalCtrl: vm.evmcs.perfGlobalCtrl).apply(to: restored)
            basis = .declared
            description = "on the source (declared kernel era \(declared.span))"
            return
        }
        guard let derived = source.derivedEra else { return nil }
        view = EVMCSFilter(era: derived.era, perfGlobalCtrl: vm.evmcs.perfGlobalCtrl).apply(to: restored)
        basis = .derived
        description = "on the source (kernel era \(derived.era.span))"
        ambiguity = derived.ambiguity
    }
}
