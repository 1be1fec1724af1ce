/// The requirements of a VM that QEMU starts with a given `-cpu` on a given host, with what
/// QEMU drops on the way.
///
/// It follows QEMU's own steps (target/i386/cpu.c, kvm/kvm.c):
/// 1. the model's VMX feature words (``QEMUCPUModel``; `host`/`max`: everything KVM offers);
/// 2. the `-cpu` settings (``QEMUCPUSpec``; `-feat` wins), `vmx` included;
/// 3. `feature_dependencies`: no `vmx` → no VMX feature; no secondary controls → none of them;
///    no EPT → no EPT capabilities or unrestricted guest; no VPID → no INVVPID; no VM functions
///    → no EPTP switching; a 32-bit model → no IA-32e mode guest;
/// 4. `x86_cpu_filter_features()`: requested bits KVM does not offer are dropped, each with
///    QEMU's warning (``dropped``); with `enforce` that is an error (an MSR the profile does
///    not report drops nothing: it is left out of the values instead);
/// 5. the MSR values QEMU writes with KVM_SET_MSRS (a named model), or the host's own values
///    minus the features switched off (`host`, `max`);
/// 6. `hv-evmcs` (or `hv-passthrough` on a host that has eVMCS) enables eVMCS version 1, and
///    QEMU leaves Hyper-V CPUID 0x4000000A.EBX bit 0 clear; on 4.20–5.5 kernels enabling it
///    filters the vCPU's values as ``VMRequirements/init(startedOn:evmcs:perfGlobalCtrl:nestedState:)``
///    describes;
/// 7. a VM with VMX may run an L2 when it migrates, so its nested state must migrate
///    (QEMU's `cpu_pre_save()` fails the migration otherwise).
///
/// CPUID features other than `vmx` gate single VMX bits too (xsaves, rdrand, invpcid, mpx,
/// rdseed, rdtscp): a model that lacks one (``QEMUCPUModel/cpuidOff``) or a `-feat` of it clears
/// them; for `host`/`max` they are taken as on.
///
/// ```swift
/// let result = try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,+vmx,hv-evmcs", on: host)
/// result.dropped   // ["MSR(48BH).vmx-pml [bit 17]", …] when the host lacks them
/// CompatibilityChecker.check(result.requirements, on: target)
/// ```
public struct QEMUCPURequirements: Hashable, Sendable {
    /// The requirements document.
    public var requirements: VMRequirements
    /// The resolved model: `Skylake-Server-v4`, `host`, `max`.
    public var model: String
    /// What QEMU drops with "host doesn't support requested feature", as QEMU labels it
    /// (`MSR(48DH).vmx-posted-intr [bit 7]`, `CPUID.01H:ECX.vmx [bit 5]`).
    public var dropped: [String]
    /// Dropped features, settings QEMU overrides, MSRs the profile does not report, eVMCS problems.
    public var warnings: [Warning]

    /// Builds the requirements of `-cpu qemuCPU` on `profile`'s host, or — without a profile —
    /// the model's features as requested, unfiltered (what a destination must offer for the VM
    /// definition; the MSRs whose values come from the host are then left out).
    /// - Parameters:
    ///   - name: the VM's name (default: `MODEL VM on HOST`).
    ///   - uuid: the VM's UUID, when known.
    /// - Throws: ``QEMUCPUError`` for malformed strings, unknown models, versions or features,
    ///   and for `enforce` with dropped features.
    public init(qemuCPU: String, on profile: HostProfile?, name: String? = nil, uuid: String? = nil)
        throws(QEMUCPUError)
    {
        try self.init(spec: QEMUCPUSpec(parsing: qemuCPU), on: profile, name: name, uuid: uuid)
    }

    /// Builds the requirements of a parsed `-cpu` on `profile`'s host (see the type's steps).
    public init(spec: QEMUCPUSpec, on profile: HostProfile?, name: String? = nil, uuid: String? = nil)
        throws(QEMUCPUError)
    {
        let isHostModel = spec.model == "host" || spec.model == "max"
        guard let profile else {
            guard !isHostModel else {
                throw QEMUCPUError(
                    .needsProfile,
                    "-cpu \(spec.model) (libvirt host-passthrough/maximum) has the host's own values: give the profile of the host the VM was started on"
                )
            }
            try self.init(unfiltered: spec, name: name, uuid: uuid)
            return
        }
        try self.init(filtered: spec, profile: profile, name: name, uuid: uuid)
    }

