/// The KVM capabilities a host profile reports (Docs/documents.md), by linux/kvm.h name without
/// `KVM_CAP_`. KVM_CAP_NR_VCPUS is left out on purpose: it is the host's CPU count, not a
/// capability, and would make identical hosts of different sizes look different.
public enum CapabilityCatalog {
    public static let entries: [(name: String, number: Int32)] = [
        ("HYPERV", 44),
        ("MAX_VCPUS", 66),
        ("HYPERV_TIME", 96),
        ("HYPERV_SYNIC", 123),
        ("HYPERV_SYNIC2", 148),
        ("HYPERV_VP_INDEX", 149),
        ("GET_MSR_FEATURES", 153),
        ("HYPERV_TLBFLUSH", 155),
        ("NESTED_STATE", 157),
        ("HYPERV_SEND_IPI", 161),
        ("HYPERV_ENLIGHTENED_VMCS", KVMCapability.hyperVEnlightenedVMCS),
        ("EXCEPTION_PAYLOAD", 164),
        ("HYPERV_CPUID", KVMCapability.hyperVCPUID),
        ("HYPERV_DIRECT_TLBFLUSH", 175),
        ("X86_USER_SPACE_MSR", 188),
        ("X86_MSR_FILTER", 189),
        ("SYS_HYPERV_CPUID", KVMCapability.sysHyperVCPUID),
        ("HYPERV_ENFORCE_CPUID", 199),
    ]
}
