/// What `vmx_set_vmx_msr()` (arch/x86/kvm/vmx/nested.c) accepts when userspace restores a VM's
/// VMX capability MSRs on a host (Docs/compatibility.md).
///
/// The reference is what the target's KVM supports (`vmcs_config.nested`, the system view);
/// on 6.0+ kernels KVM compares against exactly that, and before 6.0 against the vCPU's
/// current value, which is the same default unless something restricted it first.
enum RestoreRules {
    /// IA32_VMX_BASIC bits restored as "features or reserved": dual-monitor (49), INS/OUTS
    /// (54), TRUE controls (55), reserved 31, 47:45, 63:56. `vmx_restore_vmx_basic()`.
    static let basicFeatureAndReservedBits: UInt64 = 1 << 49 | 1 << 54 | 1 << 55 | 1 << 31 | 0x7 << 45 | 0xFF << 56
    /// IA32_VMX_MISC bits restored as "features or reserved": 5, 8:6, 14, 15, 28, 29, 30 and
    /// reserved 13:9, 31. `vmx_restore_vmx_misc()`.
    static let miscFeatureAndReservedBits: UInt64 =
        1 << 5 | 0x7 << 6 | 1 << 14 | 1 << 15 | 1 << 28 | 1 << 29 | 1 << 30 | 0x1F << 9 | 1 << 31

    /// Applies every rule to the VM's values `need` against the target's `have`.
    static func evaluate(_ need: VMXMSRSet, against have: VMXMSRSet, into assessment: inout Assessment) {
        basic(need, have, &assessment)
        for group in [VMXFeatureGroup.pinBased, .primaryProcBased, .secondaryProcBased, .exit, .entry] {
            controls(group, need, have, &assessment)
        }
        misc(need, have, &assessment)
        fixed0(.vmxCR0Fixed0, field: "cr0-fixed0", need, have, &assessment)
        fixed0(.vmxCR4Fixed0, field: "cr4-fixed0", need, have, &assessment)
        if let needed = need[.vmxVMCSEnum], have[.vmxVMCSEnum] != needed {
            // VMCS_ENUM: any value is accepted (vmx_set_vmx_msr returns 0 without a check).
            assessment.targetExceeds = true
        }
        subset64(.vmxEPTVPIDCap, group: .eptVPID, need, have, &assessment)
        subset64(.vmxVMFunc, group: .vmFunctions, need, have, &assessment)
        tertiary(need, have, &assessment)
        exitControls2(need, &assessment)
        for index in MSRIndex.allVMX where need[index] == nil && have[index] != nil && isRestorable(index) {
            assessment.targetExceeds = true
        }
    }

    /// The MSRs KVM lists in KVM_GET_MSR_INDEX_LIST and accepts back (arch/x86/kvm/vmx/nested.c, Docs/compatibility.md §1).
    static func isRestorable(_ index: MSRIndex) -> Bool {
        switch index {
        case .vmxBasic, .vmxTruePinBasedControls, .vmxTrueProcBasedControls, .vmxTrueExitControls,
            .vmxTrueEntryControls, .vmxMisc, .vmxCR0Fixed0, .vmxCR4Fixed0, .vmxVMCSEnum, .vmxProcBasedControls2,
            .vmxEPTVPIDCap, .vmxVMFunc:
            true
        default: false
        }
    }

    // MARK: - IA32_VMX_BASIC

