/// Every named bit and field of the VMX capability MSRs 0x480–0x493.
///
/// Sources: Intel SDM Vol. 3D Appendix A, QEMU `target/i386/cpu.c` (`feature_word_info`, the
/// `vmx-*` property names) and `scripts/kvm/vmxcap` (the summaries). Names QEMU does not have
/// are evmcsd's own (`qemu: false`), listed in Docs/features.md.
public enum VMXCatalog {
    /// All features, grouped in vmxcap order, ascending bit within a group.
    public static let features: [VMXFeature] =
        basic + pinBased + primary + secondary + tertiary + exit + entry + misc
        + eptVPID + vmFunctions

    /// All multi-bit fields.
    public static let fields: [VMXField] = [
        VMXField("vmcs-revision", .vmxBasic, 0...30, "VMCS revision identifier", .hex),
        VMXField("vmcs-size", .vmxBasic, 32...44, "VMCS size"),
        VMXField("vmcs-memory-type", .vmxBasic, 50...53, "VMCS memory type"),
        VMXField("preemption-timer-rate", .vmxMisc, 0...4, "VMX-preemption timer scale (log2)"),
        VMXField("cr3-target-count", .vmxMisc, 16...24, "Number of CR3-target values"),
        VMXField(
            "max-msr-list",
            .vmxMisc,
            25...27,
            "MSR-load/store count recommendation",
            .scaledCount(multiplier: 512)
        ),
        VMXField("mseg-revision", .vmxMisc, 32...63, "MSEG revision identifier", .hex),
        VMXField("cr0-fixed0", .vmxCR0Fixed0, 0...63, "CR0 bits fixed to 1 in VMX operation", .hex),
        VMXField("cr0-fixed1", .vmxCR0Fixed1, 0...63, "CR0 bits allowed to be 1 in VMX operation", .hex),
        VMXField("cr4-fixed0", .vmxCR4Fixed0, 0...63, "CR4 bits fixed to 1 in VMX operation", .hex),
        VMXField("cr4-fixed1", .vmxCR4Fixed1, 0...63, "CR4 bits allowed to be 1 in VMX operation", .hex),
        VMXField("vmcs-max-index", .vmxVMCSEnum, 1...9, "Highest index value of VMCS field encodings", .hex),
    ]

    private static let byName: [String: VMXFeature] = Dictionary(uniqueKeysWithValues: features.map { ($0.name, $0) })

    /// The feature called `name`, or `nil`.
    public static func feature(named name: String) -> VMXFeature? { byName[name] }

    /// The features of one group, ascending bit.
    public static func features(in group: VMXFeatureGroup) -> [VMXFeature] {
        features.filter { $0.group == group }
    }

    /// The feature at `bit` of `group`, or `nil` when the bit has no name.
    public static func feature(in group: VMXFeatureGroup, bit: Int) -> VMXFeature? {
        byGroupAndBit[GroupBit(group: group, bit: bit)]
    }

    private struct GroupBit: Hashable {
        var group: VMXFeatureGroup
        var bit: Int
    }

    private static let byGroupAndBit: [GroupBit: VMXFeature] = Dictionary(
        uniqueKeysWithValues: features.map { (GroupBit(group: $0.group, bit: $0.bit), $0) }
    )

    /// The fields stored in `msr`.
    public static func fields(of msr: MSRIndex) -> [VMXField] {
        fields.filter { $0.msr == msr }
    }

    /// The field called `name`, or `nil`.
    public static func field(named name: String) -> VMXField? {
        fields.first { $0.name == name }
    }

    // MARK: - Tables

    private static let basic: [VMXFeature] = [
        VMXFeature("vmx-basic-32bit-addresses", .basic, 48, "VMCS restricted to 32-bit addresses", qemu: false),
        VMXFeature("vmx-dual-monitor", .basic, 49, "Dual-monitor support", qemu: false),
        VMXFeature("vmx-ins-outs", .basic, 54, "INS/OUTS instruction information"),
        VMXFeature("vmx-true-ctls", .basic, 55, "IA32_VMX_TRUE_*_CTLS support"),
        VMXFeature("vmx-any-errcode", .basic, 56, "Skip checks on event error code"),
        VMXFeature("vmx-nested-exception", .basic, 58, "Nested-exception support (FRED)"),
    ]

