/// Reads MSRs the way an L1 guest sees them: a tiny real-mode guest executes RDMSR for each index in
/// a fresh VM and reports the results through port I/O (see `GuestMSRProgram`).
///
/// This is the only way to observe what KVM's guest-read filters (e.g. the eVMCS filter on the VMX
/// capability MSRs) actually return, since host-initiated KVM_GET_MSRS bypasses them.
///
/// ```swift
/// let system = try KVMSystem()
/// let cpuid = HyperVCPUID.entries(supported: try system.supportedCPUID(), evmcsVersionRange: 0x0101, perfGlobalCtrl: false)
/// let readout = try GuestMSRReader.read(indices: Array(0x480...0x491), on: system, cpuid: cpuid, enableEnlightenedVMCS: true)
/// for reading in readout.guest { print(String(reading.index, radix: 16), reading.outcome) }
/// ```
public enum GuestMSRReader {
    /// The most indices one read can take.
    public static let maximumIndexCount = GuestMSRProgram.tableCapacity

    /// How many times KVM_RUN may return EINTR (a signal for this thread) before the run is abandoned.
    static let maximumInterruptions = 16

    /// Creates a VM with one vCPU, configures it like a VMM would, and runs the RDMSR guest.
    ///
    /// Order: KVM_SET_CPUID2 (when `cpuid` is given), KVM_ENABLE_CAP eVMCS (when requested; a failure
    /// is recorded, not thrown), the vCPU's KVM_GET_SUPPORTED_HV_CPUID (when requested; likewise),
    /// host-initiated KVM_GET_MSRS, then the guest run. Everything is released before this returns
    /// or throws.
    /// - Parameters:
    ///   - indices: MSR indices to read (at most `maximumIndexCount`).
    ///   - system: The open KVM device.
    ///   - cpuid: The guest CPUID, or `nil` to leave KVM's empty default. Guest RDMSR of many MSRs
    ///     depends on CPUID bits (e.g. VMX MSRs need CPUID.1:ECX.VMX), so pass the supported CPUID.
    ///   - enableEnlightenedVMCS: Whether to enable KVM_CAP_HYPERV_ENLIGHTENED_VMCS before reading.
    ///   - readHyperVCPUID: Whether to read the vCPU's supported Hyper-V CPUID after that (needs
    ///     KVM_CAP_HYPERV_CPUID).
    ///   - timeLimit: Wall-time bound, checked after every exit. (The program cannot loop without
    ///     exiting, so checking between exits bounds it; no watchdog signal is installed.)
    /// - Returns: The guest view, the host view and the eVMCS result.
    /// - Throws: `ProbeError` for a failing ioctl, an unexpected exit, a protocol violation, or a run
    ///   that exceeds its exit budget or `timeLimit`.
    public static func read(
        indices: [UInt32],
        on system: KVMSystem,
        cpuid: [CPUIDEntry]?,
        enableEnlightenedVMCS: Bool,
        readHyperVCPUID: Bool = false,
        timeLimit: Duration = .seconds(1)
    ) throws(ProbeError) -> GuestMSRReadout {
        let memory = try GuestMemory(size: GuestMSRProgram.memorySize)
        try GuestMSRProgram.load(indices: indices, into: memory)
        let vm = try system.createVM()
        try vm.setUserMemoryRegion(slot: 0, guestPhysicalAddress: 0, memory: memory)
        let vcpu = try vm.createVCPU(id: 0)
        if let cpuid {
            try vcpu.setCPUID2(cpuid)
        }
        let enlightenedVMCS = enableEnlightenedVMCS ? enableEnlightenedVMCSRecordingFailure(on: vcpu) : nil
        let hyperVCPUID = readHyperVCPUID ? Result { () throws(ProbeError) in try vcpu.supportedHyperVCPUID() } : nil
        let host = try vcpu.getMSRs(indices)
        try GuestMSRProgram.prepare(vcpu)
        let guest = try runGuest(on: vcpu, indices: indices, timeLimit: timeLimit)
        return GuestMSRReadout(guest: guest, host: host, enlightenedVMCS: enlightenedVMCS, hyperVCPUID: hyperVCPUID)
    }

    private static func enableEnlightenedVMCSRecordingFailure(
        on vcpu: KVMVirtualCPU
    ) -> GuestMSRReadout.EnlightenedVMCSEnablement {
        do {
            return .enabled(versionRange: try vcpu.enableEnlightenedVMCS())
        } catch {
            return .failed(error)
        }
    }

    private static func runGuest(
        on vcpu: KVMVirtualCPU,
        indices: [UInt32],
        timeLimit: Duration
    ) throws(ProbeError) -> [MSRReading<GuestMSROutcome>] {
        var decoder = GuestMSRReportDecoder(indices: indices)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeLimit)
        var exits = 0
        var interruptions = 0
        while !decoder.isFinished {
            let exit = try vcpu.run()
            if exit == .interrupted {
                interruptions += 1
            } else {
                exits += 1
                try decoder.consume(exit)
            }
            guard exits <= decoder.exitBudget, interruptions <= maximumInterruptions else {
                throw ProbeError(
                    code: .guestLimitExceeded,
                    operation: "KVM_RUN",
                    message: "guest took \(exits) exits (budget \(decoder.exitBudget)) and \(interruptions) "
                        + "signal interruptions (limit \(maximumInterruptions)) for \(indices.count) MSRs"
                )
            }
            guard clock.now <= deadline else {
                throw ProbeError(
                    code: .guestLimitExceeded,
                    operation: "KVM_RUN",
                    message: "guest exceeded the time limit of \(timeLimit) after \(exits) exits"
                )
            }
        }
        return decoder.readings
    }
}
