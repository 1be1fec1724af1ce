/// The index of a model-specific register, as used by `RDMSR`/`WRMSR` and `KVM_GET_MSRS`.
///
/// JSON documents spell indices as lower-case hex strings (`"0x48d"`); humans see QEMU's
/// notation (`MSR(48DH)`).
public struct MSRIndex: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Lower-case hex with a `0x` prefix, as in JSON documents: `0x48d`.
    public var hex: String {
        if Self.vmxRange.contains(rawValue) { return Self.vmxHex[Int(rawValue - Self.vmxRange.lowerBound)] }
        return "0x" + String(rawValue, radix: 16)
    }

    /// The VMX capability MSRs' hex names, made once: verdicts and documents name them often.
    private static let vmxRange: ClosedRange<UInt32> = 0x480...0x493
    private static let vmxHex: [String] = vmxRange.map { "0x" + String($0, radix: 16) }

    /// QEMU's notation in feature warnings: `MSR(48DH)`.
    public var qemuLabel: String {
        var digits = String(rawValue, radix: 16, uppercase: true)
        if digits.count < 2 { digits = "0" + digits }
        return "MSR(\(digits)H)"
    }

    public var description: String { hex }

    public static func < (lhs: MSRIndex, rhs: MSRIndex) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension MSRIndex {
    /// Parses `0x48d`, `0x48D` or `0x0000048d`; the `0x` prefix is required.
    public init?(hex text: String) {
        guard let value = HexNumber.parse(text), value <= UInt64(UInt32.max) else { return nil }
        self.init(UInt32(value))
    }
}

// MARK: - The VMX capability MSRs (Intel SDM Vol. 3 Appendix A; arch/x86/include/asm/msr-index.h)

extension MSRIndex {
    public static let vmxBasic = MSRIndex(0x480)
    public static let vmxPinBasedControls = MSRIndex(0x481)
    public static let vmxProcBasedControls = MSRIndex(0x482)
    public static let vmxExitControls = MSRIndex(0x483)
    public static let vmxEntryControls = MSRIndex(0x484)
    public static let vmxMisc = MSRIndex(0x485)
    public static let vmxCR0Fixed0 = MSRIndex(0x486)
    public static let vmxCR0Fixed1 = MSRIndex(0x487)
    public static let vmxCR4Fixed0 = MSRIndex(0x488)
    public static let vmxCR4Fixed1 = MSRIndex(0x489)
    public static let vmxVMCSEnum = MSRIndex(0x48A)
    public static let vmxProcBasedControls2 = MSRIndex(0x48B)
    public static let vmxEPTVPIDCap = MSRIndex(0x48C)
    public static let vmxTruePinBasedControls = MSRIndex(0x48D)
    public static let vmxTrueProcBasedControls = MSRIndex(0x48E)
    public static let vmxTrueExitControls = MSRIndex(0x48F)
    public static let vmxTrueEntryControls = MSRIndex(0x490)
    public static let vmxVMFunc = MSRIndex(0x491)
    public static let vmxProcBasedControls3 = MSRIndex(0x492)
    public static let vmxExitControls2 = MSRIndex(0x493)

    /// Every VMX capability MSR this model knows, in index order.
    public static let allVMX: [MSRIndex] = (0x480...0x493).map { MSRIndex($0) }

    /// The Linux name of a VMX capability MSR (`MSR_IA32_VMX_TRUE_PINBASED_CTLS`), or `nil`.
    public var vmxName: String? {
        switch rawValue {
        case 0x480: "IA32_VMX_BASIC"
        case 0x481: "IA32_VMX_PINBASED_CTLS"
        case 0x482: "IA32_VMX_PROCBASED_CTLS"
        case 0x483: "IA32_VMX_EXIT_CTLS"
        case 0x484: "IA32_VMX_ENTRY_CTLS"
        case 0x485: "IA32_VMX_MISC"
        case 0x486: "IA32_VMX_CR0_FIXED0"
        case 0x487: "IA32_VMX_CR0_FIXED1"
        case 0x488: "IA32_VMX_CR4_FIXED0"
        case 0x489: "IA32_VMX_CR4_FIXED1"
        case 0x48A: "IA32_VMX_VMCS_ENUM"
        case 0x48B: "IA32_VMX_PROCBASED_CTLS2"
        case 0x48C: "IA32_VMX_EPT_VPID_CAP"
        case 0x48D: "IA32_VMX_TRUE_PINBASED_CTLS"
        case 0x48E: "IA32_VMX_TRUE_PROCBASED_CTLS"
        case 0x48F: "IA32_VMX_TRUE_EXIT_CTLS"
        case 0x490: "IA32_VMX_TRUE_ENTRY_CTLS"
        case 0x491: "IA32_VMX_VMFUNC"
        case 0x492: "IA32_VMX_PROCBASED_CTLS3"
        case 0x493: "IA32_VMX_EXIT_CTLS2"
        default: nil
        }
    }
}
