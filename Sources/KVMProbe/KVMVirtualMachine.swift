import CKVM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A KVM virtual machine: memory slots and vCPU creation.
///
/// ```swift
/// let vm = try system.createVM()
/// let memory = try GuestMemory(size: 0x10000)
/// try vm.setUserMemoryRegion(slot: 0, guestPhysicalAddress: 0, memory: memory)
/// let vcpu = try vm.createVCPU(id: 0)
/// ```
///
/// Lifetime: the VM file descriptor is closed in `deinit`, then the registered `GuestMemory` objects
/// are released (unmapping them unless the caller still holds them). vCPUs keep their VM alive, so
/// the VM is torn down only after its last vCPU.
///
/// Not `Sendable`: the set of registered memory slots is unsynchronised state.
public final class KVMVirtualMachine {
    let fd: Int32
    /// The KVM device this VM was created from.
    public let system: KVMSystem
    private var memorySlots: [UInt32: GuestMemory] = [:]

    init(fd: Int32, system: KVMSystem) {
        self.fd = fd
        self.system = system
    }

    deinit {
        close(fd)
    }

    /// KVM_SET_USER_MEMORY_REGION: maps `memory` at `guestPhysicalAddress` in slot `slot`.
    ///
    /// The VM keeps a reference to `memory` for as long as it exists (replacing a slot drops the
    /// reference to the memory that was there).
    /// - Parameters:
    ///   - slot: The slot number (0 for the first region).
    ///   - guestPhysicalAddress: Page-aligned guest physical address of the first byte.
    ///   - memory: The backing memory.
    public func setUserMemoryRegion(
        slot: UInt32,
        guestPhysicalAddress: UInt64,
        memory: GuestMemory
    ) throws(ProbeError) {
        var region = kvm_userspace_memory_region(
            slot: slot,
            flags: 0,
            guest_phys_addr: guestPhysicalAddress,
            memory_size: UInt64(memory.size),
            userspace_addr: memory.userspaceAddress
        )
        _ = try withUnsafeMutablePointer(to: &region) { (pointer) throws(ProbeError) in
            try checkedIoctl(
                fd,
                ckvm_request_set_user_memory_region,
                UInt(bitPattern: pointer),
                "KVM_SET_USER_MEMORY_REGION"
            )
        }
        memorySlots[slot] = memory
    }

    /// KVM_CREATE_VCPU, then maps the vCPU's `struct kvm_run`.
    /// - Parameter id: The vCPU id (APIC id), 0 for the first vCPU.
    /// - Returns: The vCPU; it keeps this VM alive.
    public func createVCPU(id: UInt32) throws(ProbeError) -> KVMVirtualCPU {
        let runSize = try system.vcpuMmapSize()
        let vcpuFD = try checkedIoctl(fd, ckvm_request_create_vcpu, UInt(id), "KVM_CREATE_VCPU")
        let mapping = mmap(nil, runSize, PROT_READ | PROT_WRITE, MAP_SHARED, vcpuFD, 0)
        guard let mapping, mapping != MAP_FAILED else {
            let failure = errno
            close(vcpuFD)
            throw ProbeError.systemCall("mmap kvm_run", errno: failure, detail: "\(runSize) bytes")
        }
        return KVMVirtualCPU(id: id, fd: vcpuFD, runArea: mapping, runAreaSize: runSize, vm: self)
    }
}
