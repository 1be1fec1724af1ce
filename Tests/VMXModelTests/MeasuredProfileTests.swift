import Foundation
import Testing

@testable import VMXModel

/// The Intel bench's measurements (Tests/Fixtures/measured, made by Tools/intel-bench on Debian's
/// own kernels under Bochs) held against the model: decoding, each kernel's measured hidden bits
/// against the era the model assigns it, and verdicts between the measured hosts.
///
/// With `EVMCSD_BENCH_RESULTS` set to a bench output directory (CI's fresh 6.1 run), each fresh
/// run is also compared with the committed measurement of the same kernel and CPU.
@Suite struct MeasuredProfileTests {
    struct Run: Sendable, CustomTestStringConvertible {
        var name: String
        var directory: URL
        var testDescription: String { name }

        var profile: HostProfile {
            get throws { try DocumentLoader.hostProfile(from: Data(contentsOf: directory.appendingPathComponent("profile.json"))) }
        }

        func json(_ file: String) throws -> [String: Any] {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    static let measuredRoot = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/measured")

    static func runs(in root: URL) -> [Run] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().compactMap { name in
            let directory = root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("profile.json").path) else {
                return nil
            }
            return Run(name: name, directory: directory)
        }
    }

    static let committed = runs(in: measuredRoot)

    /// The kernels the bench must have measured (issue: Debian 11, 12 and 13).
    @Test func theMatrixIsCommitted() {
        let names = Set(Self.committed.map(\.name))
        for kernel in ["debian11-5.10.0-32", "debian12-6.1.0-50", "debian13-6.12.117"] {
            #expect(names.contains { $0.hasPrefix(kernel) }, "no measurement of \(kernel) in Tests/Fixtures/measured")
        }
        #expect(Set(names.map { $0.split(separator: "-").last.map(String.init) ?? "" }).count >= 2, "two CPU models")
    }

    @Test(arguments: committed)
    func aMeasuredProfileIsRealKVMIntel(_ run: Run) throws {
        let profile = try run.profile
        #expect(profile.cpu?.vendor == HostProfile.intelVendor)
        #expect(profile.kvm?.parameters?["kvm_intel"]?["nested"] == "Y")
        #expect(profile.evmcs?.versionLow == 1 && profile.evmcs?.versionHigh == 1)
        #expect(profile.capability("HYPERV_ENLIGHTENED_VMCS") == 1)
        for view in ["system", "vcpu", "guest", "guestPerfGlobalCtrl"] {
            #expect(profile.vmx?.obtained?[view]?.method == .measured, "\(run.name): \(view) not measured")
        }
        #expect(profile.probe?.guestReadCheck?.verified == true)
        #expect(profile.fingerprint == Fingerprint(of: profile).value, "\(run.name): the stored fingerprint is stale")
        // Decoding: the named features a Skylake-class KVM offers nested guests.
        let decoded = VMXDecoder.decode(try #require(profile.vmx?.vcpu))
        #expect(decoded.feature("vmx-ept")?.state == .yes && decoded.feature("vmx-unrestricted-guest")?.state == .yes)
        let bench = try run.json("bench.json")
        #expect((bench["kernelPackage"] as? String)?.hasPrefix("linux-image-") == true)
        #expect((bench["cpuModel"] as? String)?.hasPrefix("corei7_") == true)
    }

    /// Each kernel's measured hidden bits against the era the model assigns it from its identity
    /// (upstream base and stable sublevel, read from uname -v). A difference names the kernel,
    /// the MSR and the bits: a finding for Docs/evmcs-eras.md, not a test to weaken.
    @Test(arguments: committed)
    func measuredFilterEqualsTheModelsEra(_ run: Run) throws {
        let profile = try run.profile
        let era = try #require(profile.derivedEra).era
        let vcpu = try #require(profile.observedView(.vcpu))
        for perfGlobalCtrl in [false, true] {
            let guest = try #require(profile.observedGuestView(perfGlobalCtrl: perfGlobalCtrl))
            let measured = try #require(HostGuestFilter(host: profile, perfGlobalCtrl: perfGlobalCtrl))
            let model = EVMCSFilter(era: era, perfGlobalCtrl: perfGlobalCtrl)
            for index in EVMCSFilter.filteredMSRs {
                let offered = (vcpu[index] ?? 0) & HostGuestFilter.allowedOneRegion(of: index)
                let hiddenMeasured = offered & ~(guest[index] ?? 0)
                let hiddenModel = offered & model.removedBits(of: index)
                #expect(
                    hiddenMeasured == hiddenModel,
                    "\(profile.kernel?.release ?? "?") on \(run.name), EBX[0] \(perfGlobalCtrl ? "set" : "clear"), \(index.hex): measured hides \(Self.bits(hiddenMeasured, index)), era \(era.rawValue) hides \(Self.bits(hiddenModel, index))"
                )
                #expect(measured.hiddenBits(of: index) & offered == hiddenMeasured)
            }
        }
        let effective = try #require(profile.evmcs?.effectiveEra)
        #expect(effective.basis == .measured && effective.era == era)
        #expect(!(profile.warnings ?? []).contains { $0.code == "guest-view-mismatch" })
    }

