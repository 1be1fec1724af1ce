import Testing

@testable import VMXModel

@Suite("Profile differences")
struct ProfileDiffTests {
    @Test func identicalProfilesHaveNoChanges() throws {
        let profile = Fixtures.host("h", kernel: "6.8.0", vmx: try Fixtures.msrs("vmxcaps-6500"))
        var later = profile
        later.generatedAt = "2030-01-01T00:00:00Z"
        later.probe = HostProfile.ProbeReport(durationMicros: 5, steps: [])
        #expect(ProfileDiff.between(profile, later).isEmpty)
    }

    @Test func reportsParametersCapabilitiesAndFeatureStates() throws {
        var old = Fixtures.host("h", kernel: "6.8.0-45-generic", vmx: try Fixtures.msrs("vmxcaps-6500"))
        old.kvm?.parameters = ["kvm_intel": ["nested": "Y", "enable_apicv": "Y"]]
        var new = old
        new.kernel?.release = "6.1.0-27-amd64"
        new.kvm?.parameters?["kvm_intel"]?["nested"] = "N"
        new.kvm?.capabilities?["NESTED_STATE"] = nil
        new.vmx?.system?[.vmxPinBasedControls] = 0x3f_0000_0016
        new.vmx?.system?[.vmxTruePinBasedControls] = 0x3f_0000_0016
        let changes = ProfileDiff.between(old, new)
        #expect(
            changes.map(\.path) == [
                "kernel.release", "kernel.evmcsEra", "kvm.capabilities.NESTED_STATE", "kvm.parameters.kvm_intel.nested",
                "vmx.system.0x481", "vmx.system.0x48d",
            ]
        )
        #expect(changes[2].old == "8320" && changes[2].new == nil)
        #expect(changes[3].old == "Y" && changes[3].new == "N")
        let pin = try #require(changes.last)
        #expect(pin.old == "0x0000007f00000016")
        #expect(pin.features?.map(\.name) == ["vmx-preemption-timer"])
        #expect(pin.features?.first?.old == .yes && pin.features?.first?.new == .no)
    }

    @Test func aViewThatDisappearsIsReportedPerMSR() throws {
        let old = Fixtures.host("h", kernel: "6.8.0", vmx: VMXMSRSet([.vmxVMFunc: 1]))
        var new = old
        new.vmx = nil
        let changes = ProfileDiff.between(old, new)
        #expect(changes.map(\.path) == ["vmx.system.0x491"])
        #expect(changes[0].features?.first?.new == .notReported)
    }
}