    /// Steps 1–7 on a host.
    private init(filtered spec: QEMUCPUSpec, profile: HostProfile, name: String?, uuid: String?)
        throws(QEMUCPUError)
    {
        let isHostModel = spec.model == "host" || spec.model == "max"
        let host = profile.restoreReference
        let hostHasVMX = !host.isEmpty
        var supported = QEMUFeatureWords(supportedBy: host)
        // A profile that does not report an MSR does not say its features are missing.
        for group in QEMUFeatureWords.groups where hostHasVMX && host[group.msr] == nil { supported[group] = ~0 }
        var state =
            isHostModel
            ? QEMUCPUState(model: spec.model, words: supported, vmxFlag: hostHasVMX, longMode: true)
            : try QEMUCPUState(named: spec.model)
        state.configure(spec.settings)
        var dropped: [String] = []
        var warnings = state.warnings
        if state.vmxFlag && !hostHasVMX {
            dropped.append("CPUID.01H:ECX.vmx [bit 5]")
            state.vmxFlag = false
            state.words = QEMUFeatureWords()
        }
        for (group, bit) in state.words.bits(notIn: supported) {
            dropped.append(VMXCatalog.feature(in: group, bit: bit)?.label ?? "\(group.msr.qemuLabel) [bit \(bit)]")
        }
        state.words = state.words.intersection(supported)
        if spec.enforce && !dropped.isEmpty {
            throw QEMUCPUError(
                .enforceFailed,
                "enforce: the host lacks \(dropped.joined(separator: ", ")); QEMU would not start"
            )
        }
        for label in dropped {
            warnings.append(
                Warning(code: "qemu-feature-dropped", message: "host doesn't support requested feature: \(label)")
            )
        }
        let evmcs = state.evmcs || (state.hvPassthrough && Self.hostHasEVMCS(profile))
        if evmcs { warnings += Self.evmcsWarnings(profile, vapic: state.hvVAPIC || state.hvPassthrough) }

        var vmx = VMXMSRSet()
        if state.vmxFlag {
            if isHostModel {
                vmx = Self.clearing(supported.bits(notIn: state.words), in: profile.hostInitiatedView(evmcsEnabled: evmcs))
            } else {
                let (values, notReported) = QEMUVMXValues.values(state.words, host: host, longMode: state.longMode)
                vmx = values
                if !notReported.isEmpty {
                    warnings.append(
                        Warning(
                            code: "msr-not-reported",
                            message:
                                "the host profile does not report \(notReported.map(\.hex).joined(separator: ", ")); QEMU's values for them are left out"
                        )
                    )
                }
                if evmcs, let era = profile.evmcsEra, era.filtersVCPUState {
                    vmx = EVMCSFilter(era: era, perfGlobalCtrl: false).apply(to: vmx)
                }
            }
        }
        requirements = VMRequirements(
            name: name ?? "\(state.model) VM on \(profile.displayName)",
            uuid: uuid,
            evmcs: VMRequirements.EVMCS(enabled: evmcs, version: 1, perfGlobalCtrl: false),
            vmx: vmx,
            nestedState: state.vmxFlag,
            source: VMRequirements.Source(of: profile),
            guestVisible: evmcs ? Self.measuredGuestView(of: vmx, on: profile) : nil
        )
        model = state.model
        self.dropped = dropped
        self.warnings = warnings
    }

    /// What the VM's eVMCS guest reads on `profile`'s host when that host's filter was measured:
    /// the VM's values through the measured filter (QEMU leaves EBX[0] clear); else `nil`, and the
    /// source's era gives it.
    private static func measuredGuestView(of vmx: VMXMSRSet, on profile: HostProfile) -> VMXMSRSet? {
        guard let filter = HostGuestFilter(host: profile, perfGlobalCtrl: false), filter.basis == .measured else {
            return nil
        }
        return filter.apply(to: vmx)
    }

    /// The requested features without a host: the control, EPT/VPID and VMFUNC MSRs as QEMU
    /// would build them from the feature words alone.
    private init(unfiltered spec: QEMUCPUSpec, name: String?, uuid: String?) throws(QEMUCPUError) {
        var state = try QEMUCPUState(named: spec.model)
        state.configure(spec.settings)
        var vmx = VMXMSRSet()
        if state.vmxFlag {
            vmx = QEMUVMXValues.featureValues(state.words, longMode: state.longMode)
        }
        requirements = VMRequirements(
            name: name ?? "\(state.model) VM",
            uuid: uuid,
            evmcs: VMRequirements.EVMCS(enabled: state.evmcs || state.hvPassthrough, version: 1, perfGlobalCtrl: false),
            vmx: vmx,
            nestedState: state.vmxFlag
        )
        model = state.model
        dropped = []
        warnings =
            state.warnings + [
                Warning(
                    code: "no-host-profile",
                    message:
                        "no host profile: the requested features are kept unfiltered; IA32_VMX_BASIC, MISC, CR0/CR4_FIXED0 and VMCS_ENUM, whose values come from the host, are left out"
                )
            ]
    }

    private static func hostHasEVMCS(_ profile: HostProfile) -> Bool {
        if case .supported = profile.evmcsSupport { return true }
        return false
    }

    private static func evmcsWarnings(_ profile: HostProfile, vapic: Bool) -> [Warning] {
        var warnings: [Warning] = []
        if !vapic {
            warnings.append(
                Warning(code: "evmcs-needs-vapic", message: "QEMU refuses hv-evmcs without hv-vapic (a dependency of hv-evmcs)")
            )
        }
        switch profile.evmcsSupport {
        case .supported: break
        case .unsupported(let reason):
            warnings.append(
                Warning(code: "evmcs-unsupported", message: "the host cannot provide eVMCS: \(reason.message)")
            )
        case .unknown(let why):
            warnings.append(Warning(code: "evmcs-unknown", message: "eVMCS support on the host is unknown: \(why)"))
        }
        return warnings
    }

    /// `values` with the allowed-1 bit of each (group, bit) cleared, in the TRUE and the
    /// non-TRUE control MSR alike.
    private static func clearing(_ bits: [(group: VMXFeatureGroup, bit: Int)], in values: VMXMSRSet) -> VMXMSRSet {
        var result = values
        for (group, bit) in bits {
            let msrBit = group.encoding == .controls32 ? 32 + bit : bit
            for index in [group.msr, group.plainMSR].compactMap({ $0 }) {
                if let value = result[index] { result[index] = value & ~(1 << UInt64(msrBit)) }
            }
        }
        return result
    }
}
