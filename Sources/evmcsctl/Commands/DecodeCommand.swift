import ArgumentParser
import VMXModel

/// `evmcsctl decode FILE`: a vmxcap-like table of a profile or raw dump.
struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode the VMX capability MSRs of a host profile or raw MSR dump (like QEMU's vmxcap).",
        discussion: """
            With --evmcs the eVMCS guest view is shown next to the chosen view: what a Hyper-V
            guest using Enlightened VMCS reads on that kernel, and what eVMCS removes.
            """
    )

    enum View: String, ExpressibleByArgument, CaseIterable {
        case system, vcpu, guest
    }

    @Argument(help: "A host profile (evmcsd.host-profile/1) or a raw dump with an \"msrs\" object.")
    var file: String

    @Option(name: .long, help: "The view to decode: system, vcpu or guest.")
    var view: View = .system

    @Flag(name: .long, help: "Also show the eVMCS guest view and what it removes.")
    var evmcs = false

    @Option(name: .long, help: "Kernel release whose eVMCS filter applies (default: the profile's).")
    var kernel: String?

    @Flag(name: .long, help: "Hyper-V CPUID 0x4000000A.EBX bit 0 set for the guest (QEMU: clear).")
    var perfGlobalCtrl = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let profile = try DocumentFiles.hostProfile(file)
        if let reason = unavailability(of: profile) {
            // A probed host without these MSRs (AMD, nested off, no /dev/kvm): the answer is why.
            if output.json {
                try JSONOutput.print(
                    DecodeReport(
                        file: file,
                        view: view.rawValue,
                        decoded: VMXDecoder.decode(VMXMSRSet()),
                        unavailable: reason
                    )
                )
            } else {
                print("\(profile.displayName): \(view.rawValue) view unavailable: \(reason.code): \(reason.message)")
            }
            return
        }
        let set = try selectedView(of: profile)
        var guest: (set: VMXMSRSet, era: EVMCSEra)?
        if evmcs {
            let era = try eraForFilter(profile)
            guest = (EVMCSFilter(era: era, perfGlobalCtrl: perfGlobalCtrl).apply(to: set), era)
        }
        if output.json {
            try JSONOutput.print(
                DecodeReport(
                    file: file,
                    view: view.rawValue,
                    decoded: VMXDecoder.decode(set),
                    evmcs: guest.map { guest in
                        DecodeReport.EVMCSView(
                            era: guest.era,
                            perfGlobalCtrl: perfGlobalCtrl,
                            decoded: VMXDecoder.decode(guest.set),
                            removed: EVMCSFilter(era: guest.era, perfGlobalCtrl: perfGlobalCtrl).removedFeatures(
                                from: set
                            ).map(\.name)
                        )
                    }
                )
            )
            return
        }
        FeatureTableRenderer(style: .standardOutput).render(
            title: "\(profile.displayName): \(view.rawValue) view",
            set: set,
            guest: guest.map { ($0.set, "eVMCS guest (\($0.era.span))") }
        )
        if let guest {
            let removed = EVMCSFilter(era: guest.era, perfGlobalCtrl: perfGlobalCtrl).removedFeatures(from: set)
            let style = TerminalStyle.standardOutput
            style.print("")
            style.print(
                style.bold("eVMCS removes \(removed.count) feature\(removed.count == 1 ? "" : "s")")
                    + " (kernel era \(guest.era.span), PERF_GLOBAL_CTRL bit \(perfGlobalCtrl ? "set" : "clear")):"
            )
            var table = Table()
            for feature in removed { table.add([feature.label, feature.summary]) }
            for line in table.render() { style.print(line) }
        }
    }

    /// Why the chosen view has no MSRs, when the profile records it (a live probe on an AMD
    /// host, nested off, no /dev/kvm…); `nil` when the view has values or --kernel asks for a
    /// filter of its own.
    private func unavailability(of profile: HostProfile) -> Provenance.Reason? {
        switch view {
        case .system: return profile.vmx?.system == nil ? profile.vmx?[provenanceOf: .system]?.reason : nil
        case .vcpu: return profile.vmx?.vcpu == nil ? profile.vmx?[provenanceOf: .vcpu]?.reason : nil
        case .guest:
            guard kernel == nil, profile.recordedGuestView(perfGlobalCtrl: perfGlobalCtrl) == nil,
                profile.hostInitiatedView(evmcsEnabled: true).isEmpty
            else { return nil }
            return profile.vmx?[provenanceOf: .guest(perfGlobalCtrl: perfGlobalCtrl)]?.reason
        }
    }

    private func selectedView(of profile: HostProfile) throws -> VMXMSRSet {
        switch view {
        case .system:
            guard let set = profile.vmx?.system else {
                throw CommandFailure("\(file): the profile has no system view (vmx.system)")
            }
            return set
        case .vcpu:
            guard let set = profile.vmx?.vcpu else {
                throw CommandFailure("\(file): the profile has no vCPU view (vmx.vcpu)")
            }
            return set
        case .guest:
            // A measured guest view wins, unless --kernel asks for another kernel's filter.
            if kernel == nil, let set = profile.recordedGuestView(perfGlobalCtrl: perfGlobalCtrl) { return set }
            let era = try eraForFilter(profile)
            return EVMCSFilter(era: era, perfGlobalCtrl: perfGlobalCtrl).apply(
                to: profile.hostInitiatedView(evmcsEnabled: true)
            )
        }
    }

    private func eraForFilter(_ profile: HostProfile) throws -> EVMCSEra {
        if let kernel {
            guard let identity = KernelIdentity(release: kernel) else {
                throw CommandFailure("--kernel \(kernel): not a kernel release such as 6.8.0-45-generic")
            }
            return DerivedEra(identity, release: kernel).era
        }
        guard let era = profile.evmcsEra else {
            throw CommandFailure("\(file): no kernel release in the document; give --kernel RELEASE")
        }
        return era
    }
}

/// The JSON form of `decode`.
struct DecodeReport: Encodable {
    var file: String
    var view: String
    var decoded: DecodedVMX
    var evmcs: EVMCSView?
    /// Why the view has no MSRs, as the profile records it (then `decoded` is empty).
    var unavailable: Provenance.Reason?

    struct EVMCSView: Encodable {
        var era: EVMCSEra
        var perfGlobalCtrl: Bool
        var decoded: DecodedVMX
        var removed: [String]
    }
}
