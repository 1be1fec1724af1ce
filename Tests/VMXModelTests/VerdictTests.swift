import Testing

@testable import VMXModel

@Suite("Verdicts")
struct VerdictTests {
    /// KVM's nested view on a Skylake host (Cloud Hypervisor's recorded KVM profile).
    static func kvmSkylake() throws -> VMXMSRSet { try Fixtures.msrs("cloudhv-profile-skylake") }

    // MARK: Between real CPUs (bare-metal dumps, as vmx.system)

    @Test func skylakeToSandyBridgeFailsWithNamedFeatures() throws {
        let verdict = CompatibilityChecker.check(
            from: try Fixtures.dump("vmxcaps-6500"),
            to: try Fixtures.dump("vmxcaps-2320"),
            evmcs: false
        )
        #expect(!verdict.compatible)
        let missing = Set(verdict.reasons.filter { $0.code == .featureMissing }.compactMap(\.feature))
        for name in [
            "vmx-invpcid-exit", "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-pml", "vmx-xsaves", "vmx-rdseed-exit",
            "vmx-eptad",
        ] {
            #expect(missing.contains(name), "\(name) should be missing on Sandy Bridge")
        }
        #expect(verdict.reasons.contains { $0.code == .fieldMismatch && $0.field == "vmcs-revision" })
        #expect(verdict.level == .incompatible)
    }

    @Test func sandyBridgeToSkylakeLacksNoFeature() throws {
        let verdict = CompatibilityChecker.check(
            from: try Fixtures.dump("vmxcaps-2320"),
            to: try Fixtures.dump("vmxcaps-6500"),
            evmcs: false
        )
        // What fails are fields KVM wants equal — the bare-metal VMCS revisions (0x10 vs 0x4) and
        // the preemption-timer rates (5 vs 7) — never a feature.
        #expect(!verdict.reasons.contains { $0.code == .featureMissing || $0.code == .controlForced })
        #expect(verdict.reasons.map(\.field) == ["vmcs-revision", "preemption-timer-rate"])
    }

    @Test func unusualMustBeOneBitsBlockTheMove() throws {
        let verdict = CompatibilityChecker.check(
            from: try Fixtures.dump("gcp-nested-kvm-l1-a"),
            to: try Fixtures.dump("vmware-fusion-intel-mac-l1-a"),
            evmcs: false
        )
        let forced = verdict.reasons.filter { $0.code == .controlForced }.compactMap(\.feature)
        #expect(forced.contains("vmx-nmi-exit"))
        #expect(forced.contains("vmx-msr-bitmap"))
    }

    // MARK: Same VMX values, different kernels: the eVMCS guest view decides

    @Test func identicalHostsAreIdentical() throws {
        let a = Fixtures.host("a", kernel: "6.8.0-45-generic", vmx: try Self.kvmSkylake())
        let b = Fixtures.host("b", kernel: "6.8.0-47-generic", vmx: try Self.kvmSkylake())
        let verdict = CompatibilityChecker.check(from: a, to: b, evmcs: true, nestedState: true)
        #expect(verdict.compatible)
        #expect(verdict.level == .identical)
        #expect(verdict.reasons.isEmpty)
        #expect(verdict.context.targetEra == .v6_3)
    }

