/// A span of kernel releases in which KVM filtered the VMX controls of eVMCS guests the same
/// way (Docs/evmcs-eras.md; `nested_evmcs_filter_control_msr()` in arch/x86/kvm/vmx/evmcs.c,
/// later hyperv.c and hyperv_evmcs.c).
///
/// ``init(kernel:)`` gives the mainline era of a version number. Stable kernels carry later
/// eras' changes (``DerivedEra`` applies the backports by sublevel), and vendor kernels (RHEL 9's
/// `5.14.0-*` carries 6.x eVMCS code) report an older number: for them the measured guest view
/// is authoritative, and a profile may declare its era in `kernel.evmcsEra`.
public enum EVMCSEra: String, Codable, CaseIterable, Sendable, Comparable {
    /// Before 4.20: KVM_CAP_HYPERV_ENLIGHTENED_VMCS does not exist.
    case preEVMCS = "pre-4.20"
    /// 4.20–5.5: enabling the capability clears unsupported controls in the vCPU's own VMX
    /// MSRs (commit 57b119da3594), so host-initiated reads are filtered too.
    case v4_20 = "4.20"
    /// 5.4.180 and later 5.4.y: the 4.20 behaviour plus VM_EXIT_SAVE_VMX_PREEMPTION_TIMER in the
    /// deny list (7a601e2cf615, backported), which 5.4 also clears in the vCPU's own MSRs.
    case v5_4_180 = "5.4.180"
    /// 5.6–5.14: filter moved to guest reads only, "bare minimum" list (31de3d2500e4).
    case v5_6 = "5.6"
    /// 5.15–5.16: the full EVMCS1_UNSUPPORTED_* lists, but pin-based only on the non-TRUE MSR.
    case v5_15 = "5.15"
    /// 5.17–6.0: also TRUE_PINBASED (f80ae0ef089a) and SAVE_VMX_PREEMPTION_TIMER (7a601e2cf615).
    case v5_17 = "5.17"
    /// 6.1–6.2: PERF_GLOBAL_CTRL gated on Hyper-V CPUID 0x4000000A.EBX bit 0; the filter needs
    /// Hyper-V CPUID as well as the capability.
    case v6_1 = "6.1"
    /// 6.3 onwards: allow-lists EVMCS1_SUPPORTED_* (primary controls filtered too).
    case v6_3 = "6.3"

    /// The mainline era of a kernel release, by `major.minor` alone.
    ///
    /// Stable kernels received later changes (5.10.y, 5.14.y, 5.15.y, 5.16.y, 5.4.y): use
    /// ``DerivedEra`` with the kernel's ``KernelIdentity`` to apply them.
    public init(kernel: KernelRelease) {
        switch (kernel.major, kernel.minor) {
        case let (major, minor) where (major, minor) < (4, 20): self = .preEVMCS
        case let (major, minor) where (major, minor) < (5, 6): self = .v4_20
        case let (major, minor) where (major, minor) < (5, 15): self = .v5_6
        case let (major, minor) where (major, minor) < (5, 17): self = .v5_15
        case let (major, minor) where (major, minor) < (6, 1): self = .v5_17
        case let (major, minor) where (major, minor) < (6, 3): self = .v6_1
        default: self = .v6_3
        }
    }

    /// The releases the era spans, for humans: `5.6–5.14`.
    public var span: String {
        switch self {
        case .preEVMCS: "before 4.20"
        case .v4_20: "4.20–5.5"
        case .v5_4_180: "5.4.180 and later 5.4.y"
        case .v5_6: "5.6–5.14"
        case .v5_15: "5.15–5.16"
        case .v5_17: "5.17–6.0"
        case .v6_1: "6.1–6.2"
        case .v6_3: "6.3 and later"
        }
    }

    /// Whether enabling eVMCS changes the vCPU's own VMX MSRs (so KVM_GET_MSRS on the vCPU and
    /// the restore checks see filtered values): only 4.20–5.5.
    public var filtersVCPUState: Bool { self == .v4_20 || self == .v5_4_180 }

    private var order: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: EVMCSEra, rhs: EVMCSEra) -> Bool { lhs.order < rhs.order }
}
