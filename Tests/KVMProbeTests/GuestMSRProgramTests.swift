import Testing

@testable import KVMProbe

/// Cross-checks the hand-embedded machine code against the layout constants, so a change to one
/// without the other fails here rather than inside a guest.
@Suite struct GuestMSRProgramTests {
    private let code = GuestMSRProgram.code
    private let base = GuestMSRProgram.codeAddress

    private func word(at address: Int) -> Int {
        Int(code[address - base]) | Int(code[address - base + 1]) << 8
    }

    /// Target of the rel8 jump whose opcode is at `address`.
    private func jumpTarget(at address: Int) -> Int {
        address + 2 + Int(Int8(bitPattern: code[address - base + 1]))
    }

    @Test func fitsBelowTheIndexTable() {
        #expect(code.count == 0x51)
        #expect(base + code.count <= GuestMSRProgram.tableAddress)
        #expect(GuestMSRProgram.tableAddress + 4 + 4 * GuestMSRProgram.tableCapacity <= 0x7000)
        #expect(0x8000 <= GuestMSRProgram.memorySize)
    }

    @Test func installsTheGPHandlerInIVTVector13() {
        #expect(code[0x09...0x0B] == [0xC7, 0x06, 0x34])  // mov word [0x34], imm16
        let handler = word(at: 0x100D)
        #expect(handler == 0x1043)
        #expect(code[(handler - base)..<(handler - base + 3)] == [0x83, 0xC4, 0x06])  // add sp, 6
        #expect(word(at: 0x1011) == 0x36 && word(at: 0x1013) == 0)  // segment 0
    }

    @Test func readsTheCountAndTableAtTheirAddresses() {
        #expect(word(at: 0x1018) == GuestMSRProgram.tableAddress)
        #expect(word(at: 0x101B) == GuestMSRProgram.tableAddress + 4)
        #expect(word(at: 0x1007) == 0x8000)  // stack top
    }

    @Test func reportsOnTheProtocolPorts() {
        #expect(code[0x1034 - base] == UInt8(GuestMSRProgram.Port.index))
        #expect(code[0x103A - base] == UInt8(GuestMSRProgram.Port.high))
        #expect(code[0x1040 - base] == UInt8(GuestMSRProgram.Port.low))
        #expect(code[0x104B - base] == UInt8(GuestMSRProgram.Port.fault))
    }

    @Test func jumpsLandOnTheirLabels() {
        #expect(jumpTarget(at: 0x1020) == 0x104E)  // jz done
        #expect(jumpTarget(at: 0x1041) == 0x101D)  // jmp next
        #expect(jumpTarget(at: 0x104C) == 0x101D)  // jmp next (from the #GP handler)
        #expect(jumpTarget(at: 0x104F) == 0x104E)  // jmp done
        #expect(code[0x104E - base] == 0xF4)  // hlt
        #expect(code[0x102A - base..<0x102C - base] == [0x0F, 0x32])  // rdmsr
    }
}
