/// The result of reading one MSR: which index, and what came back.
public struct MSRReading<Outcome: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    /// The MSR index, e.g. `0x480` for IA32_VMX_BASIC.
    public let index: UInt32
    /// The value, or why there is none.
    public let outcome: Outcome

    /// Creates a reading.
    public init(index: UInt32, outcome: Outcome) {
        self.index = index
        self.outcome = outcome
    }
}

/// The outcome of a host-initiated read (`KVM_GET_MSRS` on the system or vCPU file descriptor).
public enum HostMSROutcome: Sendable, Hashable, Codable {
    /// KVM returned this value.
    case value(UInt64)
    /// KVM stopped the batch at this index: it does not support the MSR for this file descriptor.
    case refused

    /// The value, or `nil` when the read was refused.
    public var value: UInt64? {
        if case .value(let value) = self { value } else { nil }
    }
}

/// The outcome of an `RDMSR` executed by a guest.
public enum GuestMSROutcome: Sendable, Hashable, Codable {
    /// RDMSR returned EDX:EAX = this value.
    case value(UInt64)
    /// RDMSR raised #GP: the MSR does not exist for this guest.
    case faulted

    /// The value, or `nil` when the read faulted.
    public var value: UInt64? {
        if case .value(let value) = self { value } else { nil }
    }
}

/// An MSR index with the value to write (input of `KVMVirtualCPU.setMSRs(_:)`).
public struct MSRValue: Sendable, Hashable, Codable {
    /// The MSR index.
    public let index: UInt32
    /// The value to write.
    public let value: UInt64

    /// Creates an index/value pair.
    public init(index: UInt32, value: UInt64) {
        self.index = index
        self.value = value
    }
}

extension Array {
    /// The outcome recorded for `index`, or `nil` when `index` was not read.
    /// - Parameter index: An MSR index.
    /// - Returns: The outcome of the first reading of `index`.
    public func outcome<Outcome>(of index: UInt32) -> Outcome? where Element == MSRReading<Outcome> {
        first { $0.index == index }?.outcome
    }
}
