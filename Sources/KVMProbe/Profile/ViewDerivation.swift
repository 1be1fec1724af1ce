import VMXModel

/// Fills the views the probe could not measure from the ones it did (DESIGN §3.5), and
/// cross-checks measured guest views against the kernel-era model.
enum ViewDerivation {
    static func complete(_ profile: inout HostProfile) {
        guard let system = profile.vmx?.system else { return }
        if profile.vmx?.obtained == nil { profile.vmx?.obtained = [:] }
        let era = profile.evmcsEra
        if profile.vmx?.vcpu == nil {
            let derived = profile.hostInitiatedView(evmcsEnabled: true)
            let why = profile.vmx?.obtained?["vcpu"]?.reason?.message ?? "no vCPU reading"
            profile.vmx?.vcpu = derived
            profile.vmx?.obtained?["vcpu"] = Provenance(
                .derived,
                reason: Provenance.Reason(code: "not-measured", message: "derived from the system view: \(why)"),
                era: era
            )
        }
        let vcpu = profile.vmx?.vcpu ?? system
        for (name, perfGlobalCtrl) in [("guest", false), ("guestPerfGlobalCtrl", true)] {
            let measured = profile.recordedGuestView(perfGlobalCtrl: perfGlobalCtrl)
            guard let era else { continue }
            let model = EVMCSFilter(era: era, perfGlobalCtrl: perfGlobalCtrl).apply(to: vcpu)
            if let measured {
                crossCheck(
                    measured: measured,
                    model: model,
                    view: name,
                    era: era,
                    vcpu: vcpu,
                    perfGlobalCtrl: perfGlobalCtrl,
                    into: &profile
                )
            } else if case .supported = profile.evmcsSupport {
                let why = profile.vmx?.obtained?[name]?.reason?.message ?? "not measured"
                if perfGlobalCtrl { profile.vmx?.guestPerfGlobalCtrl = model } else { profile.vmx?.guest = model }
                profile.vmx?.obtained?[name] = Provenance(
                    .derived,
                    reason: Provenance.Reason(
                        code: "not-measured",
                        message: "derived with the \(era.span) filter: \(why)"
                    ),
                    era: era
                )
            }
        }
    }

    /// A measured view that disagrees with the era model means a kernel whose filter the model
    /// does not know (a vendor backport, a new release): warn, name the eras that would
    /// explain it, and keep the measured values.
    private static func crossCheck(
        measured: VMXMSRSet,
        model: VMXMSRSet,
        view: String,
        era: EVMCSEra,
        vcpu: VMXMSRSet,
        perfGlobalCtrl: Bool,
        into profile: inout HostProfile
    ) {
        guard measured != model else { return }
        let differing = MSRIndex.allVMX.filter { measured[$0] != model[$0] }
        let detail = differing.map { index in
            "\(index.hex) measured \(measured[index].map(HexNumber.format64) ?? "absent"), model \(model[index].map(HexNumber.format64) ?? "absent")"
        }.joined(separator: "; ")
        let explaining = EVMCSEra.allCases.filter {
            EVMCSFilter(era: $0, perfGlobalCtrl: perfGlobalCtrl).apply(to: vcpu) == measured
        }
        let hint =
            explaining.isEmpty
            ? "no known era explains it"
            : "it matches era \(explaining.map(\.rawValue).joined(separator: ", ")); set kernel.evmcsEra to use that model elsewhere"
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
