/// The VMX capability MSR values QEMU writes to a vCPU with KVM_SET_MSRS, from the CPU's
/// feature words and what KVM offers (`kvm_msr_entry_add_vmx()` and `make_vmx_msr_value()` in
/// target/i386/kvm/kvm.c, QEMU commit "target/i386: add VMX features", 2019, and its later
/// masks for BASIC and MISC; the non-TRUE control MSRs are KVM's to derive).
enum QEMUVMXValues {
    /// IA32_VMX_BASIC bits taken from the host: revision 30:0, VMCS size 44:32, memory type 53:50.
    static let basicFromHost: UInt64 = 0x7FFF_FFFF | 0x1FFF << 32 | 0xF << 50
    /// IA32_VMX_MISC bits taken from the host: preemption-timer rate 4:0, MSR-list size 27:25.
    static let miscFromHost: UInt64 = 0x1F | 0x0E00_0000
    /// EPT memory types UC (8) and WB (14), taken from the host when EPT is on.
    static let eptMemoryTypes: UInt64 = 1 << 8 | 1 << 14
    /// The VM-exit host address-space size control (9), allowed for 64-bit guests.
    static let hostAddressSpaceSize: UInt64 = 1 << (32 + 9)

    /// The MSR values, and the MSRs QEMU would write that `host` does not report (left out:
    /// an absent MSR is unknown, not zero).
    static func values(_ f: QEMUFeatureWords, host: VMXMSRSet, longMode: Bool) -> (VMXMSRSet, notReported: [MSRIndex]) {
        let basic = host[.vmxBasic] ?? 0
        let ept = f[.secondaryProcBased] & (1 << 1) != 0
        let tscScaling = f[.secondaryProcBased] & (1 << 25) != 0
        var fromWords = featureValues(f, longMode: longMode)
        if host[.vmxVMFunc] == nil { fromWords[.vmxVMFunc] = nil }
        fromWords[.vmxEPTVPIDCap] = nil
        var candidates: [(MSRIndex, UInt64)] = fromWords.entries.map { ($0.index, $0.value) }
        candidates += [
            (.vmxBasic, f[.basic] | basic & basicFromHost),
            (.vmxEPTVPIDCap, f[.eptVPID] | (ept ? (host[.vmxEPTVPIDCap] ?? 0) & eptMemoryTypes : 0)),
            (.vmxMisc, f[.misc] | (host[.vmxMisc] ?? 0) & miscFromHost),
            (.vmxCR0Fixed0, 0x8000_0021),  // PE | NE | PG
            (.vmxCR4Fixed0, 0x2000),  // VMXE
            (.vmxVMCSEnum, tscScaling ? 0x32 : 0x2E),  // highest index: TSC multiplier, else preemption timer
        ]
        var set = VMXMSRSet()
        var notReported: [MSRIndex] = []
        for (index, value) in candidates {
            if host[index] == nil {
                notReported.append(index)
            } else {
                set[index] = value
            }
        }
        return (set, notReported)
    }

    /// The MSRs whose values come from the feature words alone: the TRUE and secondary
    /// controls, EPT/VPID (without the host's memory types) and VMFUNC.
    static func featureValues(_ f: QEMUFeatureWords, longMode: Bool) -> VMXMSRSet {
        VMXMSRSet([
            .vmxTrueProcBasedControls: controls(.primaryProcBased, f),
            .vmxTruePinBasedControls: controls(.pinBased, f),
            .vmxTrueExitControls: controls(.exit, f) | (longMode ? hostAddressSpaceSize : 0),
            .vmxTrueEntryControls: controls(.entry, f),
            .vmxProcBasedControls2: controls(.secondaryProcBased, f),
            .vmxEPTVPIDCap: f[.eptVPID],
            .vmxVMFunc: f[.vmFunctions],
        ])
    }

    /// `make_vmx_msr_value()`: a feature bit may be 0 or 1; any other default1 bit must be 1.
    static func controls(_ group: VMXFeatureGroup, _ f: QEMUFeatureWords) -> UInt64 {
        let features = UInt32(truncatingIfNeeded: f[group])
        let default1 = group.defaultOnes
        let canBeOne = features | default1
        let mustBeOne = ~(features | ~default1)
        return UInt64(mustBeOne) | UInt64(canBeOne) << 32
    }
}
