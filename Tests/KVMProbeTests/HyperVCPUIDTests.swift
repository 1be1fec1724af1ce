import Testing

@testable import KVMProbe

@Suite struct HyperVCPUIDTests {
    /// A supported-CPUID excerpt with KVM's own paravirtual leaves ("KVMKVMKVM").
    static let supported: [CPUIDEntry] = [
        CPUIDEntry(function: 0, eax: 0x1C, ebx: 0x6874_7541),
        CPUIDEntry(function: 1, eax: 0xA1_0F11, ecx: 0x8120_2000),
        CPUIDEntry(function: 0x4000_0000, eax: 0x4000_0001, ebx: 0x4B4D_564B, ecx: 0x564B_4D56, edx: 0x4D),
        CPUIDEntry(function: 0x4000_0001, eax: 0x0100_7EFB),
        CPUIDEntry(function: 0x4000_00FF, eax: 1),
        CPUIDEntry(function: 0x4000_0100, eax: 2),
        CPUIDEntry(function: 0x8000_0000, eax: 0x8000_0021),
    ]

    private func leaf(_ function: UInt32, in entries: [CPUIDEntry]) throws -> CPUIDEntry {
        let matches = entries.filter { $0.function == function }
        try #require(matches.count == 1, "exactly one leaf \(hex(function))")
        return matches[0]
    }

    private func ascii(_ registers: [UInt32]) -> String {
        String(decoding: registers.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }, as: UTF8.self)
    }

    @Test func dropsKVMLeavesAndKeepsEverythingElseInOrder() {
        let entries = HyperVCPUID.entries(supported: Self.supported, evmcsVersionRange: 0x0101, perfGlobalCtrl: false)
        let kept = entries.filter { !HyperVCPUID.hypervisorLeaves.contains($0.function) }
        #expect(kept == Self.supported.filter { ![0x4000_0000, 0x4000_0001, 0x4000_00FF].contains($0.function) })
        #expect(!entries.contains { $0.ebx == 0x4B4D_564B })  // "KVMK" signature gone
        #expect(kept.contains { $0.function == 0x4000_0100 })  // just outside the replaced range
    }

    @Test func addsLeaves40000000Through4000000AOnce() {
        let entries = HyperVCPUID.entries(supported: Self.supported, evmcsVersionRange: 0x0101, perfGlobalCtrl: false)
        let hyperV = entries.map(\.function).filter { HyperVCPUID.hypervisorLeaves.contains($0) }
        #expect(hyperV == Array(0x4000_0000...0x4000_000A))
    }

    @Test func vendorAndInterfaceSignatures() throws {
        let entries = HyperVCPUID.leaves(evmcsVersionRange: 0x0101, perfGlobalCtrl: false)
        let vendor = try leaf(0x4000_0000, in: entries)
        #expect(vendor.eax == 0x4000_000A)
        #expect(ascii([vendor.ebx, vendor.ecx, vendor.edx]) == "Microsoft Hv")
        let interface = try leaf(0x4000_0001, in: entries)
        #expect(interface.eax == 0x3123_7648)
        #expect(ascii([interface.eax]) == "Hv#1")
    }

    @Test func featureAndRecommendationLeavesMatchQEMUsVapicAndEvmcs() throws {
        let entries = HyperVCPUID.leaves(evmcsVersionRange: 0x0101, perfGlobalCtrl: false)
        let features = try leaf(0x4000_0003, in: entries)
        #expect(features.eax == (1 << 5 | 1 << 4))  // hypercalls, APIC access MSRs
        #expect(features.edx == 1 << 3)  // dynamic partitioning
        let recommendations = try leaf(0x4000_0004, in: entries)
        #expect(recommendations.eax & (1 << 14) != 0)  // ENLIGHTENED_VMCS_RECOMMENDED
        #expect(recommendations.eax & (1 << 3) != 0)  // APIC_ACCESS_RECOMMENDED
        #expect(recommendations.ebx == 0xFFFF_FFFF)  // never notify about spinlocks
        let version = try leaf(0x4000_0002, in: entries)
        #expect(version.eax == 0x3839 && version.ebx == 0x000A_0000)
    }

    @Test func leaves40000006Through40000009AreZero() throws {
        let entries = HyperVCPUID.leaves(evmcsVersionRange: 0x0101, perfGlobalCtrl: true)
        for function in UInt32(0x4000_0006)...0x4000_0009 {
            #expect(try leaf(function, in: entries) == CPUIDEntry(function: function))
        }
    }

    @Test(arguments: [(UInt16(0x0101), false), (0x0201, true), (0, false)])
    func nestedFeaturesCarryVersionRangeMSRBitmapAndPerfGlobalCtrl(range: UInt16, perfGlobalCtrl: Bool) throws {
        let nested = try leaf(
            0x4000_000A,
            in: HyperVCPUID.leaves(evmcsVersionRange: range, perfGlobalCtrl: perfGlobalCtrl)
        )
        #expect(nested.eax & 0xFFFF == UInt32(range))
        #expect(nested.eax & (1 << 19) != 0)
        #expect(nested.eax & ~(0xFFFF | 1 << 19) == 0)
        #expect(nested.ebx == (perfGlobalCtrl ? 1 : 0))
        #expect(nested.ecx == 0 && nested.edx == 0)
    }
}