    private static let pinBased: [VMXFeature] = [
        VMXFeature("vmx-intr-exit", .pinBased, 0, "External interrupt exiting"),
        VMXFeature("vmx-nmi-exit", .pinBased, 3, "NMI exiting"),
        VMXFeature("vmx-vnmi", .pinBased, 5, "Virtual NMIs"),
        VMXFeature("vmx-preemption-timer", .pinBased, 6, "Activate VMX-preemption timer"),
        VMXFeature("vmx-posted-intr", .pinBased, 7, "Process posted interrupts"),
    ]

    private static let primary: [VMXFeature] = [
        VMXFeature("vmx-vintr-pending", .primaryProcBased, 2, "Interrupt window exiting"),
        VMXFeature("vmx-tsc-offset", .primaryProcBased, 3, "Use TSC offsetting"),
        VMXFeature("vmx-hlt-exit", .primaryProcBased, 7, "HLT exiting"),
        VMXFeature("vmx-invlpg-exit", .primaryProcBased, 9, "INVLPG exiting"),
        VMXFeature("vmx-mwait-exit", .primaryProcBased, 10, "MWAIT exiting"),
        VMXFeature("vmx-rdpmc-exit", .primaryProcBased, 11, "RDPMC exiting"),
        VMXFeature("vmx-rdtsc-exit", .primaryProcBased, 12, "RDTSC exiting"),
        VMXFeature("vmx-cr3-load-noexit", .primaryProcBased, 15, "CR3-load exiting"),
        VMXFeature("vmx-cr3-store-noexit", .primaryProcBased, 16, "CR3-store exiting"),
        VMXFeature("vmx-activate-tertiary-ctls", .primaryProcBased, 17, "Activate tertiary controls", qemu: false),
        VMXFeature("vmx-cr8-load-exit", .primaryProcBased, 19, "CR8-load exiting"),
        VMXFeature("vmx-cr8-store-exit", .primaryProcBased, 20, "CR8-store exiting"),
        VMXFeature("vmx-flexpriority", .primaryProcBased, 21, "Use TPR shadow"),
        VMXFeature("vmx-vnmi-pending", .primaryProcBased, 22, "NMI-window exiting"),
        VMXFeature("vmx-movdr-exit", .primaryProcBased, 23, "MOV-DR exiting"),
        VMXFeature("vmx-io-exit", .primaryProcBased, 24, "Unconditional I/O exiting"),
        VMXFeature("vmx-io-bitmap", .primaryProcBased, 25, "Use I/O bitmaps"),
        VMXFeature("vmx-mtf", .primaryProcBased, 27, "Monitor trap flag"),
        VMXFeature("vmx-msr-bitmap", .primaryProcBased, 28, "Use MSR bitmaps"),
        VMXFeature("vmx-monitor-exit", .primaryProcBased, 29, "MONITOR exiting"),
        VMXFeature("vmx-pause-exit", .primaryProcBased, 30, "PAUSE exiting"),
        VMXFeature("vmx-secondary-ctls", .primaryProcBased, 31, "Activate secondary control"),
    ]

    private static let secondary: [VMXFeature] = [
        VMXFeature("vmx-apicv-xapic", .secondaryProcBased, 0, "Virtualize APIC accesses"),
        VMXFeature("vmx-ept", .secondaryProcBased, 1, "Enable EPT"),
        VMXFeature("vmx-desc-exit", .secondaryProcBased, 2, "Descriptor-table exiting"),
        VMXFeature("vmx-rdtscp-exit", .secondaryProcBased, 3, "Enable RDTSCP"),
        VMXFeature("vmx-apicv-x2apic", .secondaryProcBased, 4, "Virtualize x2APIC mode"),
        VMXFeature("vmx-vpid", .secondaryProcBased, 5, "Enable VPID"),
        VMXFeature("vmx-wbinvd-exit", .secondaryProcBased, 6, "WBINVD exiting"),
        VMXFeature("vmx-unrestricted-guest", .secondaryProcBased, 7, "Unrestricted guest"),
        VMXFeature("vmx-apicv-register", .secondaryProcBased, 8, "APIC register emulation"),
        VMXFeature("vmx-apicv-vid", .secondaryProcBased, 9, "Virtual interrupt delivery"),
        VMXFeature("vmx-ple", .secondaryProcBased, 10, "PAUSE-loop exiting"),
        VMXFeature("vmx-rdrand-exit", .secondaryProcBased, 11, "RDRAND exiting"),
        VMXFeature("vmx-invpcid-exit", .secondaryProcBased, 12, "Enable INVPCID"),
        VMXFeature("vmx-vmfunc", .secondaryProcBased, 13, "Enable VM functions"),
        VMXFeature("vmx-shadow-vmcs", .secondaryProcBased, 14, "VMCS shadowing"),
        VMXFeature("vmx-encls-exit", .secondaryProcBased, 15, "Enable ENCLS exiting"),
        VMXFeature("vmx-rdseed-exit", .secondaryProcBased, 16, "RDSEED exiting"),
        VMXFeature("vmx-pml", .secondaryProcBased, 17, "Enable PML"),
        VMXFeature("vmx-ept-violation-ve", .secondaryProcBased, 18, "EPT-violation #VE", qemu: false),
        VMXFeature("vmx-pt-conceal-vmx", .secondaryProcBased, 19, "Conceal non-root operation from PT", qemu: false),
        VMXFeature("vmx-xsaves", .secondaryProcBased, 20, "Enable XSAVES/XRSTORS"),
        VMXFeature("vmx-mbec", .secondaryProcBased, 22, "Mode-based execute control (XS/XU)", qemu: false),
        VMXFeature("vmx-spp", .secondaryProcBased, 23, "Sub-page write permissions", qemu: false),
        VMXFeature("vmx-pt-use-gpa", .secondaryProcBased, 24, "GPA translation for PT", qemu: false),
        VMXFeature("vmx-tsc-scaling", .secondaryProcBased, 25, "TSC scaling"),
        VMXFeature("vmx-enable-user-wait-pause", .secondaryProcBased, 26, "User wait and pause"),
        VMXFeature("vmx-enclv-exit", .secondaryProcBased, 28, "ENCLV exiting", qemu: false),
        VMXFeature("vmx-bus-lock-detect", .secondaryProcBased, 30, "Bus-lock detection", qemu: false),
        VMXFeature("vmx-notify-vm-exiting", .secondaryProcBased, 31, "Notify VM exiting", qemu: false),
    ]

