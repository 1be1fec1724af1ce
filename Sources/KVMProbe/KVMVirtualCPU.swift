import CKVM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A KVM virtual CPU: per-vCPU capabilities, MSRs, CPUID, registers and KVM_RUN.
///
/// ```swift
/// let vcpu = try vm.createVCPU(id: 0)
/// try vcpu.setCPUID2(try system.supportedCPUID())
/// let readings = try vcpu.getMSRs([0x277, 0x1a0])
/// let exit = try vcpu.run()
/// ```
///
/// Lifetime: `deinit` unmaps the `struct kvm_run` area and closes the vCPU file descriptor; the
/// vCPU holds its VM, which is released afterwards.
///
/// Not `Sendable`: `struct kvm_run` is a mailbox shared with the kernel that only one thread may use
/// at a time, and KVM expects a vCPU to be driven by one thread.
public final class KVMVirtualCPU {
    /// The vCPU id given to KVM_CREATE_VCPU.
    public let id: UInt32
    /// The VM this vCPU belongs to.
    public let vm: KVMVirtualMachine
    let fd: Int32
    private let runArea: UnsafeMutableRawPointer
    private let runAreaSize: Int
    private let runState: UnsafeMutablePointer<kvm_run>

    init(id: UInt32, fd: Int32, runArea: UnsafeMutableRawPointer, runAreaSize: Int, vm: KVMVirtualMachine) {
        self.id = id
        self.fd = fd
        self.runArea = runArea
        self.runAreaSize = runAreaSize
        self.runState = runArea.bindMemory(to: kvm_run.self, capacity: 1)
        self.vm = vm
    }

    deinit {
        munmap(runArea, runAreaSize)
        close(fd)
    }

    // MARK: Capabilities

    /// KVM_ENABLE_CAP on the vCPU file descriptor.
    /// - Parameters:
    ///   - capability: The `KVM_CAP_*` number.
    ///   - arguments: Up to four capability-specific arguments (`args[0...3]`); missing ones are 0.
    /// - Returns: The ioctl result (0 for most capabilities).
    public func enableCap(_ capability: UInt32, arguments: [UInt64] = []) throws(ProbeError) -> Int32 {
        guard arguments.count <= 4 else {
            throw ProbeError(
                code: .invalidArgument,
                operation: "KVM_ENABLE_CAP",
                message: "\(arguments.count) arguments, at most 4 allowed"
            )
        }
        let padded = arguments + Array(repeating: 0, count: 4 - arguments.count)
        var request = kvm_enable_cap()
        request.cap = capability
        request.args = (padded[0], padded[1], padded[2], padded[3])
        return try withUnsafeMutablePointer(to: &request) { (pointer) throws(ProbeError) in
            try checkedIoctl(fd, ckvm_request_enable_cap, UInt(bitPattern: pointer), "KVM_ENABLE_CAP")
        }
    }

    /// Enables KVM_CAP_HYPERV_ENLIGHTENED_VMCS (163) on this vCPU, as QEMU does for `hv-evmcs`.
    ///
    /// Fails with ENOTTY on hosts without VMX eVMCS support (AMD), and with EINVAL on kernels built
    /// without Hyper-V emulation (CONFIG_KVM_HYPERV=n, 6.8+). It cannot be disabled again.
    /// - Returns: The eVMCS version range the kernel wrote: low byte = lowest supported version, high
    ///   byte = highest (0x0101 on every kernel so far; 0 when nested VMX is unavailable).
    public func enableEnlightenedVMCS() throws(ProbeError) -> UInt16 {
        var versionRange: UInt16 = 0
        _ = try withUnsafeMutablePointer(to: &versionRange) { (pointer) throws(ProbeError) in
            try enableCap(
                UInt32(KVMCapability.hyperVEnlightenedVMCS),
                arguments: [UInt64(UInt(bitPattern: pointer))]
            )
        }
        return versionRange
    }

    // MARK: MSRs

    /// Host-initiated KVM_GET_MSRS on this vCPU.
    ///
    /// Host-initiated reads are not filtered by eVMCS (5.6+), and KVM returns 0 for some MSRs it
    /// advertises but does not implement, where a guest RDMSR would fault.
    /// - Parameter indices: MSR indices.
    /// - Returns: One reading per index, in input order; unsupported indices are `.refused`.
    public func getMSRs(_ indices: [UInt32]) throws(ProbeError) -> [MSRReading<HostMSROutcome>] {
        try MSRTransfer.read(fd: fd, indices: indices)
    }

    /// Host-initiated KVM_SET_MSRS on this vCPU.
    /// - Parameter values: Index/value pairs, written in order.
    /// - Returns: The indices KVM refused (empty when all were written); the others are written.
    public func setMSRs(_ values: [MSRValue]) throws(ProbeError) -> [UInt32] {
        try MSRTransfer.write(fd: fd, values: values)
    }

