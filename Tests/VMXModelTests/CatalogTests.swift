import Testing

@testable import VMXModel

@Suite("Feature catalog")
struct CatalogTests {
    @Test func namesAreUnique() {
        let names = VMXCatalog.features.map(\.name)
        #expect(Set(names).count == names.count)
        let fields = VMXCatalog.fields.map(\.name)
        #expect(Set(fields).count == fields.count)
    }

    @Test func bitsAreUniqueWithinAGroup() {
        for group in VMXFeatureGroup.allCases {
            let bits = VMXCatalog.features(in: group).map(\.bit)
            #expect(Set(bits).count == bits.count, "duplicate bit in \(group)")
        }
    }

    @Test func labelsMatchQEMUWarnings() throws {
        let posted = try #require(VMXCatalog.feature(named: "vmx-posted-intr"))
        #expect(posted.label == "MSR(48DH).vmx-posted-intr [bit 7]")
        #expect(posted.msrBit == 39)
        let ept = try #require(VMXCatalog.feature(named: "vmx-ept"))
        #expect(ept.label == "MSR(48BH).vmx-ept [bit 1]")
        let execOnly = try #require(VMXCatalog.feature(named: "vmx-ept-execonly"))
        #expect(execOnly.label == "MSR(48CH).vmx-ept-execonly [bit 0]")
        #expect(execOnly.msrBit == 0)
    }

    /// Every `vmx-*` property of QEMU's feature_word_info (target/i386/cpu.c) is in the
    /// catalog at QEMU's bit, as a QEMU property.
    @Test(arguments: [
        ("vmx-intr-exit", VMXFeatureGroup.pinBased, 0), ("vmx-nmi-exit", .pinBased, 3), ("vmx-vnmi", .pinBased, 5),
        ("vmx-preemption-timer", .pinBased, 6), ("vmx-posted-intr", .pinBased, 7),
        ("vmx-vintr-pending", .primaryProcBased, 2), ("vmx-tsc-offset", .primaryProcBased, 3),
        ("vmx-hlt-exit", .primaryProcBased, 7), ("vmx-invlpg-exit", .primaryProcBased, 9),
        ("vmx-mwait-exit", .primaryProcBased, 10), ("vmx-rdpmc-exit", .primaryProcBased, 11),
        ("vmx-rdtsc-exit", .primaryProcBased, 12), ("vmx-cr3-load-noexit", .primaryProcBased, 15),
        ("vmx-cr3-store-noexit", .primaryProcBased, 16), ("vmx-cr8-load-exit", .primaryProcBased, 19),
        ("vmx-cr8-store-exit", .primaryProcBased, 20), ("vmx-flexpriority", .primaryProcBased, 21),
        ("vmx-vnmi-pending", .primaryProcBased, 22), ("vmx-movdr-exit", .primaryProcBased, 23),
        ("vmx-io-exit", .primaryProcBased, 24), ("vmx-io-bitmap", .primaryProcBased, 25),
        ("vmx-mtf", .primaryProcBased, 27), ("vmx-msr-bitmap", .primaryProcBased, 28),
        ("vmx-monitor-exit", .primaryProcBased, 29), ("vmx-pause-exit", .primaryProcBased, 30),
        ("vmx-secondary-ctls", .primaryProcBased, 31),
        ("vmx-apicv-xapic", .secondaryProcBased, 0), ("vmx-ept", .secondaryProcBased, 1),
        ("vmx-desc-exit", .secondaryProcBased, 2), ("vmx-rdtscp-exit", .secondaryProcBased, 3),
        ("vmx-apicv-x2apic", .secondaryProcBased, 4), ("vmx-vpid", .secondaryProcBased, 5),
        ("vmx-wbinvd-exit", .secondaryProcBased, 6), ("vmx-unrestricted-guest", .secondaryProcBased, 7),
        ("vmx-apicv-register", .secondaryProcBased, 8), ("vmx-apicv-vid", .secondaryProcBased, 9),
        ("vmx-ple", .secondaryProcBased, 10), ("vmx-rdrand-exit", .secondaryProcBased, 11),
        ("vmx-invpcid-exit", .secondaryProcBased, 12), ("vmx-vmfunc", .secondaryProcBased, 13),
        ("vmx-shadow-vmcs", .secondaryProcBased, 14), ("vmx-encls-exit", .secondaryProcBased, 15),
        ("vmx-rdseed-exit", .secondaryProcBased, 16), ("vmx-pml", .secondaryProcBased, 17),
        ("vmx-xsaves", .secondaryProcBased, 20), ("vmx-tsc-scaling", .secondaryProcBased, 25),
        ("vmx-enable-user-wait-pause", .secondaryProcBased, 26),
        ("vmx-exit-nosave-debugctl", .exit, 2), ("vmx-exit-load-perf-global-ctrl", .exit, 12),
        ("vmx-exit-ack-intr", .exit, 15), ("vmx-exit-save-pat", .exit, 18), ("vmx-exit-load-pat", .exit, 19),
        ("vmx-exit-save-efer", .exit, 20), ("vmx-exit-load-efer", .exit, 21),
        ("vmx-exit-save-preemption-timer", .exit, 22), ("vmx-exit-clear-bndcfgs", .exit, 23),
        ("vmx-exit-clear-rtit-ctl", .exit, 25), ("vmx-exit-load-pkrs", .exit, 29),
        ("vmx-entry-noload-debugctl", .entry, 2), ("vmx-entry-ia32e-mode", .entry, 9),
        ("vmx-entry-load-perf-global-ctrl", .entry, 13), ("vmx-entry-load-pat", .entry, 14),
        ("vmx-entry-load-efer", .entry, 15), ("vmx-entry-load-bndcfgs", .entry, 16),
        ("vmx-entry-load-rtit-ctl", .entry, 18), ("vmx-entry-load-pkrs", .entry, 22),
        ("vmx-store-lma", .misc, 5), ("vmx-activity-hlt", .misc, 6), ("vmx-activity-shutdown", .misc, 7),
        ("vmx-activity-wait-sipi", .misc, 8), ("vmx-vmwrite-vmexit-fields", .misc, 29),
        ("vmx-zero-len-inject", .misc, 30),
        ("vmx-ept-execonly", .eptVPID, 0), ("vmx-page-walk-4", .eptVPID, 6), ("vmx-page-walk-5", .eptVPID, 7),
        ("vmx-ept-2mb", .eptVPID, 16), ("vmx-ept-1gb", .eptVPID, 17), ("vmx-invept", .eptVPID, 20),
        ("vmx-eptad", .eptVPID, 21), ("vmx-ept-advanced-exitinfo", .eptVPID, 22),
        ("vmx-invept-single-context", .eptVPID, 25), ("vmx-invept-all-context", .eptVPID, 26),
        ("vmx-invvpid", .eptVPID, 32), ("vmx-invvpid-single-addr", .eptVPID, 40),
        ("vmx-invvpid-all-context", .eptVPID, 42), ("vmx-invept-single-context-noglobals", .eptVPID, 43),
        ("vmx-ins-outs", .basic, 54), ("vmx-true-ctls", .basic, 55), ("vmx-eptp-switching", .vmFunctions, 0),
    ])
    func containsQEMUProperty(name: String, group: VMXFeatureGroup, bit: Int) throws {
        let feature = try #require(VMXCatalog.feature(named: name))
        #expect(feature.group == group)
        #expect(feature.bit == bit)
        #expect(feature.isQEMUProperty)
    }

