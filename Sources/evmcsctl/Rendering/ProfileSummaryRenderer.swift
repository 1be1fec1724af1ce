import VMXModel

/// A human summary of a host profile: host, KVM, eVMCS, the VMX views and how each was
/// obtained, the guest-read check, warnings and timings.
struct ProfileSummaryRenderer {
    let style: TerminalStyle

    func render(_ profile: HostProfile) {
        style.print(style.bold(profile.displayName) + "  " + style.dim(profile.fingerprint ?? "no fingerprint"))
        var table = Table()
        table.add([
            "kernel", profile.kernel?.release ?? "unknown",
            profile.effectiveEra.map { "eVMCS era " + EffectiveEraText($0).summary } ?? "",
        ])
        table.add([
            "cpu", [profile.cpu?.vendor, profile.cpu?.modelName].compactMap { $0 }.joined(separator: " "),
            profile.cpu?.microcode.map { "microcode \($0)" } ?? "",
        ])
        if let device = profile.kvm?.device {
            let access = device.readWrite == true ? "read-write" : "no access"
            table.add(["device", device.path, device.present ? "mode \(device.mode ?? "?"), \(access)" : "missing"])
        }
        if let obtained = profile.kvm?.obtained, obtained.method == .unavailable {
            table.add(
                ["kvm", style.red("unavailable"), obtained.reason?.message ?? ""],
                plain: ["kvm", "unavailable", obtained.reason?.message ?? ""]
            )
        } else if let kvm = profile.kvm {
            let nonzero = (kvm.capabilities ?? [:]).filter { $0.value != 0 }.keys.sorted()
            table.add([
                "kvm", "API \(kvm.apiVersion.map(String.init) ?? "?")",
                "\(nonzero.count) of \(kvm.capabilities?.count ?? 0) capabilities set, \(kvm.featureMSRs?.values.count ?? 0) feature MSRs",
            ])
        }
        switch profile.evmcsSupport {
        case .supported(let low, let high, _):
            table.add(
                ["eVMCS", style.green("supported"), "versions \(low)..\(high)"],
                plain: ["eVMCS", "supported", "versions \(low)..\(high)"]
            )
        case .unsupported(let reason):
            table.add(
                ["eVMCS", style.red("unsupported"), "\(reason.code): \(reason.message)"],
                plain: ["eVMCS", "unsupported", "\(reason.code): \(reason.message)"]
            )
        case .unknown(let why):
            table.add(["eVMCS", "unknown", why])
        }
        for line in table.render(indent: 0) { style.print(line) }
        style.print("")
        style.print(style.bold("VMX views"))
        var views = Table()
        for view in VMXViewName.allCases {
            let name = view.rawValue
            let set = profile.vmx?[view]
            let obtained = profile.vmx?[provenanceOf: view]
            let method = obtained?.method.rawValue ?? (set == nil ? "absent" : "given")
            let detail =
                obtained?.reason.map { "\($0.code): \($0.message)" } ?? obtained?.era.map { "era \($0.rawValue)" } ?? ""
            views.add([name, method, set.map { "\($0.count) MSRs" } ?? "-", detail])
        }
        for line in views.render() { style.print(line) }
        if let check = profile.probe?.guestReadCheck {
            style.print("")
            let verdict = check.verified ? style.green("verified") : style.red("not verified")
            style.print(style.bold("Guest-read mechanism: ") + verdict)
            style.print(
                "  guest RDMSR equals host KVM_GET_MSRS for \(check.matched.joined(separator: ", "))"
                    + (check.faulted.isEmpty ? "" : "; #GP in the guest for \(check.faulted.joined(separator: ", "))")
                    + (check.mismatched.isEmpty ? "" : "; MISMATCH for \(check.mismatched.joined(separator: ", "))")
            )
        }
        if let warnings = profile.warnings, !warnings.isEmpty {
            style.print("")
            style.print(style.bold("Warnings"))
            for warning in warnings { style.print("  " + style.yellow(warning.code) + "  " + warning.message) }
        }
        if let probe = profile.probe {
            style.print("")
            style.print(
                style.bold("Probe") + " \(probe.durationMicros) µs: "
                    + probe.steps.map { "\($0.name) \($0.micros) µs\($0.outcome == "ok" ? "" : " (\($0.outcome))")" }
                    .joined(separator: ", ")
            )
        }
    }
}
