import Foundation
import Testing

@testable import VMXModel

@Suite struct QEMUCPURequirementsTests {
    static func example(_ name: String) throws -> HostProfile {
        try DocumentLoader.hostProfile(from: Fixtures.data("Docs/examples/\(name).json"))
    }

    static let postedInterrupts = VMXCatalog.feature(named: "vmx-posted-intr")!

    @Test func namedModelGivesQEMUsMSRValuesOnTheHost() throws {
        let host = try Self.example("skylake-6.8")
        let built = try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,+vmx", on: host)
        let vmx = built.requirements.vmx
        // make_vmx_msr_value: allowed-1 = model bits | default1, must-be-1 = default1 not in the model.
        #expect(vmx[.vmxTruePinBasedControls] == 0x0000_00FF_0000_0016)
        #expect(vmx[.vmxProcBasedControls2] == (QEMUCPUModel.table.first { $0.name == "Skylake-Server" }!.vmx[.secondaryProcBased]) << 32)
        // BASIC: the model's INS/OUTS and TRUE-controls bits, revision/size/memory type from the host.
        #expect(vmx[.vmxBasic] == 0x00D8_1000_11E5_7ED0 & (QEMUVMXValues.basicFromHost | 0xC0 << 48))
        #expect(vmx[.vmxCR0Fixed0] == 0x8000_0021 && vmx[.vmxCR4Fixed0] == 0x2000)
        #expect(vmx[.vmxVMCSEnum] == 0x2E)
        #expect(vmx[.vmxMisc] == nil)  // the example profile does not report MISC
        #expect(built.warnings.contains { $0.code == "msr-not-reported" && $0.message.contains("0x485") })
        #expect(built.model == "Skylake-Server-v4" && built.requirements.nestedState)
        #expect(!built.requirements.evmcs.enabled)
        #expect(built.requirements.source?.host == "skylake-ubuntu2404")
    }

