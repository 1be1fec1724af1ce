import Testing

@testable import VMXModel

/// The audit's smaller findings (Docs/compatibility.md §1): each rule with a passing and a failing case.
@Suite struct KernelLimitRulesTests {
    static func vmx() throws -> VMXMSRSet { try Fixtures.msrs("cloudhv-profile-skylake") }

    /// A VM started on a 6.8 host (unfiltered vCPU values, as QEMU saves them on 5.6+).
    static func vm() throws -> VMRequirements {
        VMRequirements(startedOn: Fixtures.host("src", kernel: "6.8.0", vmx: try vmx()), evmcs: true)
    }

    @Test func patched5_4RestoresAgainstHostValuesWithoutTheRestoreOrderFailure() throws {
        let target = Fixtures.host("5.4.211", kernel: "5.4.211", vmx: try Self.vmx())
        let verdict = CompatibilityChecker.check(try Self.vm(), on: target)
        #expect(!verdict.warnings.contains { $0.code == "era-restore-order" })
        #expect(verdict.compatible, "\(verdict.reasons.map(\.message))")
        #expect(verdict.context.targetEra == .v5_4_180)
    }

    @Test func unpatched5_4FailsTheRestoreOfFilteredControls() throws {
        let target = Fixtures.host("5.4.210", kernel: "5.4.210", vmx: try Self.vmx())
        let verdict = CompatibilityChecker.check(try Self.vm(), on: target)
        let warning = try #require(verdict.warnings.first { $0.code == "era-restore-order" })
        #expect(!warning.message.contains("sublevel is unknown"))
        #expect(!verdict.compatible)
        #expect(verdict.reasons.contains { $0.code == .featureMissing && $0.feature == "vmx-posted-intr" })
        // 5.4.180+ also clears VM-exit save-preemption-timer (bit 22) at enable time.
        #expect(verdict.reasons.contains { $0.feature == "vmx-exit-save-preemption-timer" })
        let older = CompatibilityChecker.check(try Self.vm(), on: Fixtures.host("5.4.179", kernel: "5.4.179", vmx: try Self.vmx()))
        #expect(!older.reasons.contains { $0.feature == "vmx-exit-save-preemption-timer" })
    }

    @Test func a5_4KernelOfUnknownSublevelKeepsTheHazardAndSaysWhy() throws {
        let target = Fixtures.host("ubuntu-20.04", kernel: "5.4.0-150-generic", vmx: try Self.vmx())
        let verdict = CompatibilityChecker.check(try Self.vm(), on: target)
        let warning = try #require(verdict.warnings.first { $0.code == "era-restore-order" })
        #expect(warning.message.contains("5.4.211") && warning.message.contains("sublevel is unknown"))
        #expect(verdict.warnings.contains { $0.code == "target-era-ambiguous" })
        #expect(!verdict.compatible)
    }

    @Test func vmfuncIsNotRestorableBefore5_3() throws {
        var vm = try Self.vm()
        vm.evmcs.enabled = false
        #expect(vm.vmx[.vmxVMFunc] != nil)
        let old = CompatibilityChecker.check(vm, on: Fixtures.host("5.2", kernel: "5.2.21", vmx: try Self.vmx()))
        let reason = try #require(old.reasons.first { $0.code == .msrNotRestorable })
        #expect(reason.msr == "0x491" && reason.have == "not restorable before 5.3")
        let new = CompatibilityChecker.check(vm, on: Fixtures.host("5.3", kernel: "5.3.18", vmx: try Self.vmx()))
        #expect(!new.reasons.contains { $0.code == .msrNotRestorable })
        vm.vmx[.vmxVMFunc] = nil
        #expect(!CompatibilityChecker.check(vm, on: Fixtures.host("5.2", kernel: "5.2.21", vmx: try Self.vmx())).reasons
            .contains { $0.code == .msrNotRestorable })
    }

    @Test func aNonZeroExitControls2IsNotRestorable() throws {
        var vm = try Self.vm()
        vm.evmcs.enabled = false
        let target = Fixtures.host("t", kernel: "6.8.0", vmx: try Self.vmx())
        vm.vmx[.vmxExitControls2] = 0
        #expect(CompatibilityChecker.check(vm, on: target).compatible)
        vm.vmx[.vmxExitControls2] = 0x3
        let verdict = CompatibilityChecker.check(vm, on: target)
        let reason = try #require(verdict.reasons.first)
        #expect(reason.code == .msrNotRestorable && reason.msr == "0x493" && reason.have == "not emulated")
        #expect(verdict.level == .incompatible)
    }

    @Test func the6_3VMFuncFilterLeavesTheHighHalf() {
        let filter = EVMCSFilter(era: .v6_3, perfGlobalCtrl: false)
        #expect(filter.removedBits(of: .vmxVMFunc) == 0xFFFF_FFFF)
        var set = VMXMSRSet()
        set[.vmxVMFunc] = 0x1_0000_0001
        #expect(filter.apply(to: set)[.vmxVMFunc] == 0x1_0000_0000)
        #expect(EVMCSFilter(era: .v6_1, perfGlobalCtrl: false).apply(to: set)[.vmxVMFunc] == 0x1_0000_0000)
    }
}
