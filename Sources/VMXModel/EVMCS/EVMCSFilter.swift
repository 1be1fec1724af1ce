/// The eVMCS filter of one kernel era: which allowed-1 VMX controls (and VM functions) KVM
/// hides from a guest that uses Enlightened VMCS.
///
/// ```swift
/// let filter = EVMCSFilter(era: .v6_3, perfGlobalCtrl: false)
/// let guestView = filter.apply(to: hostInitiatedView)
/// ```
///
/// The filter only clears allowed-1 bits (bits 63:32 of control MSRs, the low bits of VMFUNC);
/// it never touches BASIC, MISC, EPT/VPID, CR0/CR4 fixed bits or VMCS_ENUM (Docs/evmcs-eras.md).
public struct EVMCSFilter: Hashable, Sendable {
    public let era: EVMCSEra
    /// Hyper-V CPUID 0x4000000A.EBX bit 0 (HV_X64_NESTED_EVMCS1_PERF_GLOBAL_CTRL) as the VMM set
    /// it for the guest. QEMU leaves it clear. Only 6.1+ kernels look at it.
    public let perfGlobalCtrl: Bool

    public init(era: EVMCSEra, perfGlobalCtrl: Bool) {
        self.era = era
        self.perfGlobalCtrl = perfGlobalCtrl
    }

    /// What an eVMCS guest reads from the VMX MSRs on a kernel: the vCPU's host-initiated
    /// values with the filter of the kernel's era applied.
    ///
    /// ```swift
    /// let guest = EVMCSFilter.guestView(of: vcpuValues, kernelRelease: "5.15.0-91-generic", perfGlobalCtrl: false)
    /// ```
    /// - Parameters:
    ///   - values: the vCPU's VMX MSRs as userspace reads them (unfiltered on 5.6+).
    ///   - kernelRelease: `uname -r` of the host, e.g. `6.8.0-45-generic`.
    ///   - kernelVersion: `uname -v`, which names the upstream sublevel on Debian.
    ///   - perfGlobalCtrl: Hyper-V CPUID 0x4000000A.EBX bit 0 as the VMM sets it (QEMU: clear).
    /// - Returns: `nil` when `kernelRelease` is not a kernel release.
    public static func guestView(
        of values: VMXMSRSet,
        kernelRelease: String,
        kernelVersion: String? = nil,
        perfGlobalCtrl: Bool
    ) -> VMXMSRSet? {
        guard let identity = KernelIdentity(release: kernelRelease, version: kernelVersion) else { return nil }
        let era = DerivedEra(identity, release: kernelRelease).era
        return EVMCSFilter(era: era, perfGlobalCtrl: perfGlobalCtrl).apply(to: values)
    }

    /// The guest-visible view: `set` with this era's filter applied to every MSR it covers.
    public func apply(to set: VMXMSRSet) -> VMXMSRSet {
        var filtered = set
        for index in Self.filteredMSRs {
            guard let value = set[index] else { continue }
            let removed = removedBits(of: index)
            if removed != 0 { filtered[index] = value & ~removed }
        }
        return filtered
    }

    /// The MSRs any era's filter can touch.
    static let filteredMSRs: [MSRIndex] = [
        .vmxPinBasedControls, .vmxTruePinBasedControls, .vmxProcBasedControls, .vmxTrueProcBasedControls,
        .vmxProcBasedControls2, .vmxExitControls, .vmxTrueExitControls, .vmxEntryControls, .vmxTrueEntryControls,
        .vmxVMFunc,
    ]

    /// The bits of MSR `index` (as 64-bit MSR bit positions) this filter clears.
    public func removedBits(of index: MSRIndex) -> UInt64 {
        switch index {
        case .vmxPinBasedControls: controls(removed: pinRemoved(trueMSR: false))
        case .vmxTruePinBasedControls: controls(removed: pinRemoved(trueMSR: true))
        case .vmxProcBasedControls, .vmxTrueProcBasedControls: controls(removed: primaryRemoved)
        case .vmxProcBasedControls2: controls(removed: secondaryRemoved)
        case .vmxExitControls, .vmxTrueExitControls: controls(removed: exitRemoved)
        case .vmxEntryControls, .vmxTrueEntryControls: controls(removed: entryRemoved)
        case .vmxVMFunc: vmfuncRemoved
        default: 0
        }
    }

    /// The catalogued features this filter hides that `set` offers (allowed-1 set), in
    /// catalog order — "what eVMCS removes" on this host.
    public func removedFeatures(from set: VMXMSRSet) -> [VMXFeature] {
        let guest = apply(to: set)
        return VMXCatalog.features.filter { feature in
            VMXDecoder.state(of: feature, in: set).isAvailable && !VMXDecoder.state(of: feature, in: guest).isAvailable
        }
    }

    // MARK: - The tables (Docs/evmcs-eras.md)

    private func controls(removed: UInt32) -> UInt64 { UInt64(removed) << 32 }

    private func pinRemoved(trueMSR: Bool) -> UInt32 {
        switch era {
        case .preEVMCS, .v5_6: 0
        case .v4_20, .v5_4_180, .v5_17, .v6_1: EVMCS1.unsupportedPin
        case .v5_15: trueMSR ? 0 : EVMCS1.unsupportedPin
        case .v6_3: ~EVMCS1.supportedPin
        }
    }