    @Test func featuresTheHostLacksAreDroppedWithQEMUsWarning() throws {
        var host = try Self.example("skylake-6.8")
        host.vmx?.system?[.vmxTruePinBasedControls] = 0x0000_007F_0000_0016
        let built = try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,+vmx", on: host)
        // The example host has no PERF_GLOBAL_CTRL loads; MISC, which it does not report, drops nothing.
        #expect(
            built.dropped == [
                "MSR(48DH).vmx-posted-intr [bit 7]", "MSR(48FH).vmx-exit-load-perf-global-ctrl [bit 12]",
                "MSR(490H).vmx-entry-load-perf-global-ctrl [bit 13]",
            ]
        )
        #expect(built.warnings.contains { $0.message == "host doesn't support requested feature: MSR(48DH).vmx-posted-intr [bit 7]" })
        #expect(built.requirements.vmx[.vmxTruePinBasedControls] == 0x0000_007F_0000_0016)
        #expect(throws: QEMUCPUError.self) { try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,+vmx,enforce", on: host) }
    }

    @Test func explicitRemovalsAndDependenciesApply() throws {
        let host = try Self.example("skylake-6.8")
        let built = try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,+vmx,-vmx-posted-intr", on: host)
        #expect(built.requirements.vmx[.vmxTruePinBasedControls] == 0x0000_007F_0000_0016)
        let noSecondary = try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,+vmx,+vmx-ept,-vmx-secondary-ctls", on: host)
        #expect(noSecondary.requirements.vmx[.vmxProcBasedControls2] == 0)
        #expect(noSecondary.requirements.vmx[.vmxEPTVPIDCap] == 0)  // no EPT, no VPID → no capabilities
        #expect(noSecondary.warnings.contains { $0.code == "qemu-dependency-cleared" && $0.message.hasPrefix("vmx-ept depends on vmx-secondary-ctls") })
    }

    /// What QEMU 7.2's model expansion (vmx on) clears from the notes' words: CPUID features
    /// the model lacks, or that a setting turns off, take the VMX bits they gate with them.
    @Test func cpuidFeaturesGateTheirVMXBits() throws {
        let rdtscp = try #require(VMXCatalog.feature(named: "vmx-rdtscp-exit"))
        let rdseed = try #require(VMXCatalog.feature(named: "vmx-rdseed-exit"))
        func secondary(_ cpu: String) throws -> UInt64 {
            try #require(try QEMUCPURequirements(qemuCPU: cpu, on: nil).requirements.vmx[.vmxProcBasedControls2]) >> 32
        }
        #expect(try secondary("Nehalem,+vmx") & (1 << UInt64(rdtscp.bit)) == 0)
        #expect(try secondary("Nehalem,+vmx,+rdtscp") & (1 << UInt64(rdtscp.bit)) != 0)
        #expect(try secondary("Skylake-Server-v4,+vmx") & (1 << UInt64(rdseed.bit)) != 0)
        let without = try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,+vmx,+vmx-rdseed-exit,rdseed=off", on: nil)
        #expect(try #require(without.requirements.vmx[.vmxProcBasedControls2]) >> 32 & (1 << UInt64(rdseed.bit)) == 0)
        #expect(without.warnings.contains { $0.message == "vmx-rdseed-exit depends on CPUID rdseed, which is off: QEMU clears it" })
    }

    @Test func withoutTheVMXFlagANamedModelHasNoNestedVMX() throws {
        let built = try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,hv-vapic,hv-evmcs", on: try Self.example("skylake-6.8"))
        #expect(built.requirements.vmx.isEmpty && !built.requirements.nestedState)
        #expect(built.requirements.evmcs == VMRequirements.EVMCS(enabled: true, version: 1, perfGlobalCtrl: false))
        #expect(built.warnings.map(\.code) == ["vmx-off"])
    }

    @Test func hostAndMaxAreTheHostsOwnValuesMinusRemovals() throws {
        let source = try Self.example("skylake-5.10")
        let started = VMRequirements(startedOn: source, evmcs: true, nestedState: true)
        for model in ["host", "max"] {
            let built = try QEMUCPURequirements(qemuCPU: "\(model),hv-vapic,hv-evmcs", on: source)
            #expect(built.requirements.vmx == started.vmx)
            #expect(built.requirements.evmcs == started.evmcs && built.requirements.nestedState)
        }
        let removed = try QEMUCPURequirements(qemuCPU: "host,-vmx-posted-intr", on: source)
        let pin = try #require(removed.requirements.vmx[.vmxTruePinBasedControls])
        #expect(pin & (1 << UInt64(Self.postedInterrupts.msrBit)) == 0)
        #expect(throws: QEMUCPUError.self) { try QEMUCPURequirements(qemuCPU: "host", on: nil) }
    }

    @Test func evmcsWithoutVAPICOrOnAnAMDHostIsWarned() throws {
        let built = try QEMUCPURequirements(qemuCPU: "host,hv-evmcs", on: try Self.example("skylake-6.8"))
        #expect(built.warnings.map(\.code) == ["evmcs-needs-vapic"])
        var amd = HostProfile()
        amd.cpu = HostProfile.CPU(vendor: "AuthenticAMD")
        let onAMD = try QEMUCPURequirements(qemuCPU: "Skylake-Server-v4,+vmx,hv-vapic,hv-evmcs", on: amd)
        #expect(onAMD.dropped == ["CPUID.01H:ECX.vmx [bit 5]"] && onAMD.requirements.vmx.isEmpty)
        #expect(onAMD.warnings.contains { $0.code == "evmcs-unsupported" })
    }

    @Test func withoutAProfileTheRequestedFeaturesStayUnfiltered() throws {
        let built = try QEMUCPURequirements(qemuCPU: "Icelake-Server-v6,+vmx", on: nil)
        let pageWalk5 = try #require(VMXCatalog.feature(named: "vmx-page-walk-5"))
        #expect(try #require(built.requirements.vmx[.vmxEPTVPIDCap]) & (1 << 7) != 0 && pageWalk5.bit == 7)
        #expect(built.requirements.vmx[.vmxBasic] == nil && built.requirements.source == nil)
        #expect(built.warnings.map(\.code) == ["no-host-profile"])
    }

    /// A `-cpu host` VM built from QEMU's string gets the same verdict as the same VM
    /// described by hand ("started there with the host's defaults").
    @Test func verdictsEqualTheHandDescribedVM() throws {
        let (source, target) = (try Self.example("skylake-5.10.46"), try Self.example("skylake-6.8"))
        let built = try QEMUCPURequirements(qemuCPU: "host,hv-vapic,hv-evmcs", on: source)
        let byHand = CompatibilityChecker.check(from: source, to: target, evmcs: true, nestedState: true)
        let fromQEMU = CompatibilityChecker.check(built.requirements, on: target)
        #expect(fromQEMU.reasons == byHand.reasons && fromQEMU.level == byHand.level && !fromQEMU.compatible)
        let back = try DocumentLoader.vmRequirements(from: JSONEncoder().encode(built.requirements))
        #expect(back == built.requirements)
    }
}
