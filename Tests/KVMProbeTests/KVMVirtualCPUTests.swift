import Testing

@testable import KVMProbe

extension RealKVMTests {
    @Suite struct KVMVirtualCPUTests {
        private func makeVCPU() throws -> KVMVirtualCPU {
            try KVMSystem().createVM().createVCPU(id: 0)
        }

        @Test func vcpuMSRReadContinuesAfterARefusedIndex() throws {
            let readings = try makeVCPU().getMSRs([0x277, 0xDEAD_BEEF, 0x1A0])
            #expect(readings.map(\.index) == [0x277, 0xDEAD_BEEF, 0x1A0])
            #expect(readings[0].outcome.value != nil)
            #expect(readings[1].outcome == .refused)
            #expect(readings[2].outcome.value != nil)
        }

        @Test func setMSRsWritesValidEntriesAndReportsRefusedOnes() throws {
            let vcpu = try makeVCPU()
            // A valid PAT different from the reset value 0x0007040600070406 (memory types 0,1,4,5,6,7 only).
            let pat: UInt64 = 0x0006_0406_0007_0406
            let refused = try vcpu.setMSRs([MSRValue(index: 0xDEAD_BEEF, value: 1), MSRValue(index: 0x277, value: pat)])
            #expect(refused == [0xDEAD_BEEF])
            #expect(try vcpu.getMSRs([0x277]).outcome(of: 0x277) == .value(pat))
        }

        @Test func registersRoundTrip() throws {
            let vcpu = try makeVCPU()
            var general = GeneralRegisters()
            general.rip = 0x1234
            general.rax = 0xAABB_CCDD
            general.r15 = 42
            try vcpu.setRegisters(general)
            #expect(try vcpu.registers() == general)

            var special = try vcpu.specialRegisters()
            special.cs.selector = 0
            special.cs.base = 0
            special.ds.base = 0x100
            try vcpu.setSpecialRegisters(special)
            let readBack = try vcpu.specialRegisters()
            #expect(readBack.cs.selector == 0)
            #expect(readBack.cs.base == 0)
            #expect(readBack.ds.base == 0x100)
        }

        @Test func specialRegistersRejectAMalformedInterruptBitmap() throws {
            let vcpu = try makeVCPU()
            var special = try vcpu.specialRegisters()
            special.interruptBitmap = [0]
            #expect {
                try vcpu.setSpecialRegisters(special)
            } throws: { error in
                (error as? ProbeError)?.code == .invalidArgument
            }
        }

        @Test(.enabled(if: !TestHost.kvmIntelLoaded, "kvm_intel enables eVMCS; the success path is tested separately"))
        func enablingEnlightenedVMCSFailsWithTheKernelsErrno() throws {
            let system = try KVMSystem()
            // SVM and PVM have no eVMCS: x86.c returns ENOTTY. Kernels built without Hyper-V emulation
            // (CONFIG_KVM_HYPERV=n, 6.8+, KVM_CAP_HYPERV = 0) do not know the capability: EINVAL.
            let expected = try system.checkExtension(KVMCapability.hyperV) == 0 ? "EINVAL" : "ENOTTY"
            let vcpu = try system.createVM().createVCPU(id: 0)
            #expect {
                try vcpu.enableEnlightenedVMCS()
            } throws: { error in
                let error = try #require(error as? ProbeError)
                return error.operation == "KVM_ENABLE_CAP" && error.errnoName == expected
            }
        }

        @Test(.enabled(if: TestHost.kvmIntelLoaded, "eVMCS exists only where KVM runs on VMX (kvm_intel)"))
        func enablingEnlightenedVMCSReportsAVersionRangeWithKVMIntel() throws {
            let system = try KVMSystem()
            try #require(try system.checkExtension(KVMCapability.hyperVEnlightenedVMCS) > 0)
            let range = try system.createVM().createVCPU(id: 0).enableEnlightenedVMCS()
            // 0x0101 on every kernel so far; 0 when nested VMX is unavailable (kvm_intel nested=0).
            #expect(range == 0 || range & 0xFF <= range >> 8)
        }

        @Test func vcpuHyperVCPUIDFollowsItsCapability() throws {
            let system = try KVMSystem()
            let vcpu = try system.createVM().createVCPU(id: 0)
            if try system.checkExtension(KVMCapability.hyperVCPUID) > 0 {
                #expect(try vcpu.supportedHyperVCPUID().contains { $0.function == 0x4000_0001 })
            } else {
                #expect(throws: ProbeError.self) { try vcpu.supportedHyperVCPUID() }
            }
        }
    }
}
