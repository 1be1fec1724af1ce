/// Computes verdicts: can a VM with these requirements run on, or be restored on, this host?
///
/// A pure function of two documents, so the daemon and the client library give the same
/// answer (DESIGN §5). The rules, with their kernel sources, are in Docs/compatibility.md:
/// 1. KVM's restore rules for every VMX MSR (``RestoreRules``);
/// 2. the eVMCS guest-visible view must not lose controls (``GuestViewRule``);
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
        if vm.evmcs.enabled { checkEVMCS(vm, target, targetEra, &a) }
        if vm.nestedState { checkNestedState(target, &a) }
        checkVMX(vm, target, targetEra, &a)
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
                sourceEra: vm.source?.era
            )
        )
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
        _ a: inout Assessment
    ) {
        guard !vm.vmx.isEmpty else { return }
        var reference = target.restoreReference
        guard !reference.isEmpty else {
            let why =
                target.vmx?.obtained?["system"]?.reason?.message
                ?? "the target reports no VMX capability MSRs (AMD host, kvm_intel nested=0, or not probed)"
            a.fail(
                VerdictReason(
                    code: .nestedVMXUnavailable,
                    need: "nested VMX",
                    have: "none",
                    message: "the VM uses nested VMX; \(why)"
                )
            )
            return
        }
        if vm.evmcs.enabled, let targetEra, targetEra.filtersVCPUState {
            // 4.20–5.5: enabling eVMCS (which QEMU does before restoring MSRs) clears controls in
            // the vCPU's VMX MSRs, and restore compares against those current values.
            reference = EVMCSFilter(era: targetEra, perfGlobalCtrl: false).apply(to: reference)
            a.warn(
                "era-restore-order",
                "target kernel era 4.20–5.5: enabling eVMCS clears controls in the vCPU's VMX MSRs before they are restored; values with those controls fail to restore (the QEMU ≥ 4.2 problem)"
            )
        }
        RestoreRules.evaluate(vm.vmx, against: reference, into: &a)
        if vm.evmcs.enabled, let targetEra { GuestViewRule.evaluate(vm, targetEra: targetEra, into: &a) }
    }

    private static func checkEVMCS(
        _ vm: VMRequirements,
        _ target: HostProfile,
        _ targetEra: EVMCSEra?,
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
        guard let targetEra else {
            a.fail(
                VerdictReason(
                    code: .evmcsEraUnknown,
                    field: "kernel.release",
                    need: "a known kernel era",
                    have: "unknown",
                    message:
                        "the target profile has no kernel release, so the controls its KVM hides from eVMCS guests are unknown; set kernel.release or kernel.evmcsEra"
                )
            )
            return
        }
        if target.kernel?.evmcsEra == nil, targetEra < .v6_3, let tag = target.kernelRelease?.backportTag {
            a.warn(
                "era-from-version",
                "the target runs a vendor kernel (\(tag)) that carries eVMCS backports; its era was chosen from the version number (\(targetEra.span)) and may be older than its code — prefer a measured profile or set kernel.evmcsEra"
            )
        }
        if targetEra == .v5_15 {
            a.warn(
                "era-stable-backports",
                "5.15.y/5.16.y stable kernels received the 5.17 filter fixes later; if the target has them, it also hides TRUE_PINBASED posted interrupts/preemption timer and VM-exit save-preemption-timer"
            )
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
