import Foundation
import Testing
import VMXModel

@testable import KVMProbe

extension RealKVMTests {
    /// The assembled host profile, on this machine's real /dev/kvm. Nested in `RealKVMTests`
    /// so it never runs beside the other suites that count KVM file descriptors.
    @Suite("Live probe on /dev/kvm") struct LiveProbeTests {
        @Test func reportsWhatThisHostReallyHas() throws {
            let profile = LiveProbe().probe()
            let kvm = try #require(profile.kvm)
            #expect(kvm.obtained?.method == .measured)
            #expect(kvm.apiVersion == 12)
            let independent = try IndependentCapabilityReader.read(CapabilityCatalog.entries.map(\.number))
            for (name, number) in CapabilityCatalog.entries {
                #expect(kvm.capabilities?[name] == independent[number].map(Int.init), "KVM_CAP_\(name)")
            }
            #expect(kvm.device?.present == true && kvm.device?.readWrite == true)
            #expect(kvm.featureMSRs?.values.isEmpty == false)
            #expect(
                profile.kernel?.release
                    == (try String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)).trimmingCharacters(
                        in: .whitespacesAndNewlines
                    )
            )
            #expect(profile.fingerprint == Fingerprint(of: profile).value)
            #expect(
                profile.probe?.steps.map(\.name) == [
                    "host-facts", "system", "vcpu-and-guest", "derive",
                ]
            )
            // The vCPU's Hyper-V CPUID is there exactly when KVM offers the vCPU ioctl.
            #expect((kvm.hypervCPUIDVCPU != nil) == ((kvm.capabilities?["HYPERV_CPUID"] ?? 0) > 0))
            let check = try #require(profile.probe?.guestReadCheck)
            #expect(check.verified, "guest RDMSR must equal host KVM_GET_MSRS: \(check)")
            #expect(check.mismatched.isEmpty)
        }

        @Test(.enabled(if: !TestHost.kvmIntelLoaded, "with kvm_intel loaded eVMCS may be supported"))
        func evmcsIsUnsupportedWithTheReasonWithoutVMX() throws {
            let profile = LiveProbe().probe()
            guard case .unsupported(let reason) = profile.evmcsSupport else {
                Issue.record("eVMCS must be unsupported without kvm_intel: \(profile.evmcsSupport)")
                return
            }
            #expect(
                profile.evmcs?.obtained?.reason?.errno == "EINVAL" || profile.evmcs?.obtained?.reason?.errno == "ENOTTY"
            )
            #expect(profile.vmx?.system == nil)
            if TestHost.isAMD {
                #expect(reason.code == "vendor-not-intel")
                for view in ["system", "vcpu", "guest", "guestPerfGlobalCtrl"] {
                    #expect(profile.vmx?.obtained?[view]?.method == .unavailable, "\(view)")
                    #expect(profile.vmx?.obtained?[view]?.reason?.code == "vendor-not-intel", "\(view)")
                }
            } else {
                // An Intel CPU under a KVM without VMX (kvm_pvm): the capability MSRs' views name the missing
                // module, the eVMCS views the failed KVM_ENABLE_CAP.
                let expected: Set = ["kvm-intel-not-loaded", "hyperv-not-built", "capability-absent", "ioctl-failed"]
                #expect(expected.contains(reason.code), "\(reason.code)")
                for view in ["system", "vcpu"] {
                    #expect(profile.vmx?.obtained?[view]?.method == .unavailable, "\(view)")
                    #expect(profile.vmx?.obtained?[view]?.reason?.code == "kvm-intel-not-loaded", "\(view)")
                }
                for view in ["guest", "guestPerfGlobalCtrl"] {
                    #expect(profile.vmx?.obtained?[view]?.method == .unavailable, "\(view)")
                    #expect(profile.vmx?.obtained?[view]?.reason?.code == reason.code, "\(view)")
                }
            }
        }

        @Test func profileIsADocumentTheToolsAccept() throws {
            let profile = LiveProbe().probe()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let reread = try DocumentLoader.hostProfile(from: try encoder.encode(profile))
            #expect(reread == profile)
            #expect(Fingerprint(of: reread).value == profile.fingerprint)
        }

        @Test func releasesEverythingAcrossAThousandProbes() throws {
            let probe = LiveProbe()
            _ = probe.probe()
            let descriptors = try ProcessResources.probeFileDescriptors()
            let mappings = try ProcessResources.kvmRunMappingCount()
            let resident = try ProcessResources.residentBytes()
            for _ in 0..<1_000 { _ = probe.probe() }
            #expect(
                try ProcessResources.probeFileDescriptors() == descriptors,
                "no KVM, procfs or sysfs descriptor left open"
            )
            #expect(try ProcessResources.kvmRunMappingCount() == mappings)
            // RSS is the whole process's, and other suites run beside this one (up to ~9 MiB seen on a
            // loaded CI machine); a probe that kept even a 24 KiB profile alive would pass 24 MiB here.
            let growth = try ProcessResources.residentBytes() - resident
            #expect(growth < 24 << 20, "RSS grew by \(growth) bytes over 1,000 probes")
        }
    }
}