    // MARK: CPUID

    /// KVM_SET_CPUID2: the CPUID the guest sees. Newer kernels refuse changes after the first KVM_RUN.
    public func setCPUID2(_ entries: [CPUIDEntry]) throws(ProbeError) {
        try CPUIDTransfer.set(fd: fd, entries: entries)
    }

    /// The vCPU variant of KVM_GET_SUPPORTED_HV_CPUID (KVM_CAP_HYPERV_CPUID, 167; deprecated in favour
    /// of `KVMSystem.supportedHyperVCPUID()`). It reports the eVMCS leaves only after
    /// `enableEnlightenedVMCS()`.
    public func supportedHyperVCPUID() throws(ProbeError) -> [CPUIDEntry] {
        try CPUIDTransfer.fetch(fd: fd, .supportedHyperV)
    }

    // MARK: Registers

    /// KVM_GET_REGS.
    public func registers() throws(ProbeError) -> GeneralRegisters {
        var regs = kvm_regs()
        _ = try withUnsafeMutablePointer(to: &regs) { (pointer) throws(ProbeError) in
            try checkedIoctl(fd, ckvm_request_get_regs, UInt(bitPattern: pointer), "KVM_GET_REGS")
        }
        return GeneralRegisters(regs)
    }

    /// KVM_SET_REGS.
    public func setRegisters(_ registers: GeneralRegisters) throws(ProbeError) {
        var regs = registers.kernelValue
        _ = try withUnsafeMutablePointer(to: &regs) { (pointer) throws(ProbeError) in
            try checkedIoctl(fd, ckvm_request_set_regs, UInt(bitPattern: pointer), "KVM_SET_REGS")
        }
    }

    /// KVM_GET_SREGS.
    public func specialRegisters() throws(ProbeError) -> SpecialRegisters {
        var sregs = kvm_sregs()
        _ = try withUnsafeMutablePointer(to: &sregs) { (pointer) throws(ProbeError) in
            try checkedIoctl(fd, ckvm_request_get_sregs, UInt(bitPattern: pointer), "KVM_GET_SREGS")
        }
        return SpecialRegisters(sregs)
    }

    /// KVM_SET_SREGS.
    public func setSpecialRegisters(_ registers: SpecialRegisters) throws(ProbeError) {
        var sregs = try registers.kernelValue()
        _ = try withUnsafeMutablePointer(to: &sregs) { (pointer) throws(ProbeError) in
            try checkedIoctl(fd, ckvm_request_set_sregs, UInt(bitPattern: pointer), "KVM_SET_SREGS")
        }
    }

    // MARK: Running

    /// KVM_RUN: runs the guest until it needs userspace, and decodes why.
    ///
    /// Port input exits are not completed with data: the guest reads whatever the data area holds.
    /// - Returns: The exit. EINTR (a signal arrived) is returned as `.interrupted`, not thrown.
    public func run() throws(ProbeError) -> VCPUExit {
        let result = ckvm_ioctl(fd, ckvm_request_run, 0)
        if result == -EINTR {
            return .interrupted
        }
        guard result >= 0 else {
            throw ProbeError.systemCall("KVM_RUN", errno: -result)
        }
        switch Int32(bitPattern: runState.pointee.exit_reason) {
        case KVM_EXIT_IO:
            return .io(try portIO())
        case KVM_EXIT_HLT:
            return .halt
        case KVM_EXIT_SHUTDOWN:
            return .shutdown
        case KVM_EXIT_FAIL_ENTRY:
            return .failEntry(hardwareEntryFailureReason: ckvm_run_fail_entry_reason(runState))
        case KVM_EXIT_INTERNAL_ERROR:
            return .internalError(suberror: ckvm_run_internal_suberror(runState))
        case KVM_EXIT_MMIO:
            return .mmio(physicalAddress: ckvm_run_mmio_address(runState))
        case KVM_EXIT_INTR:
            return .interrupted
        default:
            return .other(KVMExitReason(rawValue: runState.pointee.exit_reason))
        }
    }

    private func portIO() throws(ProbeError) -> PortIO {
        let io = ckvm_run_io(runState)
        let byteCount = Int(io.size) * Int(io.count)
        guard io.data_offset <= UInt64(runAreaSize), byteCount <= runAreaSize - Int(io.data_offset) else {
            throw ProbeError(
                code: .unexpectedKernelResponse,
                operation: "KVM_RUN",
                message: "I/O data at offset \(io.data_offset) (\(byteCount) bytes) lies outside kvm_run"
            )
        }
        let data = Array(UnsafeRawBufferPointer(start: runArea + Int(io.data_offset), count: byteCount))
        return PortIO(
            direction: Int32(io.direction) == KVM_EXIT_IO_OUT ? .output : .input,
            port: io.port,
            size: io.size,
            count: io.count,
            data: data
        )
    }
}