    private static let tertiary: [VMXFeature] = [
        VMXFeature("vmx-loadiwkey-exit", .tertiaryProcBased, 0, "LOADIWKEY exiting", qemu: false),
        VMXFeature("vmx-hlat", .tertiaryProcBased, 1, "Enable HLAT", qemu: false),
        VMXFeature("vmx-ept-paging-write", .tertiaryProcBased, 2, "EPT paging-write control", qemu: false),
        VMXFeature("vmx-guest-paging-verify", .tertiaryProcBased, 3, "Guest-paging verification", qemu: false),
        VMXFeature("vmx-ipi-virt", .tertiaryProcBased, 4, "Enable IPI virtualization", qemu: false),
        VMXFeature("vmx-virt-spec-ctrl", .tertiaryProcBased, 7, "Virtualize IA32_SPEC_CTRL", qemu: false),
    ]

    private static let exit: [VMXFeature] = [
        VMXFeature("vmx-exit-nosave-debugctl", .exit, 2, "Save debug controls"),
        VMXFeature("vmx-exit-host-addr-space-size", .exit, 9, "Host address-space size", qemu: false),
        VMXFeature("vmx-exit-load-perf-global-ctrl", .exit, 12, "Load IA32_PERF_GLOBAL_CTRL"),
        VMXFeature("vmx-exit-ack-intr", .exit, 15, "Acknowledge interrupt on exit"),
        VMXFeature("vmx-exit-save-pat", .exit, 18, "Save IA32_PAT"),
        VMXFeature("vmx-exit-load-pat", .exit, 19, "Load IA32_PAT"),
        VMXFeature("vmx-exit-save-efer", .exit, 20, "Save IA32_EFER"),
        VMXFeature("vmx-exit-load-efer", .exit, 21, "Load IA32_EFER"),
        VMXFeature("vmx-exit-save-preemption-timer", .exit, 22, "Save VMX-preemption timer value"),
        VMXFeature("vmx-exit-clear-bndcfgs", .exit, 23, "Clear IA32_BNDCFGS"),
        VMXFeature("vmx-exit-pt-conceal-pip", .exit, 24, "Conceal VM exits from PT", qemu: false),
        VMXFeature("vmx-exit-clear-rtit-ctl", .exit, 25, "Clear IA32_RTIT_CTL"),
        VMXFeature("vmx-exit-load-cet", .exit, 28, "Load CET state", qemu: false),
        VMXFeature("vmx-exit-load-pkrs", .exit, 29, "Load PKRS"),
        VMXFeature("vmx-exit-secondary-ctls", .exit, 31, "Activate secondary controls"),
    ]