    /// The finding that motivated the kernel identity: Debian 11's 5.10.0-32 by its ABI name alone
    /// is mainline 5.6-level, but it measures the 5.17 filter (the 5.10.71 and 5.10.101 backports).
    @Test func debian11ByItsNumberAloneWouldBeWrong() throws {
        let run = try #require(Self.committed.first { $0.name.hasPrefix("debian11-") })
        var profile = try run.profile
        #expect(profile.evmcs?.effectiveEra?.era == .v5_17)
        profile.kernel?.version = nil
        #expect(profile.derivedEra?.era == .v5_6)
        #expect(profile.derivedEra?.ambiguity?.contains("measure it") == true)
        let vcpu = try #require(profile.observedView(.vcpu))
        let guest = try #require(profile.observedGuestView(perfGlobalCtrl: false))
        #expect(!EVMCSFilter(era: .v5_6, perfGlobalCtrl: false).reproduces(guest, from: vcpu))
        #expect(EVMCSFilter(era: .v5_17, perfGlobalCtrl: false).reproduces(guest, from: vcpu))
    }

    struct Move: Sendable, CustomTestStringConvertible {
        var from: Run
        var to: Run
        var testDescription: String { "\(from.name) → \(to.name)" }
    }

    static let moves: [Move] = committed.flatMap { from in committed.map { Move(from: from, to: $0) } }

    /// A VM started on each measured host moving to each other one. The expected lost controls
    /// are computed here from the measurements alone: what the guest saw on the source (its
    /// measured view) minus what the target's measured filter lets through of the VM's values.
    @Test(arguments: moves)
    func verdictsBetweenMeasuredHostsFollowTheMeasurements(_ move: Move) throws {
        let source = try move.from.profile
        let target = try move.to.profile
        for perfGlobalCtrl in [false, true] {
            let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true, perfGlobalCtrl: perfGlobalCtrl)
            #expect(verdict.context.sourceBasis == .measured && verdict.context.targetBasis == .measured)
            let expected = try Self.expectedLostControls(source: source, target: target, perfGlobalCtrl: perfGlobalCtrl)
            let lost = Set(verdict.reasons.filter { $0.code == .evmcsGuestViewLost }.map { "\($0.msr ?? "?").\($0.bit ?? -1)" })
            #expect(lost == expected, "\(move.testDescription) EBX[0] \(perfGlobalCtrl)")
            if move.from.name == move.to.name {
                // The daemon's own answer inside the emulator to the same question (compat.check of a
                // VM started there); superset on Skylake-X, whose system view offers XSAVES exiting
                // that the probe's vCPU does not.
                let answer = try #require(try move.to.json("compat-check.json")["result"] as? [String: Any])
                #expect(verdict.compatible, "\(verdict.reasons.map(\.message))")
                if !perfGlobalCtrl { #expect(verdict.level.rawValue == answer["level"] as? String) }
            }
        }
    }

