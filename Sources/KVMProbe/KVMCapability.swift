/// `KVM_CAP_*` numbers this module relies on (from include/uapi/linux/kvm.h; they never change).
public enum KVMCapability {
    /// KVM_CAP_HYPERV (44): Hyper-V emulation is built in (0 when CONFIG_KVM_HYPERV is off, 6.8+).
    public static let hyperV: Int32 = 44
    /// KVM_CAP_HYPERV_ENLIGHTENED_VMCS (163): 1 on VMX hosts that can enable eVMCS per vCPU.
    public static let hyperVEnlightenedVMCS: Int32 = 163
    /// KVM_CAP_HYPERV_CPUID (167): the vCPU ioctl KVM_GET_SUPPORTED_HV_CPUID exists.
    public static let hyperVCPUID: Int32 = 167
    /// KVM_CAP_SYS_HYPERV_CPUID (191): the system ioctl KVM_GET_SUPPORTED_HV_CPUID exists.
    public static let sysHyperVCPUID: Int32 = 191
}
