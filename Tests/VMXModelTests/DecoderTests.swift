import Testing

@testable import VMXModel

@Suite("vmxcap-style decoding")
struct DecoderTests {
    @Test(arguments: Fixtures.dumpNames)
    func decodesEveryFixture(name: String) throws {
        let set = try Fixtures.msrs(name)
        let decoded = VMXDecoder.decode(set)
        #expect(decoded.features.count == VMXCatalog.features.count)
        for feature in decoded.features {
            let group = try #require(VMXFeatureGroup(rawValue: feature.group.rawValue))
            let reported = set[group.msr] != nil || group.plainMSR.map { set[$0] != nil } == true
            #expect((feature.state == .notReported) == !reported, "\(name) \(feature.name)")
        }
        for field in decoded.fields {
            #expect((field.value == nil) == (set[MSRIndex(hex: field.msr)!] == nil))
        }
    }

    @Test func skylakeUsesTrueMSRsForDefaultControls() throws {
        let decoded = VMXDecoder.decode(try Fixtures.msrs("vmxcaps-6500"))
        // CR3-load exiting: the plain MSR forces it, the TRUE MSR allows 0 → "default".
        #expect(decoded.feature("vmx-cr3-load-noexit")?.state == .default)
        #expect(decoded.feature("vmx-cr3-store-noexit")?.state == .default)
        #expect(decoded.feature("vmx-hlt-exit")?.state == .yes)
        #expect(decoded.feature("vmx-activate-tertiary-ctls")?.state == .no)
        #expect(decoded.feature("vmx-preemption-timer")?.state == .yes)
        #expect(decoded.feature("vmx-posted-intr")?.state == .no)
        #expect(decoded.feature("vmx-ept")?.state == .yes)
        #expect(decoded.feature("vmx-pml")?.state == .yes)
        #expect(decoded.feature("vmx-tsc-scaling")?.state == .no)
        #expect(decoded.feature("vmx-true-ctls")?.state == .yes)
        #expect(decoded.feature("vmx-eptp-switching")?.state == .notReported, "the dump has no 0x491")
        let fields = Dictionary(uniqueKeysWithValues: decoded.fields.map { ($0.name, $0.value) })
        #expect(fields["vmcs-revision"] == "0x4")
        #expect(fields["vmcs-size"] == "1024")
        #expect(fields["vmcs-memory-type"] == "6")
        #expect(fields["cr3-target-count"] == "4")
        #expect(fields["max-msr-list"] == "512")
        #expect(fields["preemption-timer-rate"] == "7")
    }

    @Test func derivesPlainControlsWhenOnlyTrueOnesAreReported() throws {
        // Cloud Hypervisor's KVM profile has 0x48D but not 0x481, and no MISC.
        let decoded = VMXDecoder.decode(try Fixtures.msrs("cloudhv-profile-skylake"))
        #expect(decoded.feature("vmx-posted-intr")?.state == .yes)
        #expect(decoded.feature("vmx-intr-exit")?.state == .yes)
        #expect(decoded.feature("vmx-activity-hlt")?.state == .notReported)
        #expect(decoded.feature("vmx-eptp-switching")?.state == .yes)
        #expect(decoded.fields.first { $0.name == "vmcs-revision" }?.value == "0x11e57ed0")
    }

    @Test func plainOnlyDumpsHaveNoDefaultState() throws {
        let decoded = VMXDecoder.decode(try Fixtures.msrs("gcp-nested-kvm-l1-a"))
        #expect(decoded.feature("vmx-posted-intr")?.state == .no)
        #expect(decoded.feature("vmx-preemption-timer")?.state == .no)
        #expect(decoded.feature("vmx-mtf")?.state == .no)
        #expect(decoded.feature("vmx-cr3-load-noexit")?.state == .forced)
        #expect(decoded.features.allSatisfy { $0.state != .default })
    }

    @Test func unusualMustBeOneBitsAreForced() throws {
        let decoded = VMXDecoder.decode(try Fixtures.msrs("vmware-fusion-intel-mac-l1-a"))
        #expect(decoded.feature("vmx-intr-exit")?.state == .forced)
        #expect(decoded.feature("vmx-nmi-exit")?.state == .forced)
        #expect(decoded.feature("vmx-vnmi")?.state == .forced)
        #expect(decoded.feature("vmx-msr-bitmap")?.state == .forced)
        #expect(decoded.feature("vmx-secondary-ctls")?.state == .forced)
    }

    @Test func contradictoryControlIsInvalid() {
        let set = VMXMSRSet([.vmxProcBasedControls2: 0x0000_0000_0000_0001])
        #expect(VMXDecoder.state(of: VMXCatalog.feature(named: "vmx-apicv-xapic")!, in: set) == .invalid)
    }
}
