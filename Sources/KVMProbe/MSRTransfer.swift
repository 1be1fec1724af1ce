import CKVM

/// `KVM_GET_MSRS` / `KVM_SET_MSRS` on any KVM file descriptor, with partial-transfer handling.
///
/// Both ioctls process entries in order and return how many succeeded; they stop at the first MSR
/// KVM does not handle. These helpers record that index as refused and resubmit the rest, so one
/// unsupported MSR never hides the others. KVM takes at most `maximumBatch` entries per call, so
/// n indices with k refusals cost about k + n / 255 + 1 ioctls.
enum MSRTransfer {
    /// The most entries one KVM_GET_MSRS/KVM_SET_MSRS accepts (arch/x86/kvm/x86.c: `nmsrs >= MAX_IO_MSRS`
    /// with MAX_IO_MSRS = 256 fails with E2BIG).
    static let maximumBatch = 255

    /// Reads `indices` through `fd`.
    /// - Parameters:
    ///   - fd: The system (/dev/kvm) or vCPU file descriptor.
    ///   - indices: MSR indices, in the order to read them.
    /// - Returns: One reading per index, in input order.
    static func read(fd: Int32, indices: [UInt32]) throws(ProbeError) -> [MSRReading<HostMSROutcome>] {
        let buffer = FlexibleArrayBuffer.msrs(capacity: min(indices.count, maximumBatch))
        var readings: [MSRReading<HostMSROutcome>] = []
        readings.reserveCapacity(indices.count)
        var start = 0
        while start < indices.count {
            let batch = indices[start..<min(start + maximumBatch, indices.count)]
            for (offset, index) in batch.enumerated() {
                buffer.elements[offset] = kvm_msr_entry(index: index, reserved: 0, data: 0)
            }
            let completed = try submit(
                buffer,
                count: batch.count,
                fd: fd,
                request: ckvm_request_get_msrs,
                "KVM_GET_MSRS"
            )
            for offset in 0..<completed {
                let entry = buffer.elements[offset]
                readings.append(MSRReading(index: entry.index, outcome: .value(entry.data)))
            }
            start += completed
            if completed < batch.count {
                readings.append(MSRReading(index: indices[start], outcome: .refused))
                start += 1
            }
        }
        return readings
    }

    /// Writes `values` through `fd`.
    /// - Parameters:
    ///   - fd: A vCPU file descriptor.
    ///   - values: Index/value pairs, in the order to write them.
    /// - Returns: The indices KVM refused, in input order (empty when everything was written).
    static func write(fd: Int32, values: [MSRValue]) throws(ProbeError) -> [UInt32] {
        let buffer = FlexibleArrayBuffer.msrs(capacity: min(values.count, maximumBatch))
        var refused: [UInt32] = []
        var start = 0
        while start < values.count {
            let batch = values[start..<min(start + maximumBatch, values.count)]
            for (offset, item) in batch.enumerated() {
                buffer.elements[offset] = kvm_msr_entry(index: item.index, reserved: 0, data: item.value)
            }
            let completed = try submit(
                buffer,
                count: batch.count,
                fd: fd,
                request: ckvm_request_set_msrs,
                "KVM_SET_MSRS"
            )
            start += completed
            if completed < batch.count {
                refused.append(values[start].index)
                start += 1
            }
        }
        return refused
    }

    private static func submit(
        _ buffer: borrowing FlexibleArrayBuffer<kvm_msrs, kvm_msr_entry>,
        count: Int,
        fd: Int32,
        request: UInt,
        _ operation: String
    ) throws(ProbeError) -> Int {
        buffer.header.pointee.nmsrs = UInt32(count)
        let completed = Int(try checkedIoctl(fd, request, buffer.address, operation))
        guard completed <= count else {
            throw ProbeError(
                code: .unexpectedKernelResponse,
                operation: operation,
                message: "kernel reported \(completed) MSRs processed out of \(count) submitted"
            )
        }
        return completed
    }
}
