import Testing

@testable import KVMProbe

extension RealKVMTests {
    @Suite struct GuestMSRReaderTests {
        /// MSRs KVM emulates for every x86 guest regardless of CPUID: MISC_ENABLE, PAT, APIC_BASE, EFER.
        static let architecturalMSRs: [UInt32] = [0x1A0, 0x277, 0x1B, 0xC000_0080]
        /// ARCH_CAPABILITIES and TSC_AUX: readable in the guest only when KVM implements them for its CPUID.
        static let cpuidDependentMSRs: [UInt32] = [0x10A, 0xC000_0103]
        /// Indices no CPU implements.
        static let nonexistentMSRs: [UInt32] = [0x4B56_4DFF, 0xDEAD_BEEF]

        @Test func guestValuesEqualHostValuesAndMissingMSRsFault() throws {
            let system = try KVMSystem()
            let indices = Self.cpuidDependentMSRs + Self.architecturalMSRs + Self.nonexistentMSRs
            let readout = try GuestMSRReader.read(
                indices: indices,
                on: system,
                cpuid: try system.supportedCPUID(),
                enableEnlightenedVMCS: false
            )
            #expect(readout.guest.map(\.index) == indices)
            #expect(readout.host.map(\.index) == indices)
            #expect(readout.enlightenedVMCS == nil)

            for index in Self.architecturalMSRs {
                let guest = try #require(readout.guest.outcome(of: index)?.value, "guest RDMSR \(hex(index))")
                #expect(readout.host.outcome(of: index) == .value(guest), "MSR \(hex(index))")
            }
            // Whatever the guest can read must match the host-initiated read of the same vCPU. (Under
            // KVM PVM, ARCH_CAPABILITIES and TSC_AUX fault in the guest while the host read returns 0,
            // KVM's answer for advertised-but-unimplemented MSRs; then there is nothing to compare.)
            for reading in readout.guest {
                if case .value(let value) = reading.outcome {
                    #expect(readout.host.outcome(of: reading.index) == .value(value), "MSR \(hex(reading.index))")
                }
            }
            for index in Self.nonexistentMSRs {
                #expect(readout.guest.outcome(of: index) == .faulted, "guest RDMSR \(hex(index))")
                #expect(readout.host.outcome(of: index) == .refused, "host read \(hex(index))")
            }
        }

        @Test func vmxCapabilityMSRsFaultWithoutVMXAndMatchTheHostWithIt() throws {
            let system = try KVMSystem()
            let supported = try system.supportedCPUID()
            let hasVMX = supported.first { $0.function == 1 }.map { $0.ecx & (1 << 5) != 0 } ?? false
            let indices = Array(UInt32(0x480)...0x491)
            let readout = try GuestMSRReader.read(
                indices: indices,
                on: system,
                cpuid: supported,
                enableEnlightenedVMCS: false
            )
            for index in indices {
                if hasVMX {
                    // Without eVMCS nothing filters guest reads: both views agree.
                    let guest = try #require(readout.guest.outcome(of: index)?.value, "guest RDMSR \(hex(index))")
                    #expect(readout.host.outcome(of: index) == .value(guest))
                } else {
                    #expect(readout.guest.outcome(of: index) == .faulted, "guest RDMSR \(hex(index))")
                }
            }
        }

        @Test func hyperVCPUIDIsAcceptedAndEVMCSResultIsRecorded() throws {
            let system = try KVMSystem()
            let cpuid = HyperVCPUID.entries(
                supported: try system.supportedCPUID(),
                evmcsVersionRange: 0x0101,
                perfGlobalCtrl: true
            )
            let readout = try GuestMSRReader.read(
                indices: [0x277, 0x480],
                on: system,
                cpuid: cpuid,
                enableEnlightenedVMCS: true,
                readHyperVCPUID: true
            )
            #expect(readout.guest.map(\.index) == [0x277, 0x480])
            // The vCPU's Hyper-V CPUID is read in the same run; a kernel without it gives a
            // recorded failure, not a thrown one.
            switch try #require(readout.hyperVCPUID) {
            case .success(let leaves):
                #expect(try system.checkExtension(KVMCapability.hyperVCPUID) > 0)
                #expect(leaves.contains { $0.function == 0x4000_000A })
            case .failure(let error):
                #expect(try system.checkExtension(KVMCapability.hyperVCPUID) == 0)
                #expect(error.operation == "KVM_GET_SUPPORTED_HV_CPUID" && error.errno != nil)
            }
            let enablement = try #require(readout.enlightenedVMCS)
            if try system.checkExtension(KVMCapability.hyperVEnlightenedVMCS) > 0 {
                guard case .enabled = enablement else {
                    Issue.record("eVMCS enablement failed although the capability is reported: \(enablement)")
                    return
                }
            } else {
                guard case .failed(let error) = enablement else {
                    Issue.record("eVMCS enabled although the capability is not reported")
                    return
                }
                #expect(error.operation == "KVM_ENABLE_CAP")
                #expect(error.errno != nil)
            }
        }

        @Test func anEmptyIndexListRunsToHLT() throws {
            let readout = try GuestMSRReader.read(
                indices: [],
                on: KVMSystem(),
                cpuid: nil,
                enableEnlightenedVMCS: false
            )
            #expect(readout.guest.isEmpty)
            #expect(readout.host.isEmpty)
        }

        @Test func tooManyIndicesAreRejectedBeforeAnyVMExists() throws {
            let indices = [UInt32](repeating: 0x277, count: GuestMSRReader.maximumIndexCount + 1)
            #expect {
                try GuestMSRReader.read(indices: indices, on: KVMSystem(), cpuid: nil, enableEnlightenedVMCS: false)
            } throws: { error in
                (error as? ProbeError)?.code == .invalidArgument
            }
        }

        @Test func theFullTableCapacityIsUsable() throws {
            let indices = (0..<GuestMSRReader.maximumIndexCount).map {
                $0.isMultiple(of: 2) ? UInt32(0x277) : 0xDEAD_BEEF
            }
            // Thousands of exits: the default 1 s wall-time bound is for the probe's ~25 MSRs, and a
            // loaded machine (CI beside compilers) can exceed it here; this test is about capacity.
            let readout = try GuestMSRReader.read(
                indices: indices,
                on: KVMSystem(),
                cpuid: nil,
                enableEnlightenedVMCS: false,
                timeLimit: .seconds(30)
            )
            // KVM_GET_MSRS takes at most 255 entries per call: the host view needs many batches.
            #expect(readout.host.map(\.index) == indices)
            #expect(readout.guest.map(\.index) == indices)
            for (position, (guest, host)) in zip(readout.guest, readout.host).enumerated() {
                if position.isMultiple(of: 2) {
                    #expect(guest.outcome.value != nil && host.outcome == .value(guest.outcome.value ?? 0))
                } else {
                    #expect(guest.outcome == .faulted && host.outcome == .refused)
                }
            }
        }
    }
}