/// The profile on recorded procfs/sysfs trees and without a usable device: the paths this
/// machine cannot show live.
@Suite("Probe on recorded host trees")
struct RecordedTreeProbeTests {
    @Test func intelHostWithoutTheDeviceExplainsEveryView() throws {
        let tree = try FakeHostTree.intelNestedHost()
        let profile = LiveProbe(procRoot: tree.procRoot, sysRoot: tree.sysRoot, devicePath: tree.devRoot + "/kvm")
            .probe()
        #expect(profile.kernel?.release == "6.8.0-45-generic")
        #expect(profile.evmcsEra == .v6_3)
        #expect(profile.cpu?.vendor == "GenuineIntel")
        #expect(profile.cpu?.microcode == "0x5003604")
        #expect(profile.kvm?.parameters?["kvm_intel"]?["nested"] == "Y")
        #expect(profile.kvm?.device?.present == false)
        #expect(profile.kvm?.obtained?.reason?.code == "kvm-device-missing")
        #expect(profile.kvm?.obtained?.reason?.errno == "ENOENT")
        guard case .unsupported(let reason) = profile.evmcsSupport else {
            Issue.record("expected eVMCS unsupported")
            return
        }
        #expect(reason.code == "kvm-device-missing")
        for view in ["system", "vcpu", "guest", "guestPerfGlobalCtrl"] {
            #expect(profile.vmx?.obtained?[view]?.reason?.code == "kvm-device-missing")
        }
        #expect(profile.probe?.steps.map(\.name) == ["host-facts", "system", "derive"])
        #expect(profile.probe?.steps[1].outcome == "kvm-device-missing")
    }

    @Test func aDeviceThatIsNotKVMIsAnIoctlFailure() throws {
        let tree = try FakeHostTree.amdPVMHost()
        try tree.write("not a device\n", to: "dev/kvm")
        let profile = LiveProbe(procRoot: tree.procRoot, sysRoot: tree.sysRoot, devicePath: tree.devRoot + "/kvm")
            .probe()
        if TestHost.isRoot {
            #expect(profile.kvm?.obtained?.reason?.code == "ioctl-failed")
            #expect(profile.kvm?.obtained?.reason?.errno == "ENOTTY")
        } else {
            #expect(profile.kvm?.obtained?.method == .unavailable)
        }
        #expect(profile.kvm?.parameters?["kvm_pvm"]?["pvm_native"] == "Y")
    }

    @Test func noVMXReasonsNameTheCause() {
        #expect(ProbeReasons.noVMX(vendor: "AuthenticAMD", parameters: [:]).code == "vendor-not-intel")
        #expect(
            ProbeReasons.noVMX(vendor: "GenuineIntel", parameters: ["kvm_intel": ["nested": "N"]]).code
                == "nested-disabled"
        )
        #expect(ProbeReasons.noVMX(vendor: "GenuineIntel", parameters: ["kvm": [:]]).code == "kvm-intel-not-loaded")
        #expect(
            ProbeReasons.noVMX(vendor: "GenuineIntel", parameters: ["kvm_intel": ["nested": "Y"]]).code
                == "not-reported"
        )
    }

    @Test func evmcsFailureReasonsNameTheCause() {
        let einval = ProbeError.systemCall("KVM_ENABLE_CAP", errno: EINVAL)
        let intel = "GenuineIntel"
        #expect(ProbeReasons.evmcsFailure(einval, vendor: "AuthenticAMD", capabilities: [:]).code == "vendor-not-intel")
        #expect(
            ProbeReasons.evmcsFailure(einval, vendor: intel, capabilities: ["HYPERV": 0]).code == "hyperv-not-built"
        )
        #expect(
            ProbeReasons.evmcsFailure(einval, vendor: intel, capabilities: ["HYPERV": 1, "HYPERV_ENLIGHTENED_VMCS": 0])
                .code
                == "capability-absent"
        )
        let other = ProbeReasons.evmcsFailure(
            einval,
            vendor: intel,
            capabilities: ["HYPERV": 1, "HYPERV_ENLIGHTENED_VMCS": 1]
        )
        #expect(other.code == "ioctl-failed")
        #expect(other.errno == "EINVAL")
    }
}

