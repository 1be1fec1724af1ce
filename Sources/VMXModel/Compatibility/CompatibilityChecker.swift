/// Computes verdicts: can a VM with these requirements run on, or be restored on, this host?
///
/// A pure function of two documents, so the daemon and the client library give the same
/// answer. The rules, with their kernel sources, are in Docs/compatibility.md:
/// 1. KVM's restore rules for every VMX MSR (``RestoreRules``);
/// 2. the eVMCS guest-visible view must not lose controls (``GuestViewRule``), measured first on
///    both sides: the source's measured view is what the guest saw, the target's measured views
///    give its real filter (``HostGuestFilter``); the era tables only where nothing was measured;
/// 3. eVMCS support and version range; NESTED_STATE and EXCEPTION_PAYLOAD for nested state;
/// 4. known hazards of kernel eras as warnings.
///
/// ```swift
/// let vm = VMRequirements(startedOn: source, evmcs: true)
/// let verdict = CompatibilityChecker.check(vm, on: target)
/// if !verdict.compatible { print(verdict.reasons.map(\.message)) }
/// ```
public enum CompatibilityChecker {
    /// The verdict for `vm` on `target`.
    public static func check(_ vm: VMRequirements, on target: HostProfile) -> Verdict {
        var a = Assessment()
        let targetEra = target.evmcsEra
        let targetFilter = vm.evmcs.enabled ? guestFilter(of: target, for: vm) : nil
        if vm.evmcs.enabled { checkEVMCS(vm, target, targetFilter, &a) }
        if vm.nestedState { checkNestedState(target, &a) }
        let sourceBasis = checkVMX(vm, target, targetEra, targetFilter, &a)
        if let warnings = target.warnings {
            for warning in warnings where warning.code == "guest-view-mismatch" {
                a.warn("target-guest-view-mismatch", "the target's probe reported: \(warning.message)", msr: nil)
            }
        }
        let level = a.level
        return Verdict(
            compatible: a.reasons.isEmpty,
            level: level,
            reasons: a.reasons,
            warnings: a.warnings,
            vm: vm.name,
            target: target.displayName,
            context: Verdict.Context(
                evmcs: vm.evmcs.enabled,
                perfGlobalCtrl: vm.evmcs.perfGlobalCtrl,
                nestedState: vm.nestedState,
                targetEra: targetEra,
                sourceEra: vm.guestVisible == nil ? vm.source?.era : nil,
                sourceBasis: sourceBasis,
                targetBasis: targetFilter?.basis
            )
        )
    }

    /// The target's eVMCS filter for this VM. On a 4.20–5.5-era kernel that checks restores
    /// against host-supported values (5.4.211+), the restored values replace the ones enabling
    /// eVMCS filtered, and the guest reads them unfiltered (no guest-read filter before 5.6).
    private static func guestFilter(of target: HostProfile, for vm: VMRequirements) -> HostGuestFilter? {
        if let era = target.evmcsEra, era.filtersVCPUState, target.derivedEra?.restoresAgainstHostValues == true {
            return HostGuestFilter(unfiltered: target.kernel?.evmcsEra != nil ? .declared : .derived, era: era)
        }
        return HostGuestFilter(host: target, perfGlobalCtrl: vm.evmcs.perfGlobalCtrl)
    }

    /// The verdict for a VM started on `source` with its defaults, moving to `target`.
    public static func check(
        from source: HostProfile,
        to target: HostProfile,
        evmcs: Bool,
        perfGlobalCtrl: Bool = false,
        nestedState: Bool = false
    ) -> Verdict {
        check(
            VMRequirements(startedOn: source, evmcs: evmcs, perfGlobalCtrl: perfGlobalCtrl, nestedState: nestedState),
            on: target
        )
    }

    // MARK: - Rules

    private static func checkVMX(
        _ vm: VMRequirements,
        _ target: HostProfile,
        _ targetEra: EVMCSEra?,
        _ targetFilter: HostGuestFilter?,
        _ a: inout Assessment
    ) -> EffectiveEra.Basis? {
        guard !vm.vmx.isEmpty else { return nil }
        var reference = target.restoreReference
        guard !reference.isEmpty else {
            let why =
                target.vmx?[provenanceOf: .system]?.reason?.message
                ?? "the target reports no VMX capability MSRs (AMD host, kvm_intel nested=0, or not probed)"
            a.fail(
                VerdictReason(
                    code: .nestedVMXUnavailable,
                    need: "nested VMX",
                    have: "none",
                    message: "the VM uses nested VMX; \(why)"
                )
            )
            return nil
        }
        if vm.evmcs.enabled, let targetEra, targetEra.filtersVCPUState {
            checkRestoreOrder(target, targetEra, &reference, &a)
        }
        RestoreRules.evaluate(vm.vmx, against: reference, into: &a)
        RestoreRules.kernelLimits(vm.vmx, targetKernel: target.kernelRelease, into: &a)
        guard vm.evmcs.enabled, let targetFilter else { return nil }
        return GuestViewRule.evaluate(vm, target: targetFilter, into: &a)
    }

