/// A group of VMX capability bits that share one encoding, as vmxcap and QEMU arrange them.
public enum VMXFeatureGroup: String, CaseIterable, Sendable, Codable {
    case basic
    case pinBased = "pin-based"
    case primaryProcBased = "primary-processor-based"
    case secondaryProcBased = "secondary-processor-based"
    case tertiaryProcBased = "tertiary-processor-based"
    case exit = "vm-exit"
    case entry = "vm-entry"
    case misc
    case eptVPID = "ept-vpid"
    case vmFunctions = "vm-functions"

    /// How the group's MSR encodes its bits.
    public enum Encoding: Sendable {
        /// VM-execution/exit/entry controls: bits 31:0 are the allowed-0 settings (a 1 means
        /// "must be 1"), bits 63:32 the allowed-1 settings (a 1 means "may be 1"). A feature's
        /// `bit` is the control bit; its allowed-1 bit sits at MSR bit `32 + bit`.
        case controls32
        /// A plain 64-bit allowed-1 mask (VMFUNC, tertiary controls).
        case allowed1Mask64
        /// Independent capability flags at their MSR bit positions (BASIC, MISC, EPT/VPID).
        case flags64
    }

    /// The MSR QEMU names in its warnings (the TRUE MSR for controls that have one).
    public var msr: MSRIndex {
        switch self {
        case .basic: .vmxBasic
        case .pinBased: .vmxTruePinBasedControls
        case .primaryProcBased: .vmxTrueProcBasedControls
        case .secondaryProcBased: .vmxProcBasedControls2
        case .tertiaryProcBased: .vmxProcBasedControls3
        case .exit: .vmxTrueExitControls
        case .entry: .vmxTrueEntryControls
        case .misc: .vmxMisc
        case .eptVPID: .vmxEPTVPIDCap
        case .vmFunctions: .vmxVMFunc
        }
    }

    /// The non-TRUE control MSR of a control group that has a TRUE variant.
    public var plainMSR: MSRIndex? {
        switch self {
        case .pinBased: .vmxPinBasedControls
        case .primaryProcBased: .vmxProcBasedControls
        case .exit: .vmxExitControls
        case .entry: .vmxEntryControls
        default: nil
        }
    }

    /// The "default1" controls the non-TRUE MSR reports as must-be-1 although the TRUE MSR
    /// allows 0 (`*_ALWAYSON_WITHOUT_TRUE_MSR` in arch/x86/include/asm/vmx.h; SDM A.2).
    public var defaultOnes: UInt32 {
        switch self {
        case .pinBased: 0x0000_0016
        case .primaryProcBased: 0x0401_E172
        case .exit: 0x0003_6DFF
        case .entry: 0x0000_11FF
        default: 0
        }
    }

    public var encoding: Encoding {
        switch self {
        case .pinBased, .primaryProcBased, .secondaryProcBased, .exit, .entry: .controls32
        case .tertiaryProcBased, .vmFunctions: .allowed1Mask64
        case .basic, .misc, .eptVPID: .flags64
        }
    }

    /// The heading vmxcap prints for the group.
    public var title: String {
        switch self {
        case .basic: "Basic VMX Information"
        case .pinBased: "pin-based controls"
        case .primaryProcBased: "primary processor-based controls"
        case .secondaryProcBased: "secondary processor-based controls"
        case .tertiaryProcBased: "tertiary processor-based controls"
        case .exit: "VM-Exit controls"
        case .entry: "VM-Entry controls"
        case .misc: "Miscellaneous data"
        case .eptVPID: "VPID and EPT capabilities"
        case .vmFunctions: "VM Functions"
        }
    }
}
