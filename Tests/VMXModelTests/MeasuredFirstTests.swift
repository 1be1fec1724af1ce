import Foundation
import Testing

@testable import VMXModel

/// Verdicts follow measurements: a target whose measured eVMCS filter differs from its nominal
/// era is judged by the measurement (generated cases; the bench's real ones are in
/// MeasuredProfileTests).
@Suite struct MeasuredFirstTests {
    /// KVM's nested Skylake values, with the PERF_GLOBAL_CTRL entry/exit controls offered (KVM
    /// offers them with a vPMU; the recorded dump has none) so the EBX[0] gate is observable.
    static func vcpu() throws -> VMXMSRSet {
        var set = try Fixtures.msrs("cloudhv-profile-skylake")
        for index in [MSRIndex.vmxExitControls, .vmxTrueExitControls] { set[index] = (set[index] ?? 0) | 1 << (32 + 12) }
        for index in [MSRIndex.vmxEntryControls, .vmxTrueEntryControls] { set[index] = (set[index] ?? 0) | 1 << (32 + 13) }
        return set
    }

    /// A host whose vCPU view is `vcpu` and whose eVMCS guest views were "measured" as the filter
    /// of `measuredEra` gives them, on a kernel whose number says `release`.
    static func measuredHost(
        _ name: String,
        release: String,
        version: String? = nil,
        measuredEra: EVMCSEra,
        vcpu: VMXMSRSet
    ) -> HostProfile {
        var profile = Fixtures.host(name, kernel: release, vmx: vcpu)
        profile.kernel?.version = version
        profile.vmx?.vcpu = vcpu
        profile.vmx?.guest = EVMCSFilter(era: measuredEra, perfGlobalCtrl: false).apply(to: vcpu)
        profile.vmx?.guestPerfGlobalCtrl = EVMCSFilter(era: measuredEra, perfGlobalCtrl: true).apply(to: vcpu)
        profile.vmx?.obtained = [
            "vcpu": Provenance(.measured), "guest": Provenance(.measured), "guestPerfGlobalCtrl": Provenance(.measured),
        ]
        let effective = EffectiveEra.infer(for: profile)
        profile.evmcs?.effectiveEra = effective
        return profile
    }

    @Test func theEffectiveEraOfA5_10KernelMeasuredAt5_17Is5_17() throws {
        let host = Self.measuredHost("d11", release: "5.10.0-28-amd64", measuredEra: .v5_17, vcpu: try Self.vcpu())
        let effective = try #require(host.evmcs?.effectiveEra)
        #expect(effective.basis == .measured)
        #expect(effective.era == .v5_17)
        #expect(effective.matching?.first == .v5_17 && effective.matching?.contains(.v5_6) == false)
        #expect(host.nominalEra == .v5_6, "the ABI name alone gives the mainline 5.10 era")
        #expect(host.evmcsEra == .v5_17, "the measurement wins")
    }

    /// The false PASS of the audit: 5.10.60 (5.6-level) → a 5.10.0-* target that measures 5.17.
    @Test func aTargetMeasuredStricterThanItsNumberFailsTheVerdict() throws {
        let vcpu = try Self.vcpu()
        let source = Fixtures.host("old-5.10", kernel: "5.10.60", vmx: vcpu)
        let target = Self.measuredHost("d11", release: "5.10.0-28-amd64", measuredEra: .v5_17, vcpu: vcpu)
        let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true)
        #expect(verdict.context.targetBasis == .measured)
        #expect(verdict.context.sourceBasis == .derived)
        #expect(!verdict.compatible)
        let lost = Set(verdict.reasons.filter { $0.code == .evmcsGuestViewLost }.compactMap(\.feature))
        // What 5.17 hides on top of 5.6: the secondary deny list, TRUE_PINBASED, exit 22.
        #expect(lost.contains("vmx-preemption-timer"))
        #expect(lost.contains("vmx-exit-save-preemption-timer"))
        #expect(lost.contains("vmx-apicv-register"))
        #expect(verdict.reasons.allSatisfy { $0.message.contains("the target (measured)") })

