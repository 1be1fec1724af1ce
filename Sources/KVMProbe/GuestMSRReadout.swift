/// What `GuestMSRReader.read` measured on one fresh vCPU.
public struct GuestMSRReadout: Sendable, Hashable {
    /// The outcome of enabling KVM_CAP_HYPERV_ENLIGHTENED_VMCS on the vCPU.
    public enum EnlightenedVMCSEnablement: Sendable, Hashable {
        /// Enabled; the kernel reported this version range (low byte lowest, high byte highest).
        case enabled(versionRange: UInt16)
        /// KVM_ENABLE_CAP failed (ENOTTY on AMD, EINVAL without Hyper-V emulation…).
        case failed(ProbeError)
    }

    /// RDMSR as executed by the guest, one reading per requested index, in request order.
    public let guest: [MSRReading<GuestMSROutcome>]
    /// Host-initiated KVM_GET_MSRS of the same indices on the same vCPU, taken before the guest ran
    /// (after CPUID was set and eVMCS enabled).
    public let host: [MSRReading<HostMSROutcome>]
    /// The eVMCS enablement result, or `nil` when it was not requested.
    public let enlightenedVMCS: EnlightenedVMCSEnablement?
    /// The vCPU's KVM_GET_SUPPORTED_HV_CPUID after the eVMCS enablement (only there does leaf
    /// 0x4000000A report the eVMCS version), or `nil` when it was not requested.
    public let hyperVCPUID: Result<[CPUIDEntry], ProbeError>?

    /// Creates a readout.
    public init(
        guest: [MSRReading<GuestMSROutcome>],
        host: [MSRReading<HostMSROutcome>],
        enlightenedVMCS: EnlightenedVMCSEnablement?,
        hyperVCPUID: Result<[CPUIDEntry], ProbeError>? = nil
    ) {
        self.guest = guest
        self.host = host
        self.enlightenedVMCS = enlightenedVMCS
        self.hyperVCPUID = hyperVCPUID
    }
}