    private static func basic(_ need: VMXMSRSet, _ have: VMXMSRSet, _ a: inout Assessment) {
        guard let (needed, available) = values(of: .vmxBasic, need, have, &a) else { return }
        subsetBits(needed, available, mask: basicFeatureAndReservedBits, msr: .vmxBasic, group: .basic, &a)
        if needed & (1 << 48) != 0 {
            a.fail(
                VerdictReason(
                    code: .reservedBit,
                    msr: .vmxBasic,
                    bit: 48,
                    feature: "vmx-basic-32bit-addresses",
                    label: "\(MSRIndex.vmxBasic.qemuLabel).vmx-basic-32bit-addresses [bit 48]",
                    need: "1",
                    have: "0",
                    message:
                        "the VM's IA32_VMX_BASIC sets bit 48 (32-bit physical addresses only), which KVM never accepts"
                )
            )
        }
        let revision = VMXCatalog.field(named: "vmcs-revision")!
        let size = VMXCatalog.field(named: "vmcs-size")!
        equalField(revision, needed, available, &a)
        let (neededSize, availableSize) = (size.value(in: needed), size.value(in: available))
        if neededSize < availableSize {
            a.fail(
                fieldReason(
                    .fieldTooSmall,
                    size,
                    need: neededSize,
                    have: availableSize,
                    "the VM's VMCS region size \(neededSize) is smaller than the target's \(availableSize); KVM requires at least the target's"
                )
            )
        } else if neededSize > availableSize {
            a.targetExceeds = true
        }
    }

    // MARK: - Control MSRs

    /// TRUE_PINBASED/PROCBASED/EXIT/ENTRY and PROCBASED_CTLS2: every must-be-1 bit of the target
    /// must be must-be-1 in the VM's value; the VM's may-be-1 bits must be a subset of the
    /// target's (`vmx_restore_control_msr()`). The non-TRUE MSRs are never restored (-EINVAL):
    /// when a side reports only the non-TRUE MSR, both are compared with the default1 bits set.
    private static func controls(_ group: VMXFeatureGroup, _ need: VMXMSRSet, _ have: VMXMSRSet, _ a: inout Assessment)
    {
        guard let needed = controlValue(group, need) else { return }
        guard let available = controlValue(group, have) else {
            if needed.value >> 32 != 0 { a.fail(notReported(group.msr)) }
            return
        }
        let defaultOnes = needed.fromPlain || available.fromPlain ? UInt64(group.defaultOnes) : 0
        let needLow = (needed.value & 0xFFFF_FFFF) | defaultOnes
        let haveLow = (available.value & 0xFFFF_FFFF) | defaultOnes
        let needHigh = needed.value >> 32
        let haveHigh = available.value >> 32
        failBits(needHigh & ~haveHigh, .featureMissing, group: group, msr: group.msr, need: "1", have: "0", &a) {
            "the VM may use \($0); the target does not allow it"
        }
        failBits(haveLow & ~needLow, .controlForced, group: group, msr: group.msr, need: "0", have: "1", &a) {
            "the target forces \($0) to 1; the VM's value allows 0, and KVM rejects restoring fewer must-be-1 bits"
        }
        if haveHigh & ~needHigh != 0 || needLow & ~haveLow != 0 { a.targetExceeds = true }
    }

    private static func controlValue(_ group: VMXFeatureGroup, _ set: VMXMSRSet) -> (value: UInt64, fromPlain: Bool)? {
        if let value = set[group.msr] { return (value, false) }
        if let plain = group.plainMSR, let value = set[plain] { return (value, true) }
        return nil
    }

    // MARK: - IA32_VMX_MISC

    private static func misc(_ need: VMXMSRSet, _ have: VMXMSRSet, _ a: inout Assessment) {
        guard let (needed, available) = values(of: .vmxMisc, need, have, &a) else { return }
        subsetBits(needed, available, mask: miscFeatureAndReservedBits, msr: .vmxMisc, group: .misc, &a)
        // The timer rate must match only if the vCPU's pin-based controls (restored before MISC
        // by QEMU) allow the preemption timer.
        let pin = controlValue(.pinBased, need) ?? controlValue(.pinBased, have)
        if let pin, pin.value & (1 << (32 + 6)) != 0 {
            equalField(VMXCatalog.field(named: "preemption-timer-rate")!, needed, available, &a)
        }
        for name in ["cr3-target-count", "max-msr-list"] {
            let field = VMXCatalog.field(named: name)!
            let (neededValue, availableValue) = (field.value(in: needed), field.value(in: available))
            if neededValue > availableValue {
                a.fail(
                    fieldReason(
                        .fieldTooLarge,
                        field,
                        need: neededValue,
                        have: availableValue,
                        "the VM's \(field.summary) (\(field.display(neededValue))) exceeds the target's (\(field.display(availableValue)))"
                    )
                )
            } else if neededValue < availableValue {
                a.targetExceeds = true
            }
        }
        equalField(VMXCatalog.field(named: "mseg-revision")!, needed, available, &a)
    }