    private var primaryRemoved: UInt32 {
        era == .v6_3 ? ~EVMCS1.supportedPrimary : 0
    }

    private var secondaryRemoved: UInt32 {
        switch era {
        case .preEVMCS: 0
        case .v5_6: Bit.mask(0)
        case .v4_20, .v5_4_180, .v5_15, .v5_17, .v6_1: EVMCS1.unsupportedSecondary
        case .v6_3: ~(EVMCS1.supportedSecondary & ~Bit.mask(25))
        }
    }

    private var exitRemoved: UInt32 {
        let perf = Bit.mask(12)
        switch era {
        case .preEVMCS: return 0
        case .v4_20, .v5_6, .v5_15: return perf
        case .v5_4_180, .v5_17: return perf | Bit.mask(22)
        case .v6_1: return Bit.mask(22) | (perfGlobalCtrl ? 0 : perf)
        case .v6_3: return ~EVMCS1.supportedExit | (perfGlobalCtrl ? 0 : perf)
        }
    }

    private var entryRemoved: UInt32 {
        let perf = Bit.mask(13)
        switch era {
        case .preEVMCS: return 0
        case .v4_20, .v5_4_180, .v5_6, .v5_15, .v5_17: return perf
        case .v6_1: return perfGlobalCtrl ? 0 : perf
        case .v6_3: return ~EVMCS1.supportedEntry | (perfGlobalCtrl ? 0 : perf)
        }
    }

    /// 6.3+ clears bits 31:0 only (`ctl_low &= 0` on the 64-bit MSR), leaving 63:32 alone.
    private var vmfuncRemoved: UInt64 {
        switch era {
        case .preEVMCS, .v5_6: 0
        case .v4_20, .v5_4_180, .v5_15, .v5_17, .v6_1: 1
        case .v6_3: 0xFFFF_FFFF
        }
    }
}

/// The eVMCSv1 control lists of arch/x86/kvm/vmx/evmcs.h (later hyperv_evmcs.h), as control
/// bit masks. Deny lists are the EVMCS1_UNSUPPORTED_* of 4.20–6.2; allow lists the
/// EVMCS1_SUPPORTED_* of 6.3+.
enum EVMCS1 {
    /// PIN_BASED_VMX_PREEMPTION_TIMER (6), PIN_BASED_POSTED_INTR (7).
    static let unsupportedPin = Bit.mask(6, 7)
    /// VIRTUALIZE_APIC_ACCESSES (0), APIC_REGISTER_VIRT (8), VIRTUAL_INTR_DELIVERY (9),
    /// PAUSE_LOOP_EXITING (10), ENABLE_VMFUNC (13), SHADOW_VMCS (14), ENABLE_PML (17),
    /// TSC_SCALING (25).
    static let unsupportedSecondary = Bit.mask(0, 8, 9, 10, 13, 14, 17, 25)

    /// PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR | EXT_INTR_MASK | NMI_EXITING | VIRTUAL_NMIS.
    static let supportedPin = VMXFeatureGroup.pinBased.defaultOnes | Bit.mask(0, 3, 5)
    /// CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR and every primary control except
    /// ACTIVATE_TERTIARY_CONTROLS (17).
    static let supportedPrimary =
        VMXFeatureGroup.primaryProcBased.defaultOnes
        | Bit.mask(2, 3, 7, 9, 10, 11, 12, 15, 16, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31)
    /// X2APIC_MODE, WBINVD, VPID, EPT, UNRESTRICTED_GUEST, DESC, RDTSCP, INVPCID, XSAVES,
    /// RDSEED, RDRAND, TSC_SCALING, USR_WAIT_PAUSE, PT_USE_GPA, PT_CONCEAL_VMX,
    /// BUS_LOCK_DETECTION, NOTIFY_VM_EXITING, ENCLS_EXITING. (KVM never exposes TSC_SCALING
    /// to Hyper-V on KVM: the filter uses this list minus bit 25.)
    static let supportedSecondary = Bit.mask(1, 2, 3, 4, 5, 6, 7, 11, 12, 15, 16, 19, 20, 24, 25, 26, 30, 31)
    /// VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR | SAVE_DEBUG_CONTROLS | ACK_INTR_ON_EXIT |
    /// HOST_ADDR_SPACE_SIZE | LOAD_IA32_PERF_GLOBAL_CTRL | SAVE/LOAD_IA32_PAT |
    /// SAVE/LOAD_IA32_EFER | CLEAR_BNDCFGS | PT_CONCEAL_PIP | CLEAR_IA32_RTIT_CTL.
    static let supportedExit =
        VMXFeatureGroup.exit.defaultOnes | Bit.mask(2, 9, 12, 15, 18, 19, 20, 21, 23, 24, 25)
    /// VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR | LOAD_DEBUG_CONTROLS | IA32E_MODE |
    /// LOAD_IA32_PERF_GLOBAL_CTRL | LOAD_IA32_PAT | LOAD_IA32_EFER | LOAD_BNDCFGS |
    /// PT_CONCEAL_PIP | LOAD_IA32_RTIT_CTL.
    static let supportedEntry = VMXFeatureGroup.entry.defaultOnes | Bit.mask(2, 9, 13, 14, 15, 16, 17, 18)
}

/// Bit-mask construction from bit numbers.
enum Bit {
    static func mask(_ bits: Int...) -> UInt32 {
        bits.reduce(0) { $0 | (1 << UInt32($1)) }
    }
}