    /// 4.20–5.5 (and 5.4.y): enabling eVMCS, which QEMU does before restoring MSRs, clears
    /// controls in the vCPU's VMX MSRs. Kernels that check restores against those current values
    /// reject values with the controls (the QEMU ≥ 4.2 problem); 5.4.211+ checks against the
    /// host-supported values and has no such failure.
    private static func checkRestoreOrder(
        _ target: HostProfile,
        _ targetEra: EVMCSEra,
        _ reference: inout VMXMSRSet,
        _ a: inout Assessment
    ) {
        let restoresAgainstHostValues = target.derivedEra?.restoresAgainstHostValues
        if restoresAgainstHostValues == true { return }
        reference = EVMCSFilter(era: targetEra, perfGlobalCtrl: false).apply(to: reference)
        var message =
            "target kernel era \(targetEra.span): enabling eVMCS clears controls in the vCPU's VMX MSRs before they are restored; values with those controls fail to restore (the QEMU ≥ 4.2 problem)"
        if restoresAgainstHostValues == nil {
            message +=
                "; 5.4.211 and later 5.4.y check restores against host-supported values and do not fail, but this kernel's sublevel is unknown — measure it or record uname -v"
        }
        a.warn("era-restore-order", message)
    }

    private static func checkEVMCS(
        _ vm: VMRequirements,
        _ target: HostProfile,
        _ targetFilter: HostGuestFilter?,
        _ a: inout Assessment
    ) {
        let version = vm.evmcs.version
        switch target.evmcsSupport {
        case .unsupported(let reason):
            a.fail(
                VerdictReason(
                    code: .evmcsUnsupported,
                    field: "evmcs",
                    need: "eVMCS version \(version)",
                    have: "unsupported (\(reason.code))",
                    message: "the VM uses Enlightened VMCS; the target cannot provide it: \(reason.message)"
                )
            )
            return
        case .unknown(let why):
            a.fail(
                VerdictReason(
                    code: .evmcsSupportUnknown,
                    field: "evmcs",
                    need: "eVMCS version \(version)",
                    have: "unknown",
                    message: "the VM uses Enlightened VMCS; \(why)"
                )
            )
            return
        case .supported(let low, let high, let assumed):
            if !(low...high).contains(version) {
                a.fail(
                    VerdictReason(
                        code: .evmcsVersionUnsupported,
                        field: "evmcs-version",
                        need: String(version),
                        have: "\(low)..\(high)",
                        message: "the VM uses eVMCS version \(version); the target supports \(low)..\(high)"
                    )
                )
            }
            if assumed {
                a.warn("evmcs-range-assumed", "the target gives no eVMCS version range; KVM's 1..1 was assumed")
            }
        }
        guard let targetFilter else {
            a.fail(
                VerdictReason(
                    code: .evmcsEraUnknown,
                    field: "kernel.release",
                    need: "a known kernel era",
                    have: "unknown",
                    message:
                        "the target profile has neither a measured guest view nor a kernel release, so the controls its KVM hides from eVMCS guests are unknown; measure it, or set kernel.release or kernel.evmcsEra"
                )
            )
            return
        }
        if targetFilter.basis == .derived, let ambiguity = target.derivedEra?.ambiguity {
            a.warn("target-era-ambiguous", "the target's guest view is derived: \(ambiguity)")
        }
    }

    private static func checkNestedState(_ target: HostProfile, _ a: inout Assessment) {
        for capability in ["NESTED_STATE", "EXCEPTION_PAYLOAD"] {
            let value = target.capability(capability)
            guard (value ?? 0) <= 0 else { continue }
            a.fail(
                VerdictReason(
                    code: .capabilityMissing,
                    field: capability,
                    need: "KVM_CAP_\(capability) > 0",
                    have: value.map(String.init) ?? "not reported",
                    message:
                        "migrating nested state needs KVM_CAP_\(capability) on the target (QEMU blocks the migration without it)"
                )
            )
        }
    }
}