    @Test func qemuDuplicateNameForInvvpidSingleContextIsKept() throws {
        let bit41 = try #require(VMXCatalog.feature(in: .eptVPID, bit: 41))
        #expect(bit41.name == "vmx-invvpid-single-context")
        #expect(bit41.qemuProperty == "vmx-invept-single-context")
        #expect(!bit41.isQEMUProperty)
    }

    @Test func controlGroupsUseQEMUsMSRs() {
        #expect(VMXFeatureGroup.pinBased.msr == .vmxTruePinBasedControls)
        #expect(VMXFeatureGroup.pinBased.plainMSR == .vmxPinBasedControls)
        #expect(VMXFeatureGroup.secondaryProcBased.msr == .vmxProcBasedControls2)
        #expect(VMXFeatureGroup.secondaryProcBased.plainMSR == nil)
        #expect(VMXFeatureGroup.primaryProcBased.defaultOnes == 0x0401_E172)
        #expect(VMXFeatureGroup.exit.defaultOnes == 0x0003_6DFF)
    }

    @Test func fieldsExtractTheirBits() throws {
        let revision = try #require(VMXCatalog.field(named: "vmcs-revision"))
        #expect(revision.value(in: 0x00d8_1000_11e5_7ed0) == 0x11e5_7ed0)
        let size = try #require(VMXCatalog.field(named: "vmcs-size"))
        #expect(size.value(in: 0x00d8_1000_11e5_7ed0) == 0x1000)
        let maxMSR = try #require(VMXCatalog.field(named: "max-msr-list"))
        #expect(maxMSR.display(maxMSR.value(in: 0x7004_c1e7)) == "512")
        let mseg = try #require(VMXCatalog.field(named: "mseg-revision"))
        #expect(mseg.value(in: 0x1234_5678_0000_0000) == 0x1234_5678)
    }
}