    // MARK: - CR0/CR4 FIXED0

    /// Every bit KVM requires to be 1 in VMX operation must be 1 in the VM's value
    /// (`vmx_restore_fixed0_msr()`); extra 1 bits are fine.
    private static func fixed0(
        _ index: MSRIndex,
        field: String,
        _ need: VMXMSRSet,
        _ have: VMXMSRSet,
        _ a: inout Assessment
    ) {
        guard let (needed, available) = values(of: index, need, have, &a) else { return }
        let register = index == .vmxCR0Fixed0 ? "CR0" : "CR4"
        for bit in BitNaming.bits(of: available & ~needed) {
            a.fail(
                VerdictReason(
                    code: .fixedBitRequired,
                    msr: index,
                    bit: bit,
                    field: field,
                    label: "\(index.qemuLabel) [bit \(bit)]",
                    need: "0",
                    have: "1",
                    message:
                        "the target requires \(register) bit \(bit) to be 1 in VMX operation; the VM's \(field) leaves it free"
                )
            )
        }
        if needed & ~available != 0 { a.targetExceeds = true }
    }

    // MARK: - EPT/VPID, VMFUNC, tertiary

    /// All bits are features or reserved: the VM's value must be a subset of the target's.
    private static func subset64(
        _ index: MSRIndex,
        group: VMXFeatureGroup,
        _ need: VMXMSRSet,
        _ have: VMXMSRSet,
        _ a: inout Assessment
    ) {
        guard let (needed, available) = values(of: index, need, have, &a, zeroNeedsNothing: true) else { return }
        subsetBits(needed, available, mask: ~0, msr: index, group: group, &a)
    }

    /// KVM does not emulate PROCBASED_CTLS3 for L1 and rejects it from userspace; a VM can only
    /// carry it if a future target reports it, and then as an allowed-1 subset.
    private static func tertiary(_ need: VMXMSRSet, _ have: VMXMSRSet, _ a: inout Assessment) {
        guard let needed = need[.vmxProcBasedControls3], needed != 0 else { return }
        guard have[.vmxProcBasedControls3] != nil else {
            a.fail(
                VerdictReason(
                    code: .msrNotRestorable,
                    msr: .vmxProcBasedControls3,
                    need: HexNumber.format64(needed),
                    have: "not emulated",
                    message:
                        "the VM carries IA32_VMX_PROCBASED_CTLS3, which the target's KVM does not accept from userspace"
                )
            )
            return
        }
        subset64(.vmxProcBasedControls3, group: .tertiaryProcBased, need, have, &a)
    }

    /// IA32_VMX_EXIT_CTLS2 (0x493): mainline KVM does not emulate it, so a write is rejected.
    private static func exitControls2(_ need: VMXMSRSet, _ a: inout Assessment) {
        guard let needed = need[.vmxExitControls2], needed != 0 else { return }
        a.fail(
            VerdictReason(
                code: .msrNotRestorable,
                msr: .vmxExitControls2,
                need: HexNumber.format64(needed),
                have: "not emulated",
                message: "the VM carries IA32_VMX_EXIT_CTLS2, which KVM does not emulate and rejects from userspace"
            )
        )
    }

