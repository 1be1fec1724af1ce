import Testing

@testable import KVMProbe

extension RealKVMTests {
    @Suite struct ResourceLeakTests {
        /// One full cycle: open /dev/kvm, create a VM and a vCPU, run the RDMSR guest, release everything.
        private func cycle() throws {
            let readout = try GuestMSRReader.read(
                indices: [0x277, 0xDEAD_BEEF],
                on: KVMSystem(),
                cpuid: nil,
                enableEnlightenedVMCS: true
            )
            #expect(readout.guest.count == 2)
        }

        @Test func thousandCyclesLeakNoDescriptorsMappingsOrMemory() throws {
            // Warm up allocator arenas and lazily initialised runtime state before measuring.
            for _ in 0..<20 { try cycle() }
            let descriptorsBefore = try ProcessResources.kvmFileDescriptors()
            let mappingsBefore = try ProcessResources.kvmRunMappingCount()
            let residentBefore = try ProcessResources.residentBytes()

            for _ in 0..<1000 { try cycle() }

            // Only KVM descriptors are compared: tests of other targets may run concurrently in this
            // process and open unrelated descriptors; every descriptor a cycle creates refers to KVM.
            #expect(try ProcessResources.kvmFileDescriptors() == descriptorsBefore)
            #expect(try ProcessResources.kvmRunMappingCount() == mappingsBefore)
            // A leaked guest memory slot alone would add 16 KiB of touched pages per cycle (16 MiB).
            let growth = try ProcessResources.residentBytes() - residentBefore
            #expect(growth < 4 << 20, "resident set grew by \(growth) bytes over 1000 cycles")
        }

        @Test func failingCyclesReleaseEverythingToo() throws {
            let descriptorsBefore = try ProcessResources.kvmFileDescriptors()
            let mappingsBefore = try ProcessResources.kvmRunMappingCount()
            // KVM caps CPUID lists at 256 entries: KVM_SET_CPUID2 fails after the VM and vCPU exist.
            let oversizedCPUID = (0..<300).map { CPUIDEntry(function: UInt32($0)) }
            for _ in 0..<100 {
                #expect {
                    try GuestMSRReader.read(
                        indices: [0x277],
                        on: KVMSystem(),
                        cpuid: oversizedCPUID,
                        enableEnlightenedVMCS: false
                    )
                } throws: { error in
                    let error = try #require(error as? ProbeError)
                    return error.operation == "KVM_SET_CPUID2" && error.errnoName == "E2BIG"
                }
            }
            #expect(try ProcessResources.kvmFileDescriptors() == descriptorsBefore)
            #expect(try ProcessResources.kvmRunMappingCount() == mappingsBefore)
        }
    }
}