    private static let entry: [VMXFeature] = [
        VMXFeature("vmx-entry-noload-debugctl", .entry, 2, "Load debug controls"),
        VMXFeature("vmx-entry-ia32e-mode", .entry, 9, "IA-32e mode guest"),
        VMXFeature("vmx-entry-smm", .entry, 10, "Entry to SMM", qemu: false),
        VMXFeature("vmx-entry-deactivate-dual-monitor", .entry, 11, "Deactivate dual-monitor treatment", qemu: false),
        VMXFeature("vmx-entry-load-perf-global-ctrl", .entry, 13, "Load IA32_PERF_GLOBAL_CTRL"),
        VMXFeature("vmx-entry-load-pat", .entry, 14, "Load IA32_PAT"),
        VMXFeature("vmx-entry-load-efer", .entry, 15, "Load IA32_EFER"),
        VMXFeature("vmx-entry-load-bndcfgs", .entry, 16, "Load IA32_BNDCFGS"),
        VMXFeature("vmx-entry-pt-conceal-pip", .entry, 17, "Conceal VM entries from PT", qemu: false),
        VMXFeature("vmx-entry-load-rtit-ctl", .entry, 18, "Load IA32_RTIT_CTL"),
        VMXFeature("vmx-entry-load-cet", .entry, 20, "Load CET state", qemu: false),
        VMXFeature("vmx-entry-load-pkrs", .entry, 22, "Load PKRS"),
        VMXFeature("vmx-entry-load-fred", .entry, 23, "Load FRED state"),
    ]

    private static let misc: [VMXFeature] = [
        VMXFeature("vmx-store-lma", .misc, 5, "Store EFER.LMA into IA-32e mode guest control"),
        VMXFeature("vmx-activity-hlt", .misc, 6, "HLT activity state"),
        VMXFeature("vmx-activity-shutdown", .misc, 7, "Shutdown activity state"),
        VMXFeature("vmx-activity-wait-sipi", .misc, 8, "Wait-for-SIPI activity state"),
        VMXFeature("vmx-pt-in-vmx", .misc, 14, "PT in VMX operation", qemu: false),
        VMXFeature("vmx-smbase-read", .misc, 15, "IA32_SMBASE support", qemu: false),
        VMXFeature("vmx-smm-monitor-ctl-bit2", .misc, 28, "IA32_SMM_MONITOR_CTL[2] can be set to 1", qemu: false),
        VMXFeature("vmx-vmwrite-vmexit-fields", .misc, 29, "VMWRITE to VM-exit information fields"),
        VMXFeature("vmx-zero-len-inject", .misc, 30, "Inject event with insn length=0"),
    ]

    private static let eptVPID: [VMXFeature] = [
        VMXFeature("vmx-ept-execonly", .eptVPID, 0, "Execute-only EPT translations"),
        VMXFeature("vmx-page-walk-4", .eptVPID, 6, "Page-walk length 4"),
        VMXFeature("vmx-page-walk-5", .eptVPID, 7, "Page-walk length 5"),
        VMXFeature("vmx-ept-uc", .eptVPID, 8, "Paging-structure memory type UC", qemu: false),
        VMXFeature("vmx-ept-wb", .eptVPID, 14, "Paging-structure memory type WB", qemu: false),
        VMXFeature("vmx-ept-2mb", .eptVPID, 16, "2MB EPT pages"),
        VMXFeature("vmx-ept-1gb", .eptVPID, 17, "1GB EPT pages"),
        VMXFeature("vmx-invept", .eptVPID, 20, "INVEPT supported"),
        VMXFeature("vmx-eptad", .eptVPID, 21, "EPT accessed and dirty flags"),
        VMXFeature("vmx-ept-advanced-exitinfo", .eptVPID, 22, "Advanced VM-exit information for EPT violations"),
        VMXFeature("vmx-invept-single-context", .eptVPID, 25, "Single-context INVEPT"),
        VMXFeature("vmx-invept-all-context", .eptVPID, 26, "All-context INVEPT"),
        VMXFeature("vmx-invvpid", .eptVPID, 32, "INVVPID supported"),
        VMXFeature("vmx-invvpid-single-addr", .eptVPID, 40, "Individual-address INVVPID"),
        VMXFeature(
            "vmx-invvpid-single-context",
            .eptVPID,
            41,
            "Single-context INVVPID",
            qemuProperty: "vmx-invept-single-context"
        ),
        VMXFeature("vmx-invvpid-all-context", .eptVPID, 42, "All-context INVVPID"),
        VMXFeature("vmx-invept-single-context-noglobals", .eptVPID, 43, "Single-context-retaining-globals INVVPID"),
    ]

    private static let vmFunctions: [VMXFeature] = [
        VMXFeature("vmx-eptp-switching", .vmFunctions, 0, "EPTP Switching")
    ]
}
