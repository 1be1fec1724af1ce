/// The richest VM requirements every host of a fleet accepts, and the QEMU `-cpu` flags that
/// express them: the `evmcsd.baseline/1` document.
public struct Baseline: Codable, Hashable, Sendable {
    public static let schema = "evmcsd.baseline/1"

    public var schema: String = Baseline.schema
    /// Number of host profiles the baseline covers.
    public var hosts: Int
    /// The requirements: VMX values that restore on every host and, with eVMCS, give the
    /// guest the same view on every host.
    public var requirements: VMRequirements
    /// Flags to append to the `-cpu` model: `hv-vapic`, `hv-evmcs` (hv-evmcs requires
    /// hv-vapic) and one `-vmx-…` per QEMU property some host offers that the baseline lacks.
    public var qemuCPUFlags: [String]
    public var warnings: [Warning]

    /// ``qemuCPUFlags`` joined for the command line: `hv-vapic,hv-evmcs,-vmx-posted-intr`.
    public var qemuCPUFlagString: String { qemuCPUFlags.joined(separator: ",") }
}

/// Options of a baseline computation.
public struct BaselineOptions: Hashable, Sendable {
    /// Include eVMCS: `true` requires it on every host, `false` leaves it out, `nil` includes
    /// it when every host supports it.
    public var evmcs: Bool?
    /// Hyper-V CPUID 0x4000000A.EBX bit 0 the VMs will get (QEMU: clear).
    public var perfGlobalCtrl: Bool
    /// Require nested-state migration: `nil` includes it when every host can.
    public var nestedState: Bool?

    public init(evmcs: Bool? = nil, perfGlobalCtrl: Bool = false, nestedState: Bool? = nil) {
        self.evmcs = evmcs
        self.perfGlobalCtrl = perfGlobalCtrl
        self.nestedState = nestedState
    }
}

extension Baseline {
    /// Computes the baseline of `profiles`.
    ///
    /// Per MSR, over every host's restore reference (Docs/compatibility.md): controls take the
    /// union of must-be-1 bits and the intersection of may-be-1 bits; flags the intersection;
    /// BASIC the common revision and the largest VMCS size; MISC the smallest counts;
    /// CR0/CR4_FIXED0 the union. With eVMCS, the controls any host hides from eVMCS guests
    /// (measured, else by its era) are removed too, so the guest sees the same controls on
    /// every host.
    ///
    /// - Throws: ``FleetError`` when `profiles` is empty or eVMCS is required and a host
    ///   cannot provide it.
    public init(of profiles: [HostProfile], options: BaselineOptions = BaselineOptions()) throws(FleetError) {
        guard let first = profiles.first else { throw FleetError(.noProfiles, "a baseline needs at least one host profile") }
        var warnings: [Warning] = []
        let evmcs = try Self.decideEVMCS(profiles, options.evmcs, &warnings)
        let nestedState = try Self.decideNestedState(profiles, options.nestedState, &warnings)
        let references = profiles.map { profile in
            var reference = profile.restoreReference
            if evmcs, let era = profile.evmcsEra, era.filtersVCPUState {
                reference = EVMCSFilter(era: era, perfGlobalCtrl: false).apply(to: reference)
            }
            return reference
        }
        var merger = BaselineMerger(references: references, names: profiles.map(\.displayName))
        var vmx = merger.merge()
        warnings += merger.warnings
        if evmcs { vmx = Self.removeHidden(by: profiles, perfGlobalCtrl: options.perfGlobalCtrl, from: vmx) }
        let flags = QEMUFlags.removals(baseline: &vmx, hosts: references, warnings: &warnings)
        let eras = Set(profiles.compactMap(\.evmcsEra))
        let sourceEra = eras.count == 1 ? eras.first : nil
        self.hosts = profiles.count
        self.requirements = VMRequirements(
            name: "baseline of \(profiles.count) host\(profiles.count == 1 ? "" : "s")",
            // Version 1: every host's range contains it (decideEVMCS), and it is QEMU's only version.
            evmcs: VMRequirements.EVMCS(enabled: evmcs, version: 1, perfGlobalCtrl: options.perfGlobalCtrl),
            vmx: vmx,
            nestedState: nestedState,
            source: sourceEra.map { VMRequirements.Source(kernelRelease: first.kernel?.release, evmcsEra: $0) }
        )
        self.qemuCPUFlags = (evmcs ? ["hv-vapic", "hv-evmcs"] : []) + flags
        self.warnings = warnings
    }

    /// Clears from `set` every control some host hides from eVMCS guests, in either the TRUE or
    /// the non-TRUE MSR: by its measured filter where it has one, else by its era's table.
    private static func removeHidden(by profiles: [HostProfile], perfGlobalCtrl: Bool, from set: VMXMSRSet) -> VMXMSRSet {
        var hidden: [MSRIndex: UInt64] = [:]
        for profile in profiles {
            guard let filter = HostGuestFilter(host: profile, perfGlobalCtrl: perfGlobalCtrl) else { continue }
            for index in EVMCSFilter.filteredMSRs { hidden[index, default: 0] |= filter.hiddenBits(of: index) }
        }
        var result = set
        for group in VMXFeatureGroup.allCases {
            guard let value = result[group.msr] else { continue }
            let removed = (hidden[group.msr] ?? 0) | (group.plainMSR.flatMap { hidden[$0] } ?? 0)
            result[group.msr] = value & ~removed
        }
        return result
    }

    private static func decideEVMCS(_ profiles: [HostProfile], _ wanted: Bool?, _ warnings: inout [Warning])
        throws(FleetError) -> Bool
    {
        guard wanted != false else { return false }
        let lacking = profiles.filter { profile in
            if case .supported(let low, let high, _) = profile.evmcsSupport, (low...high).contains(1),
                profile.evmcsEra != nil
            {
                return false
            }
            return true
        }
        guard !lacking.isEmpty else { return true }
        let names = lacking.prefix(5).map(\.displayName).joined(separator: ", ") + (lacking.count > 5 ? ", …" : "")
        if wanted == true {
            throw FleetError(
                .requirementUnmet,
                "eVMCS was required but \(lacking.count) host(s) cannot provide it or have no known kernel era: \(names)"
            )
        }
        warnings.append(
            Warning(
                code: "evmcs-left-out",
                message: "eVMCS left out: \(lacking.count) host(s) cannot provide it: \(names)"
            )
        )
        return false
    }

    private static func decideNestedState(_ profiles: [HostProfile], _ wanted: Bool?, _ warnings: inout [Warning])
        throws(FleetError) -> Bool
    {
        guard wanted != false else { return false }
        let lacking = profiles.filter {
            ($0.capability("NESTED_STATE") ?? 0) <= 0 || ($0.capability("EXCEPTION_PAYLOAD") ?? 0) <= 0
        }
        guard !lacking.isEmpty else { return true }
        let names = lacking.prefix(5).map(\.displayName).joined(separator: ", ")
        if wanted == true {
            throw FleetError(
                .requirementUnmet,
                "nested-state migration was required but \(lacking.count) host(s) lack NESTED_STATE or EXCEPTION_PAYLOAD: \(names)"
            )
        }
        warnings.append(
            Warning(
                code: "nested-state-left-out",
                message:
                    "nested-state migration left out: \(lacking.count) host(s) lack NESTED_STATE or EXCEPTION_PAYLOAD: \(names)"
            )
        )
        return false
    }
}
