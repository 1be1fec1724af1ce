import CKVM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An open KVM device (`/dev/kvm`): the system-scope ioctls, and the factory for VMs.
///
/// ```swift
/// let system = try KVMSystem()
/// let version = try system.apiVersion()          // 12
/// let features = try system.msrFeatureIndexList()
/// let vm = try system.createVM()
/// ```
///
/// The file descriptor is closed when the last reference goes away. VMs created from it hold their
/// own file descriptors and a reference to this object, so they may outlive the caller's reference.
///
/// `KVMSystem` is `Sendable`: its stored properties are immutable, and the kernel serialises the
/// system ioctls it issues, so any thread may use it concurrently.
public final class KVMSystem: Sendable {
    /// The device path used when none is given.
    public static let defaultDevicePath = "/dev/kvm"

    /// The path this object opened.
    public let devicePath: String
    let fd: Int32

    /// Opens the KVM device read-write with O_CLOEXEC.
    /// - Parameter devicePath: The device node; injectable for tests.
    /// - Throws: `ProbeError` `.systemCall` with the errno of open(2) (ENOENT, EACCES…).
    public init(devicePath: String = KVMSystem.defaultDevicePath) throws(ProbeError) {
        switch openFile(devicePath, flags: O_RDWR) {
        case .success(let fd):
            self.fd = fd
            self.devicePath = devicePath
        case .failure(let failure):
            throw ProbeError.systemCall("open \(devicePath)", errno: failure.value)
        }
    }

    deinit {
        close(fd)
    }

    /// KVM_GET_API_VERSION: 12 for every KVM since Linux 2.6.22.
    public func apiVersion() throws(ProbeError) -> Int32 {
        try checkedIoctl(fd, ckvm_request_get_api_version, 0, "KVM_GET_API_VERSION")
    }

    /// KVM_CHECK_EXTENSION on the system file descriptor.
    /// - Parameter capability: A `KVM_CAP_*` number, e.g. 163 for KVM_CAP_HYPERV_ENLIGHTENED_VMCS.
    /// - Returns: 0 when unsupported; 1 or a capability-specific value (e.g. a count) when supported.
    public func checkExtension(_ capability: Int32) throws(ProbeError) -> Int32 {
        try checkedIoctl(fd, ckvm_request_check_extension, UInt(bitPattern: Int(capability)), "KVM_CHECK_EXTENSION")
    }

    /// KVM_GET_VCPU_MMAP_SIZE: the size of the shared `struct kvm_run` area of each vCPU, in bytes.
    public func vcpuMmapSize() throws(ProbeError) -> Int {
        Int(try checkedIoctl(fd, ckvm_request_get_vcpu_mmap_size, 0, "KVM_GET_VCPU_MMAP_SIZE"))
    }

    /// KVM_GET_MSR_FEATURE_INDEX_LIST: the feature MSRs KVM can report before any vCPU exists.
    ///
    /// On Intel with `kvm_intel nested=1` the list includes the VMX capability MSRs 0x480–0x491;
    /// it never does on AMD. The buffer is resized to the count the kernel reports with E2BIG.
    /// - Returns: The indices, in kernel order.
    public func msrFeatureIndexList() throws(ProbeError) -> [UInt32] {
        let operation = "KVM_GET_MSR_FEATURE_INDEX_LIST"
        var capacity = 64
        // The list can only grow between calls if a module is reloaded; a few rounds are plenty.
        for _ in 0..<4 {
            let buffer = FlexibleArrayBuffer.msrList(capacity: capacity)
            buffer.header.pointee.nmsrs = UInt32(capacity)
            let result = ckvm_ioctl(fd, ckvm_request_get_msr_feature_index_list, buffer.address)
            let reported = Int(buffer.header.pointee.nmsrs)
            if result == -E2BIG {
                capacity = max(reported, capacity * 2)
                continue
            }
            guard result >= 0 else {
                throw ProbeError.systemCall(operation, errno: -result)
            }
            guard reported <= capacity else {
                throw ProbeError(
                    code: .unexpectedKernelResponse,
                    operation: operation,
                    message: "kernel reported \(reported) indices for a buffer of \(capacity)"
                )
            }
            return Array(UnsafeBufferPointer(start: buffer.elements, count: reported))
        }
        throw ProbeError(
            code: .unexpectedKernelResponse,
            operation: operation,
            message: "the list kept growing past \(capacity) entries"
        )
    }

    /// System-scope KVM_GET_MSRS: the values of feature MSRs (indices from `msrFeatureIndexList()`).
    ///
    /// An index KVM does not support is reported as `.refused` and the remaining indices are still read.
    /// - Parameter indices: Feature MSR indices.
    /// - Returns: One reading per index, in input order.
    public func featureMSRs(_ indices: [UInt32]) throws(ProbeError) -> [MSRReading<HostMSROutcome>] {
        try MSRTransfer.read(fd: fd, indices: indices)
    }

    /// KVM_GET_SUPPORTED_CPUID: every CPUID leaf KVM can expose to a guest.
    public func supportedCPUID() throws(ProbeError) -> [CPUIDEntry] {
        try CPUIDTransfer.fetch(fd: fd, .supported)
    }

    /// System-scope KVM_GET_SUPPORTED_HV_CPUID: the Hyper-V leaves KVM can emulate.
    ///
    /// Only valid when `checkExtension(KVMCapability.sysHyperVCPUID)` is positive (Linux 5.11+ built
    /// with Hyper-V emulation); otherwise the kernel fails the ioctl (EINVAL) and this throws.
    public func supportedHyperVCPUID() throws(ProbeError) -> [CPUIDEntry] {
        try CPUIDTransfer.fetch(fd: fd, .supportedHyperV)
    }

    /// KVM_CREATE_VM with the default machine type.
    /// - Returns: A VM with no memory and no vCPUs.
    public func createVM() throws(ProbeError) -> KVMVirtualMachine {
        let vmFD = try checkedIoctl(fd, ckvm_request_create_vm, 0, "KVM_CREATE_VM")
        return KVMVirtualMachine(fd: vmFD, system: self)
    }
}