    @Test func newerKernelHidesControlsTheGuestSaw() throws {
        let old = Fixtures.host("debian11", kernel: "5.10.0-28-amd64", vmx: try Self.kvmSkylake())
        let new = Fixtures.host("ubuntu24", kernel: "6.8.0-45-generic", vmx: try Self.kvmSkylake())
        let verdict = CompatibilityChecker.check(from: old, to: new, evmcs: true)
        #expect(!verdict.compatible)
        #expect(Set(verdict.reasons.map(\.code)) == [.evmcsGuestViewLost])
        #expect(
            verdict.reasons.compactMap(\.feature) == [
                "vmx-preemption-timer", "vmx-posted-intr", "vmx-apicv-register", "vmx-apicv-vid", "vmx-vmfunc",
                "vmx-shadow-vmcs", "vmx-pml", "vmx-tsc-scaling", "vmx-exit-save-preemption-timer", "vmx-eptp-switching",
            ]
        )
        let posted = try #require(verdict.reasons.first { $0.feature == "vmx-posted-intr" })
        #expect(posted.label == "MSR(48DH).vmx-posted-intr [bit 7]")
        #expect(posted.message.contains("5.6–5.14"))
        #expect(verdict.level == .subset)
        // Without eVMCS the same move is fine.
        let plain = CompatibilityChecker.check(from: old, to: new, evmcs: false)
        #expect(plain.compatible)
        #expect(plain.level == .identical)
    }

    @Test func olderKernelShowsMoreAndIsASuperset() throws {
        let old = Fixtures.host("debian11", kernel: "5.10.0-28-amd64", vmx: try Self.kvmSkylake())
        let new = Fixtures.host("ubuntu24", kernel: "6.8.0-45-generic", vmx: try Self.kvmSkylake())
        let verdict = CompatibilityChecker.check(from: new, to: old, evmcs: true)
        #expect(verdict.compatible)
        #expect(verdict.level == .superset)
    }

    @Test func perfGlobalCtrlDisappearsOnPre6_1Kernels() throws {
        var vmx = try Self.kvmSkylake()
        vmx[.vmxTrueExitControls]! |= 1 << (32 + 12)
        vmx[.vmxTrueEntryControls]! |= 1 << (32 + 13)
        let source = Fixtures.host("6.1", kernel: "6.1.0-27-amd64", vmx: vmx)
        let target = Fixtures.host("5.19", kernel: "5.19.17", vmx: vmx)
        let withBit = CompatibilityChecker.check(from: source, to: target, evmcs: true, perfGlobalCtrl: true)
        #expect(
            withBit.reasons.compactMap(\.feature) == [
                "vmx-exit-load-perf-global-ctrl", "vmx-entry-load-perf-global-ctrl",
            ]
        )
        // QEMU leaves the bit clear: then 6.1 hides the controls too, and nothing is lost.
        #expect(CompatibilityChecker.check(from: source, to: target, evmcs: true, perfGlobalCtrl: false).compatible)
    }

    @Test func measuredGuestViewTakesPrecedence() throws {
        var vm = VMRequirements(
            startedOn: Fixtures.host("src", kernel: nil, vmx: try Self.kvmSkylake()),
            evmcs: true
        )
        let target = Fixtures.host("dst", kernel: "6.8.0-45-generic", vmx: try Self.kvmSkylake())
        let unknown = CompatibilityChecker.check(vm, on: target)
        #expect(unknown.compatible)
        #expect(unknown.warnings.map(\.code).contains("source-era-unknown"))
        vm.guestVisible = EVMCSFilter(era: .v5_6, perfGlobalCtrl: false).apply(to: vm.vmx)
        let measured = CompatibilityChecker.check(vm, on: target)
        #expect(measured.reasons.contains { $0.feature == "vmx-posted-intr" && $0.code == .evmcsGuestViewLost })
    }

    @Test func era4_20TargetsFilterTheRestoreReference() throws {
        let source = Fixtures.host("5.10", kernel: "5.10.0-28-amd64", vmx: try Self.kvmSkylake())
        let target = Fixtures.host("5.4", kernel: "5.4.0-150-generic", vmx: try Self.kvmSkylake())
        let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true)
        #expect(verdict.warnings.map(\.code).contains("era-restore-order"))
        let restore = verdict.reasons.filter { $0.code == .featureMissing }.compactMap(\.feature)
        #expect(restore.contains("vmx-posted-intr"))
        #expect(restore.contains("vmx-shadow-vmcs"))
        #expect(
            !CompatibilityChecker.check(from: source, to: target, evmcs: false).reasons.contains {
                $0.code == .featureMissing
            }
        )
    }

    // MARK: eVMCS support, versions, nested state

    @Test func amdTargetHasNeitherEVMCSNorNestedVMX() throws {
        let source = Fixtures.host("intel", kernel: "6.8.0-45-generic", vmx: try Self.kvmSkylake())
        var amd = HostProfile()
        amd.host = HostProfile.Host(name: "epyc")
        amd.kernel = HostProfile.Kernel(release: "6.18.44")
        amd.cpu = HostProfile.CPU(vendor: "AuthenticAMD")
        let verdict = CompatibilityChecker.check(from: source, to: amd, evmcs: true)
        #expect(verdict.reasons.map(\.code) == [.evmcsUnsupported, .nestedVMXUnavailable])
        #expect(verdict.reasons[0].have.contains("vendor-not-intel"))
        #expect(verdict.level == .subset)
    }

    @Test func versionRangeMustContainTheVMsVersion() throws {
        let source = Fixtures.host("a", kernel: "6.8.0", vmx: try Self.kvmSkylake())
        var target = Fixtures.host("b", kernel: "6.8.0", vmx: try Self.kvmSkylake())
        target.evmcs = HostProfile.EVMCS(versionLow: 2, versionHigh: 3)
        let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true)
        #expect(verdict.reasons.map(\.code) == [.evmcsVersionUnsupported])
        #expect(verdict.reasons.first?.have == "2..3")
        target.evmcs = HostProfile.EVMCS(versionLow: 0, versionHigh: 0)
        let disabled = CompatibilityChecker.check(from: source, to: target, evmcs: true)
        #expect(disabled.reasons.first?.have == "unsupported (nested-disabled)")
    }

    @Test func rangeIsAssumedFromTheCapabilityWhenAbsent() throws {
        var target = Fixtures.host("b", kernel: "6.8.0", vmx: try Self.kvmSkylake())
        target.evmcs = nil
        let verdict = CompatibilityChecker.check(from: target, to: target, evmcs: true)
        #expect(verdict.compatible)
        #expect(verdict.warnings.map(\.code).contains("evmcs-range-assumed"))
    }

    @Test func nestedStateNeedsBothCapabilities() throws {
        let source = Fixtures.host("a", kernel: "6.8.0", vmx: try Self.kvmSkylake())
        let target = Fixtures.host(
            "b",
            kernel: "6.8.0",
            vmx: try Self.kvmSkylake(),
            capabilities: ["HYPERV_ENLIGHTENED_VMCS": 1, "NESTED_STATE": 8320]
        )
        let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true, nestedState: true)
        #expect(verdict.reasons.map(\.field) == ["EXCEPTION_PAYLOAD"])
        #expect(verdict.reasons.first?.have == "not reported")
        #expect(verdict.level == .subset)
        #expect(CompatibilityChecker.check(from: source, to: target, evmcs: true, nestedState: false).compatible)
    }

    @Test func unknownTargetEraCannotBeVerified() throws {
        let source = Fixtures.host("a", kernel: "6.8.0", vmx: try Self.kvmSkylake())
        let target = Fixtures.host("b", kernel: nil, vmx: try Self.kvmSkylake())
        let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true)
        #expect(verdict.reasons.map(\.code) == [.evmcsEraUnknown])
        #expect(verdict.level == .incompatible)
    }

    @Test func vendorKernelsAreAmbiguousUnlessMeasured() throws {
        let host = Fixtures.host("rhel", kernel: "5.14.0-427.el9.x86_64", vmx: try Self.kvmSkylake())
        let verdict = CompatibilityChecker.check(from: host, to: host, evmcs: true)
        let warning = try #require(verdict.warnings.first { $0.code == "target-era-ambiguous" })
        #expect(warning.message.contains("5.14.0-427.el9.x86_64") && warning.message.contains("measure it"))
        #expect(verdict.warnings.contains { $0.code == "source-era-ambiguous" })
        #expect(verdict.context.targetBasis == .derived && verdict.context.sourceBasis == .derived)
    }

    @Test func aStableKernelWithoutItsSublevelIsAmbiguous() throws {
        let source = Fixtures.host("a", kernel: "5.15.0-91-generic", vmx: try Self.kvmSkylake())
        let target = Fixtures.host("b", kernel: "5.15.0-91-generic", vmx: try Self.kvmSkylake())
        let verdict = CompatibilityChecker.check(from: source, to: target, evmcs: true)
        #expect(verdict.compatible)
        let warning = try #require(verdict.warnings.first { $0.code == "target-era-ambiguous" })
        #expect(warning.message.contains("5.15.0-91-generic") && warning.message.contains("from .24 era 5.17"))
        var known = target
        known.kernel?.versionSignature = "Ubuntu 5.15.0-91.101-generic 5.15.131"
        let later = CompatibilityChecker.check(from: known, to: known, evmcs: true)
        #expect(!later.warnings.contains { $0.code == "target-era-ambiguous" })
        #expect(later.context.targetEra == .v5_17, "5.15.131 carries the 5.17 backports (from 5.15.24)")
    }

    @Test func aTargetWhoseProbeSawAGuestViewMismatchIsFlagged() throws {
        let host = Fixtures.host("a", kernel: "6.8.0", vmx: try Self.kvmSkylake())
        var target = host
        target.warnings = [
            Warning(code: "guest-view-mismatch", message: "0x48d differs", msr: .vmxTruePinBasedControls)
        ]
        let verdict = CompatibilityChecker.check(from: host, to: target, evmcs: true)
        #expect(verdict.compatible, "a warning, not a reason")
        let warning = try #require(verdict.warnings.first { $0.code == "target-guest-view-mismatch" })
        #expect(warning.message.hasSuffix("0x48d differs"))
        #expect(
            !CompatibilityChecker.check(from: host, to: host, evmcs: true).warnings.map(\.code)
                .contains("target-guest-view-mismatch")
        )
    }

    @Test func levelsFollowQEMUsVocabulary() {
        let more = VMXMSRSet([.vmxTruePinBasedControls: 0x0000_00ff_0000_0016, .vmxVMFunc: 1])
        let less = VMXMSRSet([.vmxTruePinBasedControls: 0x0000_007f_0000_0016, .vmxVMFunc: 1])
        func level(_ vm: VMXMSRSet, _ host: VMXMSRSet) -> CompatibilityLevel {
            CompatibilityChecker.check(VMRequirements(vmx: vm), on: Fixtures.host("h", kernel: "6.8", vmx: host)).level
        }
        #expect(level(less, less) == .identical)
        #expect(level(less, more) == .superset)
        #expect(level(more, less) == .subset)
        let crossed = VMXMSRSet([.vmxTruePinBasedControls: 0x0000_00ff_0000_0016, .vmxVMFunc: 0])
        #expect(level(crossed, less) == .incompatible, "each side has something the other lacks")
    }
}
