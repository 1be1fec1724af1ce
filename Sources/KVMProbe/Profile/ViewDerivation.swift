import VMXModel

/// Fills the views the probe could not measure from the ones it did (Docs/probe.md, "Derived
/// views"), cross-checks measured guest views against the kernel's nominal era, and states the
/// effective era (`evmcs.effectiveEra`).
enum ViewDerivation {
    static func complete(_ profile: inout HostProfile) {
        defer { stateEffectiveEra(&profile) }
        guard let system = profile.vmx?.system else { return }
        if profile.vmx?.obtained == nil { profile.vmx?.obtained = [:] }
        let era = profile.nominalEra
        if profile.vmx?.vcpu == nil {
            let derived = profile.hostInitiatedView(evmcsEnabled: true)
            let why = profile.vmx?[provenanceOf: .vcpu]?.reason?.message ?? "no vCPU reading"
            profile.vmx?.vcpu = derived
            profile.vmx?[provenanceOf: .vcpu] = Provenance(
                .derived,
                reason: Provenance.Reason(code: "not-measured", message: "derived from the system view: \(why)"),
                era: era
            )
        }
        let vcpu = profile.vmx?.vcpu ?? system
        // A view the probe did not measure is derived with the era the measured ones show, if any.
        let measuredEffective = EffectiveEra.infer(for: profile).flatMap { $0.basis == .measured ? $0 : nil }
        let measuredEra = measuredEffective?.era
        for (view, perfGlobalCtrl) in VMXViewName.guestViews {
            if let measured = profile.observedGuestView(perfGlobalCtrl: perfGlobalCtrl) {
                guard let era else { continue }
                crossCheck(
                    measured: measured,
                    model: EVMCSFilter(era: era, perfGlobalCtrl: perfGlobalCtrl).apply(to: vcpu),
                    view: view.rawValue,
                    era: era,
                    explaining: measuredEffective?.matching ?? [],
                    into: &profile
                )
            } else if case .supported = profile.evmcsSupport, let deriving = measuredEra ?? era {
                let why = profile.vmx?[provenanceOf: view]?.reason?.message ?? "not measured"
                let model = EVMCSFilter(era: deriving, perfGlobalCtrl: perfGlobalCtrl).apply(to: vcpu)
                profile.vmx?[view] = model
                profile.vmx?[provenanceOf: view] = Provenance(
                    .derived,
                    reason: Provenance.Reason(
                        code: "not-measured",
                        message: "derived with the \(deriving.span) filter: \(why)"
                    ),
                    era: deriving
                )
            }
        }
    }

    /// The era whose filter reproduces the measured views, or the declared or derived one, on a
    /// host that can give eVMCS.
    private static func stateEffectiveEra(_ profile: inout HostProfile) {
        guard case .supported = profile.evmcsSupport, let effective = EffectiveEra.infer(for: profile) else { return }
        if profile.evmcs == nil { profile.evmcs = HostProfile.EVMCS() }
        profile.evmcs?.effectiveEra = effective
    }

    /// A measured view that disagrees with the era model means a kernel whose filter the model
    /// does not know (a vendor backport, a new release): warn, name the eras that would
    /// explain it, and keep the measured values.
    private static func crossCheck(
        measured: VMXMSRSet,
        model: VMXMSRSet,
        view: String,
        era: EVMCSEra,
        explaining: [EVMCSEra],
        into profile: inout HostProfile
    ) {
        guard measured != model else { return }
        let differing = MSRIndex.allVMX.filter { measured[$0] != model[$0] }
        let detail = differing.map { index in
            "\(index.hex) measured \(measured[index].map(HexNumber.format64) ?? "absent"), model \(model[index].map(HexNumber.format64) ?? "absent")"
        }.joined(separator: "; ")
        let hint =
            explaining.isEmpty
            ? "no known era explains it"
            : "it matches era \(explaining.map(\.rawValue).joined(separator: ", ")) (evmcs.effectiveEra)"
        profile.warnings =
            (profile.warnings ?? []) + [
                Warning(
                    code: "guest-view-mismatch",
                    message:
                        "the measured \(view) view differs from the kernel-era model (\(era.span)): \(detail); \(hint). The measured view is used."
                )
            ]
    }
}