    /// Limits of older kernels: before 5.3, a write of IA32_VMX_VMFUNC falls into
    /// `vmx_set_vmx_msr()`'s `default: -EINVAL`.
    static func kernelLimits(_ need: VMXMSRSet, targetKernel: KernelRelease?, into a: inout Assessment) {
        // major.minor of an ABI name is the upstream one; vendor kernels carry later code.
        guard let needed = need[.vmxVMFunc], let kernel = targetKernel, (kernel.major, kernel.minor) < (5, 3),
            kernel.backportTag == nil
        else { return }
        a.fail(
            VerdictReason(
                code: .msrNotRestorable,
                msr: .vmxVMFunc,
                need: HexNumber.format64(needed),
                have: "not restorable before 5.3",
                message:
                    "the VM carries IA32_VMX_VMFUNC, which KVM accepts from userspace only from 5.3 (the target runs \(kernel.major).\(kernel.minor))"
            )
        )
    }

    // MARK: - Shared pieces

    private static func subsetBits(
        _ needed: UInt64,
        _ available: UInt64,
        mask: UInt64,
        msr: MSRIndex,
        group: VMXFeatureGroup,
        _ a: inout Assessment
    ) {
        failBits(needed & ~available & mask, .featureMissing, group: group, msr: msr, need: "1", have: "0", &a) {
            "the VM has \($0); the target does not"
        }
        if available & ~needed & mask != 0 { a.targetExceeds = true }
    }

    /// Fails `a` with one reason per set bit of `bits`, named as `group`'s feature in `msr`.
    /// - Parameters:
    ///   - need: The bit's value in the VM's MSR, `"1"` or `"0"`.
    ///   - have: Its value on the target.
    ///   - message: The sentence for one bit, given its phrase from `BitNaming.describe`.
    private static func failBits(
        _ bits: UInt64,
        _ code: ReasonCode,
        group: VMXFeatureGroup,
        msr: MSRIndex,
        need: String,
        have: String,
        _ a: inout Assessment,
        message: (String) -> String
    ) {
        for bit in BitNaming.bits(of: bits) {
            let (feature, label, phrase) = BitNaming.describe(group: group, bit: bit, msr: msr)
            a.fail(
                VerdictReason(
                    code: code,
                    msr: msr,
                    bit: bit,
                    feature: feature?.name,
                    label: label,
                    need: need,
                    have: have,
                    message: message(phrase)
                )
            )
        }
    }

    private static func equalField(_ field: VMXField, _ needed: UInt64, _ available: UInt64, _ a: inout Assessment) {
        let (neededValue, availableValue) = (field.value(in: needed), field.value(in: available))
        guard neededValue != availableValue else { return }
        a.fail(
            fieldReason(
                .fieldMismatch,
                field,
                need: neededValue,
                have: availableValue,
                "\(field.summary) must be equal: the VM has \(field.display(neededValue)), the target \(field.display(availableValue))"
            )
        )
    }

    private static func fieldReason(
        _ code: ReasonCode,
        _ field: VMXField,
        need: UInt64,
        have: UInt64,
        _ message: String
    ) -> VerdictReason {
        VerdictReason(
            code: code,
            msr: field.msr,
            field: field.name,
            need: field.display(need),
            have: field.display(have),
            message: message
        )
    }

    /// The VM's and the target's values of `index`, when both have one. A VM value the target
    /// does not report fails `a` (a zero value too, unless `zeroNeedsNothing`).
    private static func values(
        of index: MSRIndex,
        _ need: VMXMSRSet,
        _ have: VMXMSRSet,
        _ a: inout Assessment,
        zeroNeedsNothing: Bool = false
    ) -> (needed: UInt64, available: UInt64)? {
        guard let needed = need[index] else { return nil }
        guard let available = have[index] else {
            if needed != 0 || !zeroNeedsNothing { a.fail(notReported(index)) }
            return nil
        }
        return (needed, available)
    }

    private static func notReported(_ index: MSRIndex) -> VerdictReason {
        VerdictReason(
            code: .msrNotReported,
            msr: index,
            need: "reported",
            have: "not reported",
            message:
                "the VM has a value for \(index.vmxName ?? index.hex) (\(index.hex)) but the target profile does not report it"
        )
    }
}