        // The nominal era table alone (the same target without its measurement) says compatible: wrong.
        let nominal = CompatibilityChecker.check(from: source, to: Fixtures.withoutGuestMeasurement(target), evmcs: true)
        #expect(nominal.compatible)
        #expect(nominal.context.targetBasis == .derived)
        #expect(nominal.warnings.contains { $0.code == "target-era-ambiguous" })
    }

    /// The false FAIL: a VM started on a measured 5.17-level Debian 11 moving to 6.1 loses nothing
    /// it saw, although the source's number says 5.6.
    @Test func aSourceMeasuredStricterThanItsNumberPassesTheVerdict() throws {
        let vcpu = try Self.vcpu()
        let source = Self.measuredHost("d11", release: "5.10.0-28-amd64", measuredEra: .v5_17, vcpu: vcpu)
        let target = Self.measuredHost("d12", release: "6.1.0-27-amd64", measuredEra: .v6_1, vcpu: vcpu)
        let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true)
        #expect(verdict.compatible, "\(verdict.reasons.map(\.message))")
        #expect(verdict.context.sourceBasis == .measured && verdict.context.targetBasis == .measured)

        let nominal = CompatibilityChecker.check(from: Fixtures.withoutGuestMeasurement(source), to: target, evmcs: true)
        #expect(!nominal.compatible, "the 5.6 table believes the guest saw the secondary deny list")
        #expect(nominal.warnings.contains { $0.code == "source-era-ambiguous" })
    }

    @Test func theVMsEBX0SettingChoosesTheMeasuredView() throws {
        let vcpu = try Self.vcpu()
        // Source 6.1 with EBX[0] set: the guest saw the PERF_GLOBAL_CTRL entry/exit controls.
        let source = Self.measuredHost("a", release: "6.1.55", measuredEra: .v6_1, vcpu: vcpu)
        // A target measured as 5.17 hides them whatever EBX[0] says.
        let target = Self.measuredHost("b", release: "6.1.55", measuredEra: .v5_17, vcpu: vcpu)
        let clear = CompatibilityChecker.check(from: source, to: target, evmcs: true, perfGlobalCtrl: false)
        #expect(clear.compatible)
        let set = CompatibilityChecker.check(from: source, to: target, evmcs: true, perfGlobalCtrl: true)
        let lost = set.reasons.compactMap(\.feature)
        #expect(lost.contains("vmx-entry-load-perf-global-ctrl") && lost.contains("vmx-exit-load-perf-global-ctrl"))
    }

    @Test func aMeasurementNoEraReproducesIsEffectiveEraNone() throws {
        let vcpu = try Self.vcpu()
        var host = Self.measuredHost("odd", release: "6.8.0", measuredEra: .v6_3, vcpu: vcpu)
        // A vendor mix: 6.3's allow lists, and EPT (secondary 1, which every era shows) hidden too.
        let offered = vcpu
        #expect((offered[.vmxProcBasedControls2] ?? 0) & 1 << (32 + 1) != 0)
        host.vmx?.vcpu = offered
        var guest = EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: offered)
        guest[.vmxProcBasedControls2] = (guest[.vmxProcBasedControls2] ?? 0) & ~(1 << (32 + 1))
        host.vmx?.guest = guest
        host.vmx?.guestPerfGlobalCtrl = nil
        host.vmx?.obtained?["guestPerfGlobalCtrl"] = nil
        let effective = try #require(EffectiveEra.infer(for: host))
        #expect(effective.era == nil && effective.label == "none")
        let difference = try #require(effective.differences?.first { $0.msr == "0x48b" })
        #expect(difference.hiddenOnlyMeasured == [1])
        #expect(difference.hiddenOnlyByModel.isEmpty)
        host.evmcs?.effectiveEra = effective
        #expect(host.evmcsEra == .v6_3, "with no matching era the nominal one covers what was not measured")
        // A VM that saw EPT on another host loses it here, by the measurement.
        let source = Self.measuredHost("src", release: "6.8.0", measuredEra: .v6_3, vcpu: offered)
        let verdict = CompatibilityChecker.check(from: source, to: host, evmcs: true)
        #expect(verdict.reasons.map(\.feature) == ["vmx-ept"])
    }

    @Test func bitsTheTargetVCPUDoesNotOfferFallBackToTheEraAndSaySo() throws {
        let vcpu = try Self.vcpu()
        var target = Self.measuredHost("t", release: "6.1.55", measuredEra: .v6_1, vcpu: vcpu)
        // The target's vCPU does not offer TSC scaling (secondary 25), as on Debian 11's 5.10.
        var narrowed = vcpu
        narrowed[.vmxProcBasedControls2] = (vcpu[.vmxProcBasedControls2] ?? 0) & ~(1 << (32 + 25))
        target.vmx?.vcpu = narrowed
        target.vmx?.guest = EVMCSFilter(era: .v6_1, perfGlobalCtrl: false).apply(to: narrowed)
        var source = Fixtures.host("s", kernel: "5.6.0", vmx: vcpu)
        source.vmx?.system?[.vmxProcBasedControls2] = (vcpu[.vmxProcBasedControls2] ?? 0) | (1 << (32 + 25))
        let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true)
        #expect(verdict.warnings.contains { $0.code == "target-filter-unobserved" && $0.msr == "0x48b" })
        // 6.1's table hides TSC scaling, so the guest that saw it on 5.6 loses it.
        #expect(verdict.reasons.contains { $0.feature == "vmx-tsc-scaling" && $0.code == .evmcsGuestViewLost })
    }

    @Test func aDerivedGuestViewIsNotTakenForAMeasuredOne() throws {
        var source = Fixtures.host("s", kernel: "6.8.0", vmx: try Self.vcpu())
        source.vmx?.guest = EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: try Self.vcpu())
        source.vmx?.obtained = ["guest": Provenance(.derived, era: .v6_3)]
        let vm = VMRequirements(startedOn: source, evmcs: true)
        #expect(vm.guestVisible == nil)
        let verdict = CompatibilityChecker.check(vm, on: source)
        #expect(verdict.context.sourceBasis == .derived)
        #expect(verdict.context.sourceEra == .v6_3)
    }

    @Test func aDeclaredEraIsTheBasisWhenNothingWasMeasured() throws {
        var host = Fixtures.host("rhel", kernel: "5.14.0-427.el9.x86_64", vmx: try Self.vcpu())
        host.kernel?.evmcsEra = .v6_3
        let verdict = CompatibilityChecker.check(from: host, to: host, evmcs: true)
        #expect(verdict.context.targetBasis == .declared && verdict.context.sourceBasis == .declared)
        #expect(!verdict.warnings.contains { $0.code.hasSuffix("era-ambiguous") })
        #expect(EffectiveEra.infer(for: host) == EffectiveEra(era: .v6_3, basis: .declared))
    }

    @Test func effectiveEraRoundTripsIncludingNone() throws {
        for value in [
            EffectiveEra(era: .v5_17, basis: .measured, matching: [.v5_17]),
            EffectiveEra(
                era: nil,
                basis: .measured,
                matching: [],
                differences: [.init(view: "guest", msr: .vmxProcBasedControls2, hiddenOnlyMeasured: [10], hiddenOnlyByModel: [])]
            ),
            EffectiveEra(era: .v5_6, basis: .derived, note: "kernel x: measure it"),
        ] {
            var profile = HostProfile()
            profile.evmcs = HostProfile.EVMCS(supported: true)
            profile.evmcs?.effectiveEra = value
            let encoder = JSONEncoder()
            let encoded = try encoder.encode(profile)
            #expect(try DocumentLoader.hostProfile(from: encoded).evmcs?.effectiveEra == value)
        }
        let bad = Fixtures.json(#"{"schema":"evmcsd.host-profile/1","evmcs":{"effectiveEra":{"era":"5.9","basis":"measured"}}}"#)
        #expect(throws: DocumentError.self) { try DocumentLoader.hostProfile(from: bad) }
    }
}