/// Deriving and cross-checking views on an Intel-like profile.
@Suite("View derivation")
struct ViewDerivationTests {
    /// KVM's nested view on Skylake (Cloud Hypervisor's recorded profile).
    static let skylake = VMXMSRSet([
        .vmxBasic: 0x00d8_1000_11e5_7ed0, .vmxTruePinBasedControls: 0xff_0000_0016,
        .vmxTrueProcBasedControls: 0xfff9_fffe_0400_6172, .vmxProcBasedControls2: 0x0213_7bff_0000_0000,
        .vmxTrueExitControls: 0x007f_efff_0003_6dfb, .vmxTrueEntryControls: 0x0000_d3ff_0000_11fb, .vmxVMFunc: 1,
    ])

    func intelProfile(kernel: String) -> HostProfile {
        var profile = HostProfile()
        profile.kernel = HostProfile.Kernel(release: kernel)
        profile.cpu = HostProfile.CPU(vendor: "GenuineIntel")
        profile.evmcs = HostProfile.EVMCS(supported: true, versionLow: 1, versionHigh: 1)
        profile.vmx = HostProfile.VMXViews(system: Self.skylake)
        profile.vmx?.obtained = ["system": Provenance(.measured)]
        return profile
    }

    @Test func derivesTheVCPUAndGuestViewsByEra() {
        var profile = intelProfile(kernel: "6.8.0-45-generic")
        ViewDerivation.complete(&profile)
        #expect(profile.vmx?.vcpu == Self.skylake)
        #expect(profile.vmx?.obtained?["vcpu"]?.method == .derived)
        #expect(profile.vmx?.guest == EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: Self.skylake))
        #expect(
            profile.vmx?.guestPerfGlobalCtrl == EVMCSFilter(era: .v6_3, perfGlobalCtrl: true).apply(to: Self.skylake)
        )
        #expect(profile.vmx?.obtained?["guest"]?.method == .derived)
        #expect(profile.vmx?.obtained?["guest"]?.era == .v6_3)
        #expect(profile.warnings == nil)
    }

    @Test func aMeasuredViewThatMatchesTheModelIsQuiet() {
        var profile = intelProfile(kernel: "6.8.0-45-generic")
        profile.vmx?.vcpu = Self.skylake
        profile.vmx?.guest = EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: Self.skylake)
        profile.vmx?.obtained?["guest"] = Provenance(.measured)
        ViewDerivation.complete(&profile)
        #expect(profile.vmx?.obtained?["guest"]?.method == .measured)
        #expect(profile.warnings == nil)
    }

    @Test func aMeasuredViewFromABackportKernelIsFlaggedWithTheEraThatExplainsIt() throws {
        // RHEL 9: 5.14 by number, 6.3-style filter in reality.
        var profile = intelProfile(kernel: "5.14.0-427.el9.x86_64")
        profile.vmx?.vcpu = Self.skylake
        profile.vmx?.guest = EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: Self.skylake)
        profile.vmx?.obtained?["guest"] = Provenance(.measured)
        ViewDerivation.complete(&profile)
        let warning = try #require(profile.warnings?.first)
        #expect(warning.code == "guest-view-mismatch")
        #expect(
            warning.message.contains("it matches era 5.17, 6.1, 6.3"),
            "this CPU offers none of the controls those eras treat differently"
        )
        #expect(
            profile.vmx?.guest == EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: Self.skylake),
            "the measured view is kept"
        )
    }

    @Test func nothingIsDerivedWithoutEVMCS() {
        var profile = intelProfile(kernel: "6.8.0")
        profile.evmcs = HostProfile.EVMCS(supported: false)
        ViewDerivation.complete(&profile)
        #expect(profile.vmx?.guest == nil)
        #expect(profile.vmx?.vcpu != nil)
    }
}

@Suite("Recorded profile source")
struct RecordedProfileSourceTests {
    @Test func servesTheFileAndNoticesChanges() throws {
        let tree = try FakeHostTree()
        let text = #"{"schema":"evmcsd.host-profile/1","cpu":{"vendor":"GenuineIntel"},"kernel":{"release":"6.8.0"}}"#
        try tree.write(text, to: "profile.json")
        let source = RecordedProfileSource(path: tree.root.appendingPathComponent("profile.json").path)
        let profile = try source.probe()
        #expect(profile.kernel?.release == "6.8.0")
        #expect(profile.fingerprint != nil)
        let key = source.currentKey()
        #expect(source.currentKey() == key)
        try tree.write(text.replacingOccurrences(of: "6.8.0", with: "6.9.0"), to: "profile.json")
        #expect(source.currentKey() != key)
        try tree.write("{", to: "profile.json")
        #expect(throws: RecordedProfileError.self) { try source.probe() }
        let missing = RecordedProfileSource(path: tree.root.appendingPathComponent("nope.json").path)
        #expect(throws: RecordedProfileError.self) { try missing.probe() }
        if case .recorded(_, let digest) = missing.currentKey() { #expect(digest == "unreadable: ENOENT") }
    }
}
