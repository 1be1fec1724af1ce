import Testing

@testable import KVMProbe

@Suite struct GuestMSRReportDecoderTests {
    private func out(_ port: UInt16, _ value: UInt32) -> VCPUExit {
        .io(
            PortIO(
                direction: .output,
                port: port,
                size: 4,
                count: 1,
                data: withUnsafeBytes(of: value.littleEndian, Array.init)
            )
        )
    }

    private func value(_ index: UInt32, _ value: UInt64) -> [VCPUExit] {
        [out(0xE0, index), out(0xE1, UInt32(value >> 32)), out(0xE2, UInt32(truncatingIfNeeded: value))]
    }

    private func decode(_ indices: [UInt32], _ exits: [VCPUExit]) throws(ProbeError) -> GuestMSRReportDecoder {
        var decoder = GuestMSRReportDecoder(indices: indices)
        for exit in exits {
            try decoder.consume(exit)
        }
        return decoder
    }

    private func expectError(_ code: ProbeError.Code, containing text: String, _ indices: [UInt32], _ exits: [VCPUExit])
    {
        #expect {
            try decode(indices, exits)
        } throws: { error in
            let error = try #require(error as? ProbeError)
            return error.code == code && error.message.contains(text)
        }
    }

    @Test func decodesValuesAndFaultsInOrder() throws {
        let exits = value(0x277, 0x0007_0406_0007_0406) + [out(0xE3, 0x480)] + value(0x1A0, 1) + [.halt]
        let decoder = try decode([0x277, 0x480, 0x1A0], exits)
        #expect(decoder.isFinished)
        #expect(
            decoder.readings == [
                MSRReading(index: 0x277, outcome: .value(0x0007_0406_0007_0406)),
                MSRReading(index: 0x480, outcome: .faulted),
                MSRReading(index: 0x1A0, outcome: .value(1)),
            ]
        )
    }

    @Test func exitBudgetIsThreePerIndexPlusHalt() {
        #expect(GuestMSRReportDecoder(indices: [1, 2, 3]).exitBudget == 10)
        #expect(GuestMSRReportDecoder(indices: []).exitBudget == 1)
    }

    @Test func earlyHaltIsAnUnexpectedExit() {
        expectError(
            .unexpectedExit,
            containing: "KVM_EXIT_HLT after 1 of 2",
            [0x277, 0x1A0],
            value(0x277, 6) + [.halt]
        )
    }

    @Test func haltBetweenIndexAndValueIsAnUnexpectedExit() {
        expectError(.unexpectedExit, containing: "KVM_EXIT_HLT", [0x277], [out(0xE0, 0x277), .halt])
    }

    @Test(arguments: [
        (VCPUExit.shutdown, "KVM_EXIT_SHUTDOWN"),
        (
            .failEntry(hardwareEntryFailureReason: 0x21),
            "KVM_EXIT_FAIL_ENTRY while 0 of 1 MSRs were reported (hardware entry failure reason 0x21)"
        ),
        (.internalError(suberror: 1), "KVM_EXIT_INTERNAL_ERROR"),
        (.mmio(physicalAddress: 0xFEE0_0000), "KVM_EXIT_MMIO"),
        (.other(KVMExitReason(rawValue: 24)), "KVM_EXIT_SYSTEM_EVENT"),
    ])
    func unexpectedExitsNameTheirReason(exit: VCPUExit, name: String) {
        expectError(.unexpectedExit, containing: name, [0x277], [exit])
    }

    @Test func reportForTheWrongIndexIsAViolation() {
        expectError(.guestProtocolViolation, containing: "0x1a0 where 0x277 was due", [0x277], [out(0xE3, 0x1A0)])
    }

    @Test func lowHalfBeforeHighHalfIsAViolation() {
        expectError(.guestProtocolViolation, containing: "port 0xe2", [0x277], [out(0xE0, 0x277), out(0xE2, 0)])
    }

    @Test func unknownPortIsAViolation() {
        expectError(.guestProtocolViolation, containing: "port 0x80", [0x277], [out(0x80, 0x277)])
    }

    @Test func extraReportIsAViolation() {
        expectError(
            .guestProtocolViolation,
            containing: "after all 1 MSRs",
            [0x277],
            value(0x277, 0) + [out(0xE3, 0x277)]
        )
    }

    @Test func nonDoubleWordOrInputIOIsAViolation() {
        let byteOut = VCPUExit.io(PortIO(direction: .output, port: 0xE0, size: 1, count: 1, data: [0x77]))
        expectError(.guestProtocolViolation, containing: "single 32-bit OUT", [0x277], [byteOut])
        let input = VCPUExit.io(PortIO(direction: .input, port: 0xE0, size: 4, count: 1, data: [0, 0, 0, 0]))
        expectError(.guestProtocolViolation, containing: "single 32-bit OUT", [0x277], [input])
    }

    @Test func exitsAfterHaltAreAViolation() {
        expectError(.guestProtocolViolation, containing: "after the guest finished", [], [.halt, .halt])
    }
}
