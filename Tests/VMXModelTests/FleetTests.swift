import Testing

@testable import VMXModel

@Suite("Baseline and pools")
struct FleetTests {
    static func skylake(_ name: String, _ kernel: String) throws -> HostProfile {
        Fixtures.host(name, kernel: kernel, vmx: try Fixtures.msrs("cloudhv-profile-skylake"))
    }

    // MARK: Baseline

    @Test func eVMCSBaselineGivesTheSameGuestViewOnEveryEra() throws {
        let hosts = [try Self.skylake("old", "5.10.0-28-amd64"), try Self.skylake("new", "6.8.0-45-generic")]
        let baseline = try Baseline(of: hosts)
        #expect(baseline.requirements.evmcs.enabled)
        #expect(baseline.requirements.nestedState)
        for era in [EVMCSEra.v5_6, .v6_3] {
            let filter = EVMCSFilter(era: era, perfGlobalCtrl: false)
            let view = filter.apply(to: baseline.requirements.vmx.withDerivedPlainControls())
            #expect(
                view == baseline.requirements.vmx.withDerivedPlainControls(),
                "era \(era.rawValue) hides nothing more"
            )
        }
        for host in hosts {
            var vm = baseline.requirements
            vm.source = VMRequirements.Source(kernelRelease: host.kernel?.release)
            for target in hosts {
                let verdict = CompatibilityChecker.check(vm, on: target)
                #expect(
                    verdict.compatible,
                    "\(host.displayName) → \(target.displayName): \(verdict.reasons.map(\.message))"
                )
            }
        }
        #expect(Array(baseline.qemuCPUFlags.prefix(2)) == ["hv-vapic", "hv-evmcs"])
        for flag in [
            "-vmx-posted-intr", "-vmx-preemption-timer", "-vmx-apicv-xapic", "-vmx-shadow-vmcs", "-vmx-tsc-scaling",
            "-vmx-eptp-switching",
        ] {
            #expect(baseline.qemuCPUFlags.contains(flag), "\(flag)")
        }
        #expect(baseline.qemuCPUFlagString.hasPrefix("hv-vapic,hv-evmcs,-vmx-"))
    }

    @Test func everyHostAcceptsTheBaselineOfRealCPUs() throws {
        let hosts = try ["vmxcaps-6500", "vmxcaps-10110u", "vmxcaps-9980xe"].map { try Fixtures.dump($0) }
        let baseline = try Baseline(of: hosts, options: BaselineOptions(evmcs: false))
        #expect(!baseline.requirements.evmcs.enabled)
        for host in hosts {
            let verdict = CompatibilityChecker.check(baseline.requirements, on: host)
            #expect(verdict.compatible, "\(host.displayName): \(verdict.reasons.map(\.message))")
        }
        // 6500 lacks posted interrupts, so the baseline does too, and QEMU must be told.
        #expect(
            VMXDecoder.state(of: VMXCatalog.feature(named: "vmx-posted-intr")!, in: baseline.requirements.vmx) == .no
        )
        #expect(baseline.qemuCPUFlags.contains("-vmx-posted-intr"))
        #expect(!baseline.qemuCPUFlags.contains("hv-evmcs"))
    }

    @Test func differentRevisionsLeaveBasicOut() throws {
        let hosts = try ["vmxcaps-6500", "vmxcaps-2320"].map { try Fixtures.dump($0) }
        let baseline = try Baseline(of: hosts, options: BaselineOptions(evmcs: false))
        #expect(baseline.requirements.vmx[.vmxBasic] == nil)
        #expect(baseline.warnings.map(\.code).contains("vmcs-revision-differs"))
    }

    @Test func differentTimerRatesGiveUpThePreemptionTimer() {
        let pin: UInt64 = 0x0000_007f_0000_0016
        let a = Fixtures.host(
            "a",
            kernel: "6.8",
            vmx: VMXMSRSet([.vmxTruePinBasedControls: pin, .vmxMisc: 0x2000_01e5])
        )
        let b = Fixtures.host(
            "b",
            kernel: "6.8",
            vmx: VMXMSRSet([.vmxTruePinBasedControls: pin, .vmxMisc: 0x2000_01e7])
        )
        let baseline = try? Baseline(of: [a, b], options: BaselineOptions(evmcs: false))
        #expect(baseline?.requirements.vmx[.vmxTruePinBasedControls] == 0x0000_003f_0000_0016)
        #expect(baseline?.warnings.map(\.code).contains("preemption-timer-left-out") == true)
        for host in [a, b] {
            #expect(CompatibilityChecker.check(baseline!.requirements, on: host).compatible)
        }
    }

    @Test func contradictionsAreReported() throws {
        let a = Fixtures.host("a", kernel: "6.8", vmx: VMXMSRSet([.vmxTruePinBasedControls: 0x0000_007f_0000_001e]))
        let b = Fixtures.host("b", kernel: "6.8", vmx: VMXMSRSet([.vmxTruePinBasedControls: 0x0000_0077_0000_0016]))
        let baseline = try Baseline(of: [a, b], options: BaselineOptions(evmcs: false))
        #expect(
            baseline.warnings.contains { $0.code == "control-contradiction" && $0.message.contains("vmx-nmi-exit") }
        )
    }

    @Test func sharedQEMUPropertyRemovesBothBits() throws {
        let a = Fixtures.host("a", kernel: "6.8", vmx: VMXMSRSet([.vmxEPTVPIDCap: 1 << 25 | 1 << 41 | 1 << 32]))
        let b = Fixtures.host("b", kernel: "6.8", vmx: VMXMSRSet([.vmxEPTVPIDCap: 1 << 25 | 1 << 32]))
        let baseline = try Baseline(of: [a, b], options: BaselineOptions(evmcs: false))
        #expect(baseline.qemuCPUFlags == ["-vmx-invept-single-context"])
        #expect(baseline.requirements.vmx[.vmxEPTVPIDCap] == 1 << 32, "QEMU's property clears bit 25 as well")
    }

    @Test func eVMCSRequiredOnAHostWithoutItFails() throws {
        var amd = HostProfile()
        amd.cpu = HostProfile.CPU(vendor: "AuthenticAMD")
        amd.host = HostProfile.Host(name: "epyc")
        #expect(throws: FleetError.self) {
            try Baseline(of: [try Self.skylake("a", "6.8"), amd], options: BaselineOptions(evmcs: true))
        }
        let automatic = try Baseline(of: [try Self.skylake("a", "6.8"), amd])
        #expect(!automatic.requirements.evmcs.enabled)
        #expect(automatic.warnings.map(\.code).contains("evmcs-left-out"))
        #expect(automatic.warnings.map(\.code).contains("nested-vmx-left-out"))
        #expect(automatic.requirements.vmx.isEmpty)
        #expect(throws: FleetError.self) { try Baseline(of: []) }
    }

    // MARK: Pools

    @Test func poolsGroupByFingerprintAndGiveTheMatrix() throws {
        let hosts = [
            try Self.skylake("a", "6.8.0-45-generic"), try Self.skylake("b", "6.8.0-47-generic"),
            try Self.skylake("c", "5.10.0-28-amd64"),
        ]
        let pools = try Pools(of: hosts, evmcs: true)
        #expect(pools.groups.map(\.id) == ["G1", "G2"])
        #expect(pools.groups[0].hosts == ["a", "b"])
        #expect(pools.groups[1].hosts == ["c"])
        #expect(pools.groups[0].evmcsEra == .v6_3)
        #expect(pools.groups[0].fingerprint == Fingerprint(of: hosts[0]).value)
        #expect(pools.migrations.count == 4)
        func edge(_ from: String, _ to: String) -> Pools.Migration? {
            pools.migrations.first { $0.from == from && $0.to == to }
        }
        #expect(edge("G1", "G1")?.level == .identical)
        #expect(edge("G1", "G2")?.level == .superset)
        #expect(edge("G2", "G1")?.compatible == false)
        #expect(edge("G2", "G1")?.reasons.first?.code == .evmcsGuestViewLost)
        let without = try Pools(of: hosts, evmcs: false)
        #expect(without.migrations.allSatisfy { $0.compatible })
    }

    @Test func poolsHandleLargeFleets() throws {
        let base = try Fixtures.msrs("cloudhv-profile-skylake")
        var fleet: [HostProfile] = []
        for index in 0..<10_000 {
            var vmx = base
            vmx[.vmxVMCSEnum] = UInt64(0x20 + 2 * (index % 20))
            fleet.append(Fixtures.host("host-\(index)", kernel: "6.8.0-45-generic", vmx: vmx))
        }
        let pools = try Pools(of: fleet, evmcs: true)
        #expect(pools.groups.count == 20)
        #expect(pools.groups.map(\.hosts.count).allSatisfy { $0 == 500 })
        #expect(pools.migrations.count == 400)
        #expect(pools.migrations.allSatisfy { $0.compatible })
        let baseline = try Baseline(of: fleet)
        #expect(baseline.requirements.vmx[.vmxVMCSEnum] == 0x20)
        #expect(throws: FleetError.self) { try Pools(of: fleet, evmcs: false, maxGroups: 10) }
    }

    @Test func unnamedHostsGetPositionalOrGivenNames() throws {
        var unnamed = try Self.skylake("x", "6.8")
        unnamed.host = nil
        let pools = try Pools(of: [unnamed, unnamed], names: ["one.json", "two.json"], evmcs: false)
        #expect(pools.groups[0].hosts == ["one.json", "two.json"])
        let positional = try Pools(of: [unnamed], evmcs: false)
        #expect(positional.groups[0].hosts == ["host 1"])
    }
}
