import CKVM
import Testing

@testable import KVMProbe

extension RealKVMTests {
    @Suite struct KVMSystemTests {
        /// Capabilities the probe layer and its users care about (numbers from the kernel header).
        static let capabilities: [Int32] = [
            KVM_CAP_HYPERV, KVM_CAP_HYPERV_ENLIGHTENED_VMCS, KVM_CAP_HYPERV_CPUID, KVM_CAP_SYS_HYPERV_CPUID,
            KVM_CAP_NESTED_STATE, KVM_CAP_EXCEPTION_PAYLOAD, KVM_CAP_GET_MSR_FEATURES,
            KVM_CAP_HYPERV_DIRECT_TLBFLUSH, KVM_CAP_HYPERV_ENFORCE_CPUID, KVM_CAP_X86_USER_SPACE_MSR,
            KVM_CAP_MAX_VCPUS, KVM_CAP_NR_VCPUS, KVM_CAP_NR_MEMSLOTS, KVM_CAP_USER_MEMORY, KVM_CAP_EXT_CPUID,
        ]

        @Test func apiVersionIs12() throws {
            #expect(try KVMSystem().apiVersion() == 12)
        }

        @Test func checkExtensionMatchesAnIndependentCProgram() throws {
            let system = try KVMSystem()
            let independent = try IndependentCapabilityReader.read(Self.capabilities)
            for capability in Self.capabilities {
                let ours = try system.checkExtension(capability)
                #expect(ours == independent[capability], "KVM_CHECK_EXTENSION(\(capability))")
            }
        }

        @Test func openingAMissingDeviceThrowsENOENT() {
            #expect {
                try KVMSystem(devicePath: "/nonexistent-dir/kvm")
            } throws: { error in
                let error = try #require(error as? ProbeError)
                return error.code == .systemCall && error.errnoName == "ENOENT"
                    && error.operation == "open /nonexistent-dir/kvm"
            }
        }

        @Test func featureMSRListHasValuesForEveryIndex() throws {
            let system = try KVMSystem()
            let indices = try system.msrFeatureIndexList()
            #expect(!indices.isEmpty)
            let readings = try system.featureMSRs(indices)
            #expect(readings.map(\.index) == indices)
            #expect(readings.allSatisfy { $0.outcome != .refused })
        }

        @Test(.enabled(if: TestHost.isAMD, "VMX feature MSRs are absent by construction only on AMD"))
        func featureMSRListHasNoVMXMSRsOnAMD() throws {
            let indices = try KVMSystem().msrFeatureIndexList()
            #expect(indices.filter { (0x480...0x491).contains($0) } == [])
        }

        @Test func systemMSRReadContinuesAfterARefusedIndex() throws {
            let system = try KVMSystem()
            let features = try system.msrFeatureIndexList()
            let first = try #require(features.first)
            let last = try #require(features.last)
            let readings = try system.featureMSRs([first, 0xDEAD_BEEF, last])
            #expect(readings.map(\.index) == [first, 0xDEAD_BEEF, last])
            #expect(readings[0].outcome.value != nil)
            #expect(readings[1].outcome == .refused)
            #expect(readings[2].outcome.value != nil)
        }

        @Test func supportedCPUIDContainsTheBasicLeaf() throws {
            let entries = try KVMSystem().supportedCPUID()
            let leaf0 = try #require(entries.first { $0.function == 0 })
            #expect(leaf0.eax >= 1)
        }

        @Test func systemHyperVCPUIDFollowsItsCapability() throws {
            let system = try KVMSystem()
            if try system.checkExtension(KVMCapability.sysHyperVCPUID) > 0 {
                let leaves = try system.supportedHyperVCPUID()
                #expect(leaves.contains { $0.function == 0x4000_000A })
            } else {
                // Without the capability the kernel does not know the system ioctl.
                #expect(throws: ProbeError.self) { try system.supportedHyperVCPUID() }
            }
        }
    }
}