    /// Debian 11 ↔ 12 and 11 ↔ 13 on the same CPU, both directions, with the answers the nominal
    /// era table alone (no measurement, the kernel's ABI name) would have given.
    @Test(arguments: ["debian12-", "debian13-"])
    func debian11AndANewerReleaseBothWays(_ newer: String) throws {
        for cpu in ["skylakex", "haswell"] {
            guard let d11 = Self.committed.first(where: { $0.name.hasPrefix("debian11-") && $0.name.hasSuffix(cpu) }),
                let d12 = Self.committed.first(where: { $0.name.hasPrefix(newer) && $0.name.hasSuffix(cpu) })
            else {
                Issue.record("no Debian 11 and \(newer) measurements on \(cpu)")
                continue
            }
            let (old, new) = (try d11.profile, try d12.profile)
            // 11 → newer: the guest saw the 5.17 view; 6.1 and 6.12 hide the same with EBX[0] clear.
            let forward = CompatibilityChecker.check(from: old, to: new, evmcs: true)
            #expect(forward.compatible, "\(cpu) 11→12: \(forward.reasons.map(\.message))")
            // Newer → 11: the guest saw nothing 5.17 hides that 6.1/6.12 show with EBX[0] clear.
            let backward = CompatibilityChecker.check(from: new, to: old, evmcs: true)
            #expect(backward.reasons.allSatisfy { $0.code != .evmcsGuestViewLost }, "\(cpu) 12→11")
            // With EBX[0] set, the newer kernel's guest saw the PERF_GLOBAL_CTRL controls that 5.10 hides.
            let backwardPerf = CompatibilityChecker.check(from: new, to: old, evmcs: true, perfGlobalCtrl: true)
            #expect(backwardPerf.reasons.contains { $0.feature == "vmx-entry-load-perf-global-ctrl" })

            // The nominal table alone: Debian 11 by its ABI name is 5.6-level: a false FAIL.
            let nominal = CompatibilityChecker.check(
                from: Fixtures.withoutGuestMeasurement(old, keepingKernelVersion: false),
                to: Fixtures.withoutGuestMeasurement(new),
                evmcs: true
            )
            #expect(!nominal.compatible, "\(cpu): the nominal table believes the guest saw 5.6's wider view")
            #expect(nominal.warnings.contains { $0.code == "source-era-ambiguous" })
        }
    }

    /// The baseline of the six measured hosts removes what any host's measured filter hides, so
    /// every host accepts it and its eVMCS guest loses nothing on any of them, EBX[0] either way.
    @Test(arguments: [false, true])
    func theBaselineOfTheMeasuredHostsFitsEachOfThem(_ perfGlobalCtrl: Bool) throws {
        let profiles = try Self.committed.map { try $0.profile }
        let baseline = try Baseline(of: profiles, options: BaselineOptions(evmcs: true, perfGlobalCtrl: perfGlobalCtrl))
        for (profile, run) in zip(profiles, Self.committed) {
            let filter = try #require(HostGuestFilter(host: profile, perfGlobalCtrl: perfGlobalCtrl))
            #expect(filter.basis == .measured)
            for index in EVMCSFilter.filteredMSRs {
                let kept = (baseline.requirements.vmx[index] ?? 0) & HostGuestFilter.allowedOneRegion(of: index)
                #expect(kept & filter.hiddenBits(of: index) == 0, "\(run.name) hides a baseline control of \(index.hex)")
            }
            var vm = baseline.requirements
            vm.guestVisible = filter.apply(to: vm.vmx)
            let verdict = CompatibilityChecker.check(vm, on: profile)
            #expect(verdict.compatible, "\(run.name): \(verdict.reasons.map(\.message))")
        }
    }

