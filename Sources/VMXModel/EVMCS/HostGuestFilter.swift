/// What one host hides from an eVMCS guest, per filtered VMX MSR: measured where the host's
/// views were read, its era's table where they were not.
///
/// On 5.6 and later the eVMCS filter is a pure mask on the allowed-1 half of each control MSR
/// (and on VMFUNC), so a measured pair of views gives the host's real filter on every bit it
/// offers: `hidden = vcpu & ~guest`, once per Hyper-V CPUID 0x4000000A.EBX bit 0 setting. A bit
/// the vCPU does not offer cannot be observed; there the era's table decides.
///
/// ```swift
/// let filter = HostGuestFilter(host: target, perfGlobalCtrl: false)
/// let seen = filter?.apply(to: vm.vmx)     // what the VM's eVMCS guest would read there
/// ```
public struct HostGuestFilter: Sendable {
    /// What the filter rests on: `measured` when this EBX[0] setting's guest view was read.
    public let basis: EffectiveEra.Basis
    /// The era whose table covers the bits the measurement could not observe (all bits when
    /// nothing was measured); `nil` when the host has no era at all.
    public let era: EVMCSEra?
    /// Hidden bits, one mask per entry of `EVMCSFilter.filteredMSRs`, as 64-bit MSR bits.
    private let hidden: [UInt64]
    /// Allowed-1 bits the measurement could not observe, per filtered MSR (zero unless measured).
    private let unobserved: [UInt64]

    /// The filter of `host` for a guest with EBX[0] set or clear; `nil` when the host has neither
    /// a measured guest view nor an era.
    public init?(host: HostProfile, perfGlobalCtrl: Bool) {
        let era = host.evmcsEra
        let table = era.map { EVMCSFilter(era: $0, perfGlobalCtrl: perfGlobalCtrl) }
        let indices = EVMCSFilter.filteredMSRs
        if let vcpu = host.observedView(.vcpu), let guest = host.observedGuestView(perfGlobalCtrl: perfGlobalCtrl) {
            var hidden: [UInt64] = []
            var unobserved: [UInt64] = []
            hidden.reserveCapacity(indices.count)
            unobserved.reserveCapacity(indices.count)
            for index in indices {
                let region = Self.allowedOneRegion(of: index)
                let offered = (vcpu[index] ?? 0) & region
                // An MSR the guest could not read at all hides everything the vCPU offers.
                let seen = guest[index] ?? 0
                let notOffered = region & ~offered
                hidden.append(offered & ~seen | (table?.removedBits(of: index) ?? 0) & notOffered)
                unobserved.append(notOffered)
            }
            self.basis = .measured
            self.era = era
            self.hidden = hidden
            self.unobserved = unobserved
            return
        }
        guard let table else { return nil }
        self.basis = host.kernel?.evmcsEra != nil ? .declared : .derived
        self.era = era
        self.hidden = indices.map { table.removedBits(of: $0) }
        self.unobserved = Array(repeating: 0, count: indices.count)
    }

    /// A filter that hides nothing: the guest reads the restored values as they are.
    init(unfiltered basis: EffectiveEra.Basis, era: EVMCSEra?) {
        self.basis = basis
        self.era = era
        self.hidden = Array(repeating: 0, count: EVMCSFilter.filteredMSRs.count)
        self.unobserved = hidden
    }

    /// `set` as the host's eVMCS guest would read it.
    public func apply(to set: VMXMSRSet) -> VMXMSRSet {
        var filtered = set
        for (position, index) in EVMCSFilter.filteredMSRs.enumerated() {
            guard let value = set[index], hidden[position] != 0 else { continue }
            filtered[index] = value & ~hidden[position]
        }
        return filtered
    }

    /// The bits of `index` the host hides.
    public func hiddenBits(of index: MSRIndex) -> UInt64 {
        EVMCSFilter.filteredMSRs.firstIndex(of: index).map { hidden[$0] } ?? 0
    }

    /// The allowed-1 bits of `index` whose filtering was not observed (the host's vCPU does not
    /// offer them), so the era's table decided them.
    public func unobservedBits(of index: MSRIndex) -> UInt64 {
        EVMCSFilter.filteredMSRs.firstIndex(of: index).map { unobserved[$0] } ?? 0
    }

    /// The part of an MSR the eVMCS filter can clear: bits 63:32 of control MSRs, all of VMFUNC.
    static func allowedOneRegion(of index: MSRIndex) -> UInt64 {
        index == .vmxVMFunc ? ~0 : 0xFFFF_FFFF_0000_0000
    }
}
