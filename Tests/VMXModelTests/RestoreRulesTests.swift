import Testing

@testable import VMXModel

/// One passing and one failing case per rule of `vmx_set_vmx_msr()` (arch/x86/kvm/vmx/nested.c; Docs/compatibility.md §1).
@Suite("KVM restore rules")
struct RestoreRulesTests {
    /// KVM-like reference: revision 0x11e57ed0, 4 KiB VMCS, TRUE_CTLS and INS/OUTS.
    let basic: UInt64 = 0x00d8_1000_11e5_7ed0

    func evaluate(_ need: [MSRIndex: UInt64], _ have: [MSRIndex: UInt64]) -> Assessment {
        var assessment = Assessment()
        RestoreRules.evaluate(VMXMSRSet(need), against: VMXMSRSet(have), into: &assessment)
        return assessment
    }

    func codes(_ a: Assessment) -> [ReasonCode] { a.reasons.map(\.code) }

    // MARK: BASIC

    @Test func basicEqualPasses() {
        let a = evaluate([.vmxBasic: basic], [.vmxBasic: basic])
        #expect(a.reasons.isEmpty)
        #expect(a.level == .identical)
    }

    @Test func basicMayClearFeaturesAndGrowTheRegion() {
        let fewer = (basic & ~(1 << 54) & ~(0x1FFF << 32)) | (0x1800 << 32)
        let a = evaluate([.vmxBasic: fewer], [.vmxBasic: basic])
        #expect(a.reasons.isEmpty)
        #expect(a.level == .superset)
    }

    @Test func basicRevisionMustBeEqual() throws {
        let a = evaluate([.vmxBasic: basic & ~0x7FFF_FFFF | 0x4], [.vmxBasic: basic])
        let reason = try #require(a.reasons.first)
        #expect(codes(a) == [.fieldMismatch])
        #expect(reason.field == "vmcs-revision")
        #expect(reason.need == "0x4")
        #expect(reason.have == "0x11e57ed0")
        #expect(a.level == .incompatible)
    }

    @Test func basicRegionMayNotShrink() throws {
        let smaller = (basic & ~(0x1FFF << 32)) | (0x400 << 32)
        let a = evaluate([.vmxBasic: smaller], [.vmxBasic: basic])
        #expect(codes(a) == [.fieldTooSmall])
        #expect(a.reasons.first?.need == "1024")
        #expect(a.reasons.first?.have == "4096")
    }

    @Test func basicFeatureBitsAreASubset() throws {
        let a = evaluate([.vmxBasic: basic | 1 << 49], [.vmxBasic: basic])
        let reason = try #require(a.reasons.first)
        #expect(reason.code == .featureMissing)
        #expect(reason.feature == "vmx-dual-monitor")
        #expect(reason.bit == 49)
        #expect(a.level == .subset)
    }

    @Test func basicBit48IsNeverAccepted() {
        let a = evaluate([.vmxBasic: basic | 1 << 48], [.vmxBasic: basic | 1 << 48])
        #expect(codes(a) == [.reservedBit])
    }

    // MARK: control MSRs

    @Test func controlsMayBeASubset() {
        let a = evaluate(
            [.vmxTruePinBasedControls: 0x0000_003f_0000_0016],
            [.vmxTruePinBasedControls: 0x0000_00ff_0000_0016]
        )
        #expect(a.reasons.isEmpty)
        #expect(a.level == .superset)
    }

    @Test func allowedOneBitsMustBeAvailable() throws {
        let a = evaluate(
            [.vmxTruePinBasedControls: 0x0000_00ff_0000_0016],
            [.vmxTruePinBasedControls: 0x0000_007f_0000_0016]
        )
        let reason = try #require(a.reasons.first)
        #expect(codes(a) == [.featureMissing])
        #expect(reason.label == "MSR(48DH).vmx-posted-intr [bit 7]")
        #expect(reason.msr == "0x48d")
        #expect(reason.need == "1")
        #expect(reason.have == "0")
        #expect(a.level == .subset)
    }

    @Test func targetMustBeOneBitsMustStayMustBeOne() throws {
        // The target forces NMI exiting (bit 3); the VM's value lets it be 0.
        let a = evaluate(
            [.vmxTruePinBasedControls: 0x0000_00ff_0000_0016],
            [.vmxTruePinBasedControls: 0x0000_00ff_0000_001e]
        )
        let reason = try #require(a.reasons.first)
        #expect(reason.code == .controlForced)
        #expect(reason.feature == "vmx-nmi-exit")
    }

