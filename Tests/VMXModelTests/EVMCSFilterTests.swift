import Testing

@testable import VMXModel

/// The filter tables of Docs/evmcs-eras.md (arch/x86/kvm/vmx/hyperv_evmcs.h), checked against masks written out by hand.
@Suite("eVMCS filter by kernel era")
struct EVMCSFilterTests {
    /// Every control allowed (high dword all ones), every VM function allowed.
    static let everything: VMXMSRSet = {
        var set = VMXMSRSet()
        for index: MSRIndex in [
            .vmxPinBasedControls, .vmxTruePinBasedControls, .vmxProcBasedControls, .vmxTrueProcBasedControls,
            .vmxProcBasedControls2, .vmxExitControls, .vmxTrueExitControls, .vmxEntryControls, .vmxTrueEntryControls,
        ] {
            set[index] = 0xFFFF_FFFF_0000_0000
        }
        set[.vmxVMFunc] = ~0
        set[.vmxBasic] = ~0
        set[.vmxMisc] = ~0
        set[.vmxEPTVPIDCap] = ~0
        return set
    }()

    /// The allowed-1 controls (high dword) left for each MSR.
    func kept(_ era: EVMCSEra, perf: Bool = false) -> [MSRIndex: UInt64] {
        let filtered = EVMCSFilter(era: era, perfGlobalCtrl: perf).apply(to: Self.everything)
        var result: [MSRIndex: UInt64] = [:]
        for (index, value) in filtered.entries {
            result[index] =
                index == .vmxVMFunc || index == .vmxBasic || index == .vmxMisc || index == .vmxEPTVPIDCap
                ? value : value >> 32
        }
        return result
    }

    let all: UInt64 = 0xFFFF_FFFF
    /// VAPIC_ACCESS 0, APIC_REG_VIRT 8, VID 9, PLE 10, VMFUNC 13, SHADOW_VMCS 14, PML 17, TSC_SCALING 25.
    let secondaryDenied: UInt64 = 0x0202_6701

