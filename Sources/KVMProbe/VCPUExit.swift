import CKVM

/// Why KVM_RUN returned to userspace (`kvm_run.exit_reason`), with the KVM_EXIT_* name.
public struct KVMExitReason: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The KVM_EXIT_* number.
    public let rawValue: UInt32

    /// Wraps a KVM_EXIT_* number.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    private static let names: [UInt32: String] = [
        0: "KVM_EXIT_UNKNOWN", 1: "KVM_EXIT_EXCEPTION", 2: "KVM_EXIT_IO", 3: "KVM_EXIT_HYPERCALL",
        4: "KVM_EXIT_DEBUG", 5: "KVM_EXIT_HLT", 6: "KVM_EXIT_MMIO", 7: "KVM_EXIT_IRQ_WINDOW_OPEN",
        8: "KVM_EXIT_SHUTDOWN", 9: "KVM_EXIT_FAIL_ENTRY", 10: "KVM_EXIT_INTR", 11: "KVM_EXIT_SET_TPR",
        12: "KVM_EXIT_TPR_ACCESS", 13: "KVM_EXIT_S390_SIEIC", 14: "KVM_EXIT_S390_RESET", 15: "KVM_EXIT_DCR",
        16: "KVM_EXIT_NMI", 17: "KVM_EXIT_INTERNAL_ERROR", 18: "KVM_EXIT_OSI", 19: "KVM_EXIT_PAPR_HCALL",
        20: "KVM_EXIT_S390_UCONTROL", 21: "KVM_EXIT_WATCHDOG", 22: "KVM_EXIT_S390_TSCH", 23: "KVM_EXIT_EPR",
        24: "KVM_EXIT_SYSTEM_EVENT", 25: "KVM_EXIT_S390_STSI", 26: "KVM_EXIT_IOAPIC_EOI",
        27: "KVM_EXIT_HYPERV", 28: "KVM_EXIT_ARM_NISV", 29: "KVM_EXIT_X86_RDMSR", 30: "KVM_EXIT_X86_WRMSR",
        31: "KVM_EXIT_DIRTY_RING_FULL", 32: "KVM_EXIT_AP_RESET_HOLD", 33: "KVM_EXIT_X86_BUS_LOCK",
        34: "KVM_EXIT_XEN", 35: "KVM_EXIT_RISCV_SBI", 36: "KVM_EXIT_RISCV_CSR", 37: "KVM_EXIT_NOTIFY",
        38: "KVM_EXIT_LOONGARCH_IOCSR", 39: "KVM_EXIT_MEMORY_FAULT", 40: "KVM_EXIT_TDX",
    ]

    /// The KVM_EXIT_* name, or `"KVM_EXIT_<n>"` for a number this table does not know.
    public var name: String {
        Self.names[rawValue] ?? "KVM_EXIT_\(rawValue)"
    }

    /// The KVM_EXIT_* name.
    public var description: String { name }
}

/// A port I/O exit (KVM_EXIT_IO).
public struct PortIO: Sendable, Hashable {
    /// Whether the guest executed IN or OUT.
    public enum Direction: Sendable, Hashable {
        /// IN/INS: the guest reads from the port.
        case input
        /// OUT/OUTS: the guest writes to the port.
        case output
    }

    /// IN or OUT.
    public let direction: Direction
    /// The I/O port.
    public let port: UInt16
    /// Bytes per access: 1, 2 or 4.
    public let size: UInt8
    /// Number of accesses (greater than 1 only for string I/O).
    public let count: UInt32
    /// For output: the bytes written by the guest (`size * count`). For input: the current contents
    /// of the data area.
    public let data: [UInt8]

    /// Creates an exit description.
    public init(direction: Direction, port: UInt16, size: UInt8, count: UInt32, data: [UInt8]) {
        self.direction = direction
        self.port = port
        self.size = size
        self.count = count
        self.data = data
    }

    /// The value of a single 32-bit OUT (`size == 4`, `count == 1`), little-endian; `nil` otherwise.
    public var singleDoubleWordOutput: UInt32? {
        guard direction == .output, size == 4, count == 1, data.count == 4 else {
            return nil
        }
        return data.reversed().reduce(0) { ($0 << 8) | UInt32($1) }
    }
}

/// What one KVM_RUN returned.
public enum VCPUExit: Sendable, Hashable {
    /// KVM_EXIT_IO: the guest executed IN/OUT on a port no in-kernel device handles.
    case io(PortIO)
    /// KVM_EXIT_HLT: the guest executed HLT (no in-kernel local APIC).
    case halt
    /// KVM_EXIT_SHUTDOWN: triple fault or similar.
    case shutdown
    /// KVM_EXIT_FAIL_ENTRY: hardware refused VM entry, with the hardware's reason code.
    case failEntry(hardwareEntryFailureReason: UInt64)
    /// KVM_EXIT_INTERNAL_ERROR: KVM could not emulate something, with the KVM_INTERNAL_ERROR_* code.
    case internalError(suberror: UInt32)
    /// KVM_EXIT_MMIO: the guest accessed a physical address with no memory slot.
    case mmio(physicalAddress: UInt64)
    /// KVM_RUN returned EINTR: a signal arrived; calling `run()` again resumes the guest.
    case interrupted
    /// Any other exit reason.
    case other(KVMExitReason)

    /// The exit reason, with its KVM_EXIT_* name.
    public var reason: KVMExitReason {
        switch self {
        case .io: KVMExitReason(rawValue: UInt32(KVM_EXIT_IO))
        case .halt: KVMExitReason(rawValue: UInt32(KVM_EXIT_HLT))
        case .shutdown: KVMExitReason(rawValue: UInt32(KVM_EXIT_SHUTDOWN))
        case .failEntry: KVMExitReason(rawValue: UInt32(KVM_EXIT_FAIL_ENTRY))
        case .internalError: KVMExitReason(rawValue: UInt32(KVM_EXIT_INTERNAL_ERROR))
        case .mmio: KVMExitReason(rawValue: UInt32(KVM_EXIT_MMIO))
        case .interrupted: KVMExitReason(rawValue: UInt32(KVM_EXIT_INTR))
        case .other(let reason): reason
        }
    }
}
