/// Builds the guest CPUID of a Hyper-V-enabled VMM: what QEMU sets for `hv-vapic,hv-evmcs` (plus the
/// enlightened MSR bitmap bit, which QEMU sets for `hv-emsr-bitmap`).
///
/// KVM keys its Hyper-V behaviour on this CPUID: `hyperv_enabled` is true exactly when leaf
/// 0x40000001 EAX is "Hv#1", and on 6.1+ the eVMCS guest-read filter applies only when Hyper-V is
/// enabled *and* eVMCS was enabled on the vCPU, with PERF_GLOBAL_CTRL gated on 0x4000000A EBX bit 0.
///
/// ```swift
/// let cpuid = HyperVCPUID.entries(supported: try system.supportedCPUID(), evmcsVersionRange: 0x0101, perfGlobalCtrl: false)
/// ```
public enum HyperVCPUID {
    /// The hypervisor leaf range KVM uses for its own paravirtual CPUID ("KVMKVMKVM"), replaced here.
    public static let hypervisorLeaves: ClosedRange<UInt32> = 0x4000_0000...0x4000_00FF

    /// 0x40000000 EBX/ECX/EDX: "Microsoft Hv".
    public static let vendorSignature: (ebx: UInt32, ecx: UInt32, edx: UInt32) = (0x7263_694D, 0x666F_736F, 0x7648_2074)
    /// 0x40000001 EAX: "Hv#1", the interface signature KVM checks.
    public static let interfaceSignature: UInt32 = 0x3123_7648
    /// 0x40000003 EAX bit 4: HV_APIC_ACCESS_AVAILABLE (hv-vapic).
    public static let apicAccessAvailable: UInt32 = 1 << 4
    /// 0x40000003 EAX bit 5: HV_HYPERCALL_AVAILABLE (set by QEMU with any enlightenment).
    public static let hypercallAvailable: UInt32 = 1 << 5
    /// 0x40000003 EDX bit 3: HV_CPU_DYNAMIC_PARTITIONING_AVAILABLE (always set by QEMU).
    public static let cpuDynamicPartitioningAvailable: UInt32 = 1 << 3
    /// 0x40000004 EAX bit 3: HV_APIC_ACCESS_RECOMMENDED (hv-vapic).
    public static let apicAccessRecommended: UInt32 = 1 << 3
    /// 0x40000004 EAX bit 14: HV_ENLIGHTENED_VMCS_RECOMMENDED (hv-evmcs).
    public static let enlightenedVMCSRecommended: UInt32 = 1 << 14
    /// 0x4000000A EAX bit 19: HV_NESTED_MSR_BITMAP.
    public static let nestedMSRBitmap: UInt32 = 1 << 19
    /// 0x4000000A EBX bit 0: HV_X64_NESTED_EVMCS1_PERF_GLOBAL_CTRL (honoured by KVM 6.1+).
    public static let evmcs1PerfGlobalCtrl: UInt32 = 1 << 0

    /// The supported CPUID with KVM's paravirtual leaves replaced by Hyper-V leaves.
    /// - Parameters:
    ///   - supported: KVM_GET_SUPPORTED_CPUID output (or any base CPUID).
    ///   - evmcsVersionRange: The eVMCS version range for 0x4000000A EAX bits 15:0 (low byte lowest,
    ///     high byte highest), normally what `KVMVirtualCPU.enableEnlightenedVMCS()` returned.
    ///   - perfGlobalCtrl: Whether to set 0x4000000A EBX bit 0.
    /// - Returns: `supported` minus every leaf in `hypervisorLeaves`, in its original order, followed by
    ///   the leaves of `leaves(evmcsVersionRange:perfGlobalCtrl:)`.
    public static func entries(
        supported: [CPUIDEntry],
        evmcsVersionRange: UInt16,
        perfGlobalCtrl: Bool
    ) -> [CPUIDEntry] {
        supported.filter { !hypervisorLeaves.contains($0.function) }
            + leaves(evmcsVersionRange: evmcsVersionRange, perfGlobalCtrl: perfGlobalCtrl)
    }

    /// The Hyper-V leaves 0x40000000–0x4000000A alone.
    ///
    /// Values: 0x40000000 max leaf 0x4000000A + "Microsoft Hv"; 0x40000001 "Hv#1"; 0x40000002 QEMU's
    /// default version (build 0x3839, 10.0); 0x40000003 hypercalls + APIC access, dynamic
    /// partitioning; 0x40000004 APIC access and eVMCS recommended, spinlock retries 0xFFFFFFFF (never
    /// notify); 0x40000005 max VPs 0xFFFFFFFF, max LPs 64 (QEMU defaults); 0x40000006–0x40000009 zero;
    /// 0x4000000A EAX = version range | NESTED_MSR_BITMAP, EBX bit 0 = `perfGlobalCtrl`.
    public static func leaves(evmcsVersionRange: UInt16, perfGlobalCtrl: Bool) -> [CPUIDEntry] {
        [
            CPUIDEntry(
                function: 0x4000_0000,
                eax: 0x4000_000A,
                ebx: vendorSignature.ebx,
                ecx: vendorSignature.ecx,
                edx: vendorSignature.edx
            ),
            CPUIDEntry(function: 0x4000_0001, eax: interfaceSignature),
            CPUIDEntry(function: 0x4000_0002, eax: 0x3839, ebx: 0x000A_0000),
            CPUIDEntry(
                function: 0x4000_0003,
                eax: hypercallAvailable | apicAccessAvailable,
                edx: cpuDynamicPartitioningAvailable
            ),
            CPUIDEntry(
                function: 0x4000_0004,
                eax: apicAccessRecommended | enlightenedVMCSRecommended,
                ebx: 0xFFFF_FFFF
            ),
            CPUIDEntry(function: 0x4000_0005, eax: 0xFFFF_FFFF, ebx: 64),
        ]
            + (0x4000_0006...0x4000_0009).map { CPUIDEntry(function: $0) }
            + [
                CPUIDEntry(
                    function: 0x4000_000A,
                    eax: UInt32(evmcsVersionRange) | nestedMSRBitmap,
                    ebx: perfGlobalCtrl ? evmcs1PerfGlobalCtrl : 0
                )
            ]
    }
}
