/// Whether a host can give a guest Enlightened VMCS, as far as its profile tells.
public enum EVMCSSupport: Hashable, Sendable {
    /// Supported with this version range; `assumedRange` when the profile gave no range and
    /// KVM's constant 1..1 (KVM_EVMCS_VERSION, unchanged in every kernel) was assumed.
    case supported(low: Int, high: Int, assumedRange: Bool)
    /// Not supported; the reason says why.
    case unsupported(Provenance.Reason)
    /// The profile does not say.
    case unknown(String)
}

extension HostProfile.Kernel {
    /// Which upstream kernel this is, from `release`, `version` and `versionSignature`.
    public var identity: KernelIdentity? {
        guard let release else { return nil }
        return KernelIdentity(release: release, version: version, versionSignature: versionSignature)
    }

    /// The era the kernel's identity gives (upstream base and stable sublevel), with why it may
    /// be wrong.
    public var derivedEra: DerivedEra? {
        guard let release, let identity else { return nil }
        return DerivedEra(identity, release: release)
    }

    /// The era without looking at measurements: `evmcsEra` if declared, else the derived one.
    public var nominalEra: EVMCSEra? {
        evmcsEra ?? derivedEra?.era
    }
}

extension HostProfile {
    /// `GenuineIntel`: the only vendor with VMX and therefore eVMCS.
    public static let intelVendor = "GenuineIntel"

    /// A name for humans: the host name, else the fingerprint prefix, else `unnamed host`.
    public var displayName: String {
        host?.name ?? fingerprint.map { String($0.prefix(19)) } ?? "unnamed host"
    }

    /// The parsed kernel release, if the profile has a parsable one.
    public var kernelRelease: KernelRelease? {
        kernel?.release.flatMap(KernelRelease.init)
    }

    /// Which upstream kernel the host runs, from `kernel.release`, `version` and `versionSignature`.
    public var kernelIdentity: KernelIdentity? { kernel?.identity }

    /// The era the kernel's identity gives (upstream base and stable sublevel), with why it may
    /// be wrong.
    public var derivedEra: DerivedEra? { kernel?.derivedEra }

    /// The era without looking at measurements: `kernel.evmcsEra` if declared, else the derived one.
    public var nominalEra: EVMCSEra? { kernel?.nominalEra }

    /// The eVMCS era in effect: the measured effective era (`evmcs.effectiveEra`) when one
    /// matched, else the declared era, else the derived one.
    public var evmcsEra: EVMCSEra? {
        if let effective = evmcs?.effectiveEra, effective.basis == .measured, let era = effective.era { return era }
        return nominalEra
    }

    /// The effective era as stored, else as inferred now from the profile's views.
    public var effectiveEra: EffectiveEra? {
        evmcs?.effectiveEra ?? EffectiveEra.infer(for: self)
    }

    /// A VMX view that was read on a host (measured, or recorded from a real host), not derived
    /// by the model. A view without provenance counts as observed: it is what the document claims.
    public func observedView(_ view: VMXViewName) -> VMXMSRSet? {
        guard let set = vmx?[view] else { return nil }
        switch vmx?[provenanceOf: view]?.method {
        case .derived, .unavailable: return nil
        case .measured, .recorded, nil: return set
        }
    }

    /// The observed eVMCS guest view for Hyper-V CPUID 0x4000000A.EBX bit 0 set or clear.
    public func observedGuestView(perfGlobalCtrl: Bool) -> VMXMSRSet? {
        observedView(.guest(perfGlobalCtrl: perfGlobalCtrl))
    }

    /// The value of a KVM capability by linux/kvm.h name without `KVM_CAP_`, or `nil` when
    /// the profile does not report it.
    public func capability(_ name: String) -> Int? {
        kvm?.capabilities?[name]
    }

    /// What KVM accepts when a VM's VMX MSRs are restored here (`vmcs_config.nested`): the
    /// system view, else the vCPU view. Empty when the host has no nested VMX.
    public var restoreReference: VMXMSRSet {
        vmx?.system ?? vmx?.vcpu ?? VMXMSRSet()
    }

    /// What KVM_GET_MSRS on a fresh vCPU with eVMCS enabled returns: the measured vCPU view,
    /// else the system view — filtered on 4.20–5.5 kernels, whose capability enable clears
    /// controls in the vCPU's own MSRs.
    public func hostInitiatedView(evmcsEnabled: Bool) -> VMXMSRSet {
        if let vcpu = vmx?.vcpu { return vcpu }
        let system = vmx?.system ?? VMXMSRSet()
        guard evmcsEnabled, let era = evmcsEra, era.filtersVCPUState else { return system }
        return EVMCSFilter(era: era, perfGlobalCtrl: false).apply(to: system)
    }

    /// The measured guest view for the given Hyper-V CPUID 0x4000000A.EBX bit 0, if present.
    public func recordedGuestView(perfGlobalCtrl: Bool) -> VMXMSRSet? {
        perfGlobalCtrl ? vmx?.guestPerfGlobalCtrl : vmx?.guest
    }

    /// Whether the host can give a guest eVMCS (see ``EVMCSSupport``).
    public var evmcsSupport: EVMCSSupport {
        if evmcs?.supported == false {
            let reason =
                evmcs?.obtained?.reason
                ?? Provenance.Reason(code: "evmcs-unsupported", message: "the profile says eVMCS is unsupported")
            return .unsupported(reason)
        }
        if let vendor = cpu?.vendor, vendor != Self.intelVendor {
            return .unsupported(
                Provenance.Reason(
                    code: "vendor-not-intel",
                    message: "CPU vendor is \(vendor): Enlightened VMCS exists only on Intel VMX"
                )
            )
        }
        if let capabilities = kvm?.capabilities, (capabilities["HYPERV_ENLIGHTENED_VMCS"] ?? 0) <= 0 {
            return .unsupported(
                Provenance.Reason(
                    code: "capability-absent",
                    message: "KVM_CAP_HYPERV_ENLIGHTENED_VMCS is not reported by this kernel"
                )
            )
        }
        if let low = evmcs?.versionLow, let high = evmcs?.versionHigh {
            if low == 0 && high == 0 {
                return .unsupported(
                    Provenance.Reason(
                        code: "nested-disabled",
                        message: "KVM reports eVMCS version 0: nested VMX is not available (kvm_intel nested=0?)"
                    )
                )
            }
            return .supported(low: low, high: high, assumedRange: false)
        }
        if evmcs?.supported == true || (kvm?.capabilities?["HYPERV_ENLIGHTENED_VMCS"] ?? 0) > 0 {
            return .supported(low: 1, high: 1, assumedRange: true)
        }
        return .unknown("the profile reports neither KVM_CAP_HYPERV_ENLIGHTENED_VMCS nor an eVMCS version range")
    }
}