    /// CI: a fresh bench run equals the committed measurement of the same kernel and CPU.
    @Test func aFreshBenchRunMatchesTheCommittedMeasurement() throws {
        guard let path = ProcessInfo.processInfo.environment["EVMCSD_BENCH_RESULTS"] else {
            print("MeasuredProfileTests: EVMCSD_BENCH_RESULTS is not set; no fresh bench run to compare (make intel-bench sets it)")
            return
        }
        let fresh = Self.runs(in: URL(fileURLWithPath: path))
        #expect(!fresh.isEmpty, "no bench results in \(path)")
        for run in fresh {
            let committed = try #require(Self.committed.first { $0.name == run.name }, "no committed \(run.name)")
            let (new, old) = (try run.profile, try committed.profile)
            #expect(new.kernel?.release == old.kernel?.release)
            #expect(new.evmcs?.versionLow == old.evmcs?.versionLow && new.evmcs?.versionHigh == old.evmcs?.versionHigh)
            #expect(new.evmcs?.effectiveEra == old.evmcs?.effectiveEra, "\(run.name): effective era changed")
            #expect(new.kvm?.capabilities == old.kvm?.capabilities, "\(run.name): KVM capabilities changed")
            for view in VMXViewName.allCases {
                #expect(new.observedView(view) == old.observedView(view), "\(run.name): the \(view) view changed")
            }
            let check = try run.json("compat-check.json")
            let result = try #require(check["result"] as? [String: Any], "\(run.name): compat.check answered \(check)")
            let committedResult = try #require(try committed.json("compat-check.json")["result"] as? [String: Any])
            #expect(result["compatible"] as? Bool == true)
            #expect(result["level"] as? String == committedResult["level"] as? String)
            let evmcs = try #require(try run.json("host-evmcs.json")["result"] as? [String: Any])
            #expect(evmcs["supported"] as? Bool == true)
        }
    }

    // MARK: - Helpers

    static func expectedLostControls(source: HostProfile, target: HostProfile, perfGlobalCtrl: Bool) throws -> Set<String> {
        let seen = try #require(source.observedGuestView(perfGlobalCtrl: perfGlobalCtrl)).withDerivedPlainControls()
        let restored = try #require(source.observedView(.vcpu)).withDerivedPlainControls()
        let targetVCPU = try #require(target.observedView(.vcpu))
        let targetGuest = try #require(target.observedGuestView(perfGlobalCtrl: perfGlobalCtrl))
        var lost: Set<String> = []
        var reported: [VMXFeatureGroup: UInt64] = [:]
        let order: [(MSRIndex, VMXFeatureGroup)] = [
            (.vmxTruePinBasedControls, .pinBased), (.vmxPinBasedControls, .pinBased),
            (.vmxTrueProcBasedControls, .primaryProcBased), (.vmxProcBasedControls, .primaryProcBased),
            (.vmxProcBasedControls2, .secondaryProcBased), (.vmxTrueExitControls, .exit), (.vmxExitControls, .exit),
            (.vmxTrueEntryControls, .entry), (.vmxEntryControls, .entry), (.vmxVMFunc, .vmFunctions),
        ]
        for (index, group) in order {
            guard let saw = seen[index] else { continue }
            let region = HostGuestFilter.allowedOneRegion(of: index)
            let offered = (targetVCPU[index] ?? 0) & region
            let hidden = offered & ~(targetGuest[index] ?? 0)
            // Bits the target's vCPU does not offer: its era's table (none of these hosts needs it
            // for a control its guest saw, or the verdict warns).
            let eraHidden = target.evmcsEra.map { EVMCSFilter(era: $0, perfGlobalCtrl: perfGlobalCtrl).removedBits(of: index) } ?? 0
            let visible = (restored[index] ?? 0) & ~(hidden | eraHidden & region & ~offered)
            let shift: UInt64 = index == .vmxVMFunc ? 0 : 32
            var bits = ((saw & region) & ~(visible & region)) >> shift
            bits &= ~(reported[group] ?? 0)
            reported[group, default: 0] |= bits
            for bit in BitNaming.bits(of: bits) { lost.insert("\(index.hex).\(bit)") }
        }
        return lost
    }

    static func bits(_ mask: UInt64, _ index: MSRIndex) -> String {
        let shift: UInt64 = index == .vmxVMFunc ? 0 : 32
        let list = BitNaming.bits(of: mask >> shift).map(String.init)
        return list.isEmpty ? "nothing" : "bits " + list.joined(separator: ", ")
    }
}
