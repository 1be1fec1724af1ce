import CKVM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Moves `struct kvm_cpuid2` lists in and out of KVM.
enum CPUIDTransfer {
    /// The largest list the helpers will allocate (KVM itself caps lists at 256 entries today).
    static let maximumCapacity = 4096

    /// One of the ioctls that fill a CPUID list and fail with E2BIG when the buffer is too small.
    struct Query {
        /// The request number.
        let request: UInt
        /// The ioctl name for errors.
        let operation: String
        /// The first buffer size, in entries.
        let initialCapacity: Int

        /// KVM_GET_SUPPORTED_CPUID on /dev/kvm: every CPUID leaf KVM can expose to a guest.
        static let supported = Query(
            request: ckvm_request_get_supported_cpuid,
            operation: "KVM_GET_SUPPORTED_CPUID",
            initialCapacity: 256
        )
        /// KVM_GET_SUPPORTED_HV_CPUID, on /dev/kvm or on a vCPU: the Hyper-V leaves KVM can emulate.
        static let supportedHyperV = Query(
            request: ckvm_request_get_supported_hv_cpuid,
            operation: "KVM_GET_SUPPORTED_HV_CPUID",
            initialCapacity: 32
        )
    }

    /// Fetches a CPUID list with `query`'s ioctl. The buffer doubles on E2BIG because these ioctls
    /// do not report the size they need.
    /// - Parameters:
    ///   - fd: The file descriptor to issue the ioctl on.
    ///   - query: Which list to fetch.
    /// - Returns: The entries the kernel filled in.
    static func fetch(fd: Int32, _ query: Query) throws(ProbeError) -> [CPUIDEntry] {
        let (request, operation) = (query.request, query.operation)
        var capacity = query.initialCapacity
        while true {
            let buffer = FlexibleArrayBuffer.cpuid2(capacity: capacity)
            buffer.header.pointee.nent = UInt32(capacity)
            let result = ckvm_ioctl(fd, request, buffer.address)
            if result == -E2BIG, capacity < maximumCapacity {
                capacity *= 2
                continue
            }
            guard result >= 0 else {
                throw ProbeError.systemCall(operation, errno: -result, detail: "buffer of \(capacity) entries")
            }
            let count = Int(buffer.header.pointee.nent)
            guard count <= capacity else {
                throw ProbeError(
                    code: .unexpectedKernelResponse,
                    operation: operation,
                    message: "kernel reported \(count) entries for a buffer of \(capacity)"
                )
            }
            return (0..<count).map { CPUIDEntry(buffer.elements[$0]) }
        }
    }

    /// Issues KVM_SET_CPUID2 with `entries`.
    static func set(fd: Int32, entries: [CPUIDEntry]) throws(ProbeError) {
        guard entries.count <= maximumCapacity else {
            throw ProbeError(
                code: .invalidArgument,
                operation: "KVM_SET_CPUID2",
                message: "\(entries.count) entries exceed the limit of \(maximumCapacity)"
            )
        }
        let buffer = FlexibleArrayBuffer.cpuid2(capacity: entries.count)
        buffer.header.pointee.nent = UInt32(entries.count)
        for (offset, entry) in entries.enumerated() {
            buffer.elements[offset] = entry.kernelEntry
        }
        _ = try checkedIoctl(fd, ckvm_request_set_cpuid2, buffer.address, "KVM_SET_CPUID2")
    }
}
