import CKVM

/// One CPUID leaf/subleaf as KVM exchanges it (`struct kvm_cpuid_entry2`).
public struct CPUIDEntry: Sendable, Hashable, Codable {
    /// The leaf (EAX input), e.g. `0x4000_000A`.
    public var function: UInt32
    /// The subleaf (ECX input); meaningful only when `flags` has KVM_CPUID_FLAG_SIGNIFCANT_INDEX (bit 0).
    public var index: UInt32
    /// KVM_CPUID_FLAG_* bits.
    public var flags: UInt32
    /// Output EAX.
    public var eax: UInt32
    /// Output EBX.
    public var ebx: UInt32
    /// Output ECX.
    public var ecx: UInt32
    /// Output EDX.
    public var edx: UInt32

    /// Creates an entry; unspecified registers are zero.
    public init(
        function: UInt32,
        index: UInt32 = 0,
        flags: UInt32 = 0,
        eax: UInt32 = 0,
        ebx: UInt32 = 0,
        ecx: UInt32 = 0,
        edx: UInt32 = 0
    ) {
        self.function = function
        self.index = index
        self.flags = flags
        self.eax = eax
        self.ebx = ebx
        self.ecx = ecx
        self.edx = edx
    }

    init(_ entry: kvm_cpuid_entry2) {
        self.init(
            function: entry.function,
            index: entry.index,
            flags: entry.flags,
            eax: entry.eax,
            ebx: entry.ebx,
            ecx: entry.ecx,
            edx: entry.edx
        )
    }

    var kernelEntry: kvm_cpuid_entry2 {
        var entry = kvm_cpuid_entry2()
        entry.function = function
        entry.index = index
        entry.flags = flags
        entry.eax = eax
        entry.ebx = ebx
        entry.ecx = ecx
        entry.edx = edx
        return entry
    }
}