    @Test func guestViewFromValuesReleaseAndTheCPUIDBit() throws {
        let values = try Fixtures.msrs("vmxcaps-6500")
        let exitControls = MSRIndex.vmxTrueExitControls
        let perfBit: UInt64 = 1 << (32 + 12)  // VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL, allowed-1
        #expect(values[exitControls]! & perfBit != 0)
        let hidden = try #require(
            EVMCSFilter.guestView(of: values, kernelRelease: "6.8.0-45-generic", perfGlobalCtrl: false)
        )
        #expect(hidden[exitControls]! & perfBit == 0)
        let shown = try #require(
            EVMCSFilter.guestView(of: values, kernelRelease: "6.8.0-45-generic", perfGlobalCtrl: true)
        )
        #expect(shown[exitControls]! & perfBit != 0)
        #expect(hidden == EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: values))
        #expect(EVMCSFilter.guestView(of: values, kernelRelease: "4.19.0", perfGlobalCtrl: false) == values)
        #expect(EVMCSFilter.guestView(of: values, kernelRelease: "not a release", perfGlobalCtrl: false) == nil)
    }

    @Test func beforeEVMCSNothingIsFiltered() {
        #expect(EVMCSFilter(era: .preEVMCS, perfGlobalCtrl: false).apply(to: Self.everything) == Self.everything)
    }

    @Test func era4_20DeniesTheUnsupportedListsEverywhere() {
        let k = kept(.v4_20)
        #expect(k[.vmxPinBasedControls] == all & ~0xC0)
        #expect(k[.vmxTruePinBasedControls] == all & ~0xC0)
        #expect(k[.vmxTrueProcBasedControls] == all)
        #expect(k[.vmxProcBasedControls2] == all & ~secondaryDenied)
        #expect(k[.vmxTrueExitControls] == all & ~0x1000)
        #expect(k[.vmxExitControls] == all & ~0x1000)
        #expect(k[.vmxTrueEntryControls] == all & ~0x2000)
        #expect(k[.vmxVMFunc] == ~1)
        #expect(EVMCSEra.v4_20.filtersVCPUState)
    }

    @Test func era5_6IsTheBareMinimum() {
        let k = kept(.v5_6)
        #expect(k[.vmxPinBasedControls] == all)
        #expect(k[.vmxTruePinBasedControls] == all)
        #expect(k[.vmxProcBasedControls2] == all & ~1)
        #expect(k[.vmxTrueExitControls] == all & ~0x1000)
        #expect(k[.vmxTrueEntryControls] == all & ~0x2000)
        #expect(k[.vmxVMFunc] == ~0)
        #expect(!EVMCSEra.v5_6.filtersVCPUState)
    }

    @Test func era5_15FiltersPinBasedOnlyInTheNonTrueMSR() {
        let k = kept(.v5_15)
        #expect(k[.vmxPinBasedControls] == all & ~0xC0)
        #expect(k[.vmxTruePinBasedControls] == all, "TRUE_PINBASED was only added in 5.17")
        #expect(k[.vmxProcBasedControls2] == all & ~secondaryDenied)
        #expect(k[.vmxTrueExitControls] == all & ~0x1000)
        #expect(k[.vmxVMFunc] == ~1)
    }

    @Test func era5_17AddsTruePinAndPreemptionTimerSave() {
        let k = kept(.v5_17)
        #expect(k[.vmxPinBasedControls] == all & ~0xC0)
        #expect(k[.vmxTruePinBasedControls] == all & ~0xC0)
        #expect(k[.vmxTrueExitControls] == all & ~0x1000 & ~0x40_0000)
        #expect(k[.vmxTrueEntryControls] == all & ~0x2000)
        #expect(k[.vmxTrueProcBasedControls] == all)
    }

    @Test func era6_1GatesPerfGlobalCtrlOnHyperVCPUID() {
        let clear = kept(.v6_1, perf: false)
        #expect(clear[.vmxTrueExitControls] == all & ~0x1000 & ~0x40_0000)
        #expect(clear[.vmxTrueEntryControls] == all & ~0x2000)
        let set = kept(.v6_1, perf: true)
        #expect(set[.vmxTrueExitControls] == all & ~0x40_0000)
        #expect(set[.vmxTrueEntryControls] == all)
        #expect(set[.vmxProcBasedControls2] == all & ~secondaryDenied, "TSC scaling stays hidden")
        #expect(set[.vmxVMFunc] == ~1)
    }

    @Test func era6_3UsesAllowLists() {
        let clear = kept(.v6_3, perf: false)
        #expect(clear[.vmxPinBasedControls] == 0x3F)
        #expect(clear[.vmxTruePinBasedControls] == 0x3F)
        #expect(clear[.vmxTrueProcBasedControls] == 0xFFF9_FFFE)
        #expect(clear[.vmxProcBasedControls] == 0xFFF9_FFFE)
        #expect(clear[.vmxProcBasedControls2] == 0xC519_98FE)
        #expect(clear[.vmxTrueExitControls] == 0x03BF_FFFF & ~0x1000)
        #expect(clear[.vmxTrueEntryControls] == 0x0007_F3FF & ~0x2000)
        // `ctl_low &= 0` on the 64-bit VMFUNC MSR clears bits 31:0 only.
        #expect(clear[.vmxVMFunc] == 0xFFFF_FFFF_0000_0000)
        let set = kept(.v6_3, perf: true)
        #expect(set[.vmxTrueExitControls] == 0x03BF_FFFF)
        #expect(set[.vmxTrueEntryControls] == 0x0007_F3FF)
    }

    @Test(arguments: EVMCSEra.allCases)
    func neverTouchesNonControlMSRsOrMustBeOneBits(era: EVMCSEra) {
        var set = Self.everything
        set[.vmxTruePinBasedControls] = 0xFFFF_FFFF_FFFF_FFFF
        let filtered = EVMCSFilter(era: era, perfGlobalCtrl: false).apply(to: set)
        #expect(filtered[.vmxBasic] == ~0)
        #expect(filtered[.vmxMisc] == ~0)
        #expect(filtered[.vmxEPTVPIDCap] == ~0)
        #expect(filtered[.vmxTruePinBasedControls]! & 0xFFFF_FFFF == 0xFFFF_FFFF)
    }

    @Test func namesWhatEVMCSRemovesOnARealKVMProfile() throws {
        // KVM's nested view on Skylake: no PLE and no PERF_GLOBAL_CTRL controls offered to L1.
        let skylake = try Fixtures.msrs("cloudhv-profile-skylake")
        let removed = EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).removedFeatures(from: skylake).map(\.name)
        #expect(
            removed == [
                "vmx-preemption-timer", "vmx-posted-intr", "vmx-apicv-xapic", "vmx-apicv-register", "vmx-apicv-vid",
                "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-pml", "vmx-tsc-scaling", "vmx-exit-save-preemption-timer",
                "vmx-eptp-switching",
            ]
        )
        let older = EVMCSFilter(era: .v5_6, perfGlobalCtrl: false).removedFeatures(from: skylake).map(\.name)
        // This KVM offers no PERF_GLOBAL_CTRL load controls to L1, so only one control is lost.
        #expect(older == ["vmx-apicv-xapic"])
    }
}