    @Test func extraMustBeOneBitsInTheVMAreFine() {
        let a = evaluate(
            [.vmxTrueProcBasedControls: 0xfff9_fffe_0400_6172 | 0x80],
            [.vmxTrueProcBasedControls: 0xfff9_fffe_0400_6172]
        )
        #expect(a.reasons.isEmpty)
        #expect(a.level == .superset)
    }

    @Test func nonTrueOnlyValuesCompareWithDefaultOnes() {
        // The VM carries only the non-TRUE MSR (default1 bits forced), the target only the TRUE one.
        let a = evaluate(
            [.vmxProcBasedControls: 0xfff9_fffe_0401_e172],
            [.vmxTrueProcBasedControls: 0xfff9_fffe_0400_6172]
        )
        #expect(a.reasons.isEmpty)
    }

    @Test func nonTrueOnlyValuesStillFailOnAMissingControl() {
        // The VM's non-TRUE MSR allows CR8-load exiting (bit 19); the target's TRUE MSR does not.
        let a = evaluate(
            [.vmxProcBasedControls: 0xfff9_fffe_0401_e172],
            [.vmxTrueProcBasedControls: 0xfff1_fffe_0400_6172]
        )
        #expect(codes(a) == [.featureMissing])
        #expect(a.reasons.first?.feature == "vmx-cr8-load-exit")
    }

    @Test func theTRUEMSRIsComparedWhenBothAreThere() {
        // KVM restores only the TRUE MSR: a non-TRUE value that would fail is not looked at.
        let a = evaluate(
            [.vmxTrueProcBasedControls: 0xfff9_fffe_0400_6172, .vmxProcBasedControls: 0xffff_fffe_0401_e172],
            [.vmxTrueProcBasedControls: 0xfff9_fffe_0400_6172]
        )
        #expect(a.reasons.isEmpty)
    }

    @Test func secondaryControlsFollowTheSameRule() throws {
        let pass = evaluate(
            [.vmxProcBasedControls2: 0x0000_00ff_0000_0000],
            [.vmxProcBasedControls2: 0x0002_00ff_0000_0000]
        )
        #expect(pass.reasons.isEmpty)
        let fail = evaluate(
            [.vmxProcBasedControls2: 0x0002_00ff_0000_0000],
            [.vmxProcBasedControls2: 0x0000_00ff_0000_0000]
        )
        #expect(fail.reasons.map(\.feature) == ["vmx-pml"])
    }

    @Test(arguments: [MSRIndex.vmxTrueExitControls, .vmxTrueEntryControls, .vmxTrueProcBasedControls])
    func everyTrueControlMSRIsChecked(index: MSRIndex) {
        let a = evaluate([index: 0x0000_1000_0000_0000 | 0xff], [index: 0xff])
        #expect(codes(a) == [.featureMissing])
        #expect(a.reasons.first?.msr == index.hex)
    }

    // MARK: MISC

    let misc: UInt64 = 0x0000_0000_2000_01e5  // rate 5, activity states, vmwrite-vmexit-fields, no CR3 targets
    let pinWithTimer: UInt64 = 0x0000_007f_0000_0016
    let pinWithoutTimer: UInt64 = 0x0000_003f_0000_0016

    @Test func miscSubsetPasses() {
        let a = evaluate([.vmxMisc: misc & ~(1 << 29)], [.vmxMisc: misc])
        #expect(a.reasons.isEmpty)
        #expect(a.level == .superset)
    }

    @Test func miscFeatureBitsAreASubset() {
        let a = evaluate([.vmxMisc: misc | 1 << 30], [.vmxMisc: misc])
        #expect(a.reasons.map(\.feature) == ["vmx-zero-len-inject"])
    }

    @Test func timerRateMustMatchWhenThePreemptionTimerIsAllowed() {
        let fail = evaluate(
            [.vmxMisc: misc & ~0x1F | 7, .vmxTruePinBasedControls: pinWithTimer],
            [.vmxMisc: misc, .vmxTruePinBasedControls: pinWithTimer]
        )
        #expect(fail.reasons.map(\.field) == ["preemption-timer-rate"])
        let pass = evaluate(
            [.vmxMisc: misc & ~0x1F | 7, .vmxTruePinBasedControls: pinWithoutTimer],
            [.vmxMisc: misc, .vmxTruePinBasedControls: pinWithTimer]
        )
        #expect(pass.reasons.isEmpty)
    }

    @Test func countsMayNotExceedTheTargets() {
        let cr3 = evaluate([.vmxMisc: misc | 4 << 16], [.vmxMisc: misc])
        #expect(cr3.reasons.map(\.code) == [.fieldTooLarge])
        #expect(cr3.reasons.first?.field == "cr3-target-count")
        let msrList = evaluate([.vmxMisc: misc | 1 << 25], [.vmxMisc: misc])
        #expect(msrList.reasons.first?.field == "max-msr-list")
        #expect(msrList.reasons.first?.need == "1024")
        let fewer = evaluate([.vmxMisc: misc], [.vmxMisc: misc | 4 << 16])
        #expect(fewer.reasons.isEmpty)
    }

    @Test func msegRevisionMustBeEqual() {
        let a = evaluate([.vmxMisc: misc | 1 << 32], [.vmxMisc: misc])
        #expect(a.reasons.map(\.field) == ["mseg-revision"])
    }

    // MARK: CR0/CR4 FIXED0, VMCS_ENUM, non-restorable MSRs

    @Test(arguments: [MSRIndex.vmxCR0Fixed0, .vmxCR4Fixed0])
    func fixed0MustKeepTheTargetsOnes(index: MSRIndex) throws {
        let pass = evaluate([index: 0x8000_0031], [index: 0x8000_0021])
        #expect(pass.reasons.isEmpty)
        let fail = evaluate([index: 0x8000_0001], [index: 0x8000_0021])
        let reason = try #require(fail.reasons.first)
        #expect(reason.code == .fixedBitRequired)
        #expect(reason.bit == 5)
    }

    @Test func vmcsEnumAcceptsAnyValue() {
        let a = evaluate([.vmxVMCSEnum: 0x3e], [.vmxVMCSEnum: 0x2e])
        #expect(a.reasons.isEmpty)
    }

    @Test func nonRestorableMSRsAreIgnored() {
        let a = evaluate([.vmxCR0Fixed1: 0xffff_ffff, .vmxCR4Fixed1: 0x3767ff], [.vmxCR0Fixed1: 0, .vmxCR4Fixed1: 0])
        #expect(a.reasons.isEmpty)
    }

    // MARK: EPT/VPID, VMFUNC, tertiary, missing MSRs

    @Test func eptCapabilitiesAreASubset() throws {
        #expect(evaluate([.vmxEPTVPIDCap: 0xf0106114141], [.vmxEPTVPIDCap: 0xf0106334141]).reasons.isEmpty)
        let fail = evaluate([.vmxEPTVPIDCap: 0xf0106734141], [.vmxEPTVPIDCap: 0xf0106334141])
        #expect(fail.reasons.map(\.feature) == ["vmx-ept-advanced-exitinfo"])
        #expect(fail.reasons.first?.label == "MSR(48CH).vmx-ept-advanced-exitinfo [bit 22]")
    }

    @Test func vmFunctionsAreASubset() {
        #expect(evaluate([.vmxVMFunc: 0], [.vmxVMFunc: 1]).reasons.isEmpty)
        #expect(evaluate([.vmxVMFunc: 1], [.vmxVMFunc: 0]).reasons.map(\.feature) == ["vmx-eptp-switching"])
    }

    @Test func tertiaryControlsAreNotRestorable() {
        let a = evaluate([.vmxProcBasedControls3: 0x10], [.vmxBasic: basic])
        #expect(codes(a) == [.msrNotRestorable])
        #expect(evaluate([.vmxProcBasedControls3: 0], [.vmxBasic: basic]).reasons.isEmpty)
    }

    @Test func missingTargetValuesAreNotReportedNotZero() {
        let a = evaluate([.vmxMisc: misc, .vmxVMFunc: 0], [.vmxBasic: basic])
        #expect(codes(a) == [.msrNotReported], "a VMFUNC requirement of 0 holds without a value")
        #expect(a.reasons.first?.msr == "0x485")
        #expect(a.level == .incompatible)
    }
}
