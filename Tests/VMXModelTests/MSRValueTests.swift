import Foundation
import Testing

@testable import VMXModel

@Suite("MSR indices, hex values and MSR sets")
struct MSRValueTests {
    @Test(arguments: [
        ("0x0", UInt64(0)), ("0x48d", 0x48d), ("0x48D", 0x48d), ("0X10", 0x10), ("0x0000048d", 0x48d),
        ("0xffffffffffffffff", UInt64.max), ("0x00ff00ff00000016", 0x00ff_00ff_0000_0016),
    ])
    func parsesHex(text: String, value: UInt64) {
        #expect(HexNumber.parse(text) == value)
    }

    @Test(arguments: ["", "0x", "48d", "0x48g", " 0x1", "0x1 ", "0x10000000000000000", "-0x1", "0x+1", "１２"])
    func rejectsMalformedHex(text: String) {
        #expect(HexNumber.parse(text) == nil)
    }

    @Test func formatsCanonically() {
        #expect(HexNumber.format64(0x16) == "0x0000000000000016")
        #expect(HexNumber.format64(.max) == "0xffffffffffffffff")
        #expect(HexNumber.formatShort(0x48d) == "0x48d")
    }

    @Test func labelsIndicesTheWayQEMUDoes() {
        #expect(MSRIndex.vmxTruePinBasedControls.qemuLabel == "MSR(48DH)")
        #expect(MSRIndex(0x10a).qemuLabel == "MSR(10AH)")
        #expect(MSRIndex(0x9).qemuLabel == "MSR(09H)")
        #expect(MSRIndex.vmxTruePinBasedControls.hex == "0x48d")
        #expect(MSRIndex.vmxVMFunc.vmxName == "IA32_VMX_VMFUNC")
    }

    @Test func absentIsNotZero() {
        var set = VMXMSRSet()
        #expect(set[.vmxVMFunc] == nil)
        set[.vmxVMFunc] = 0
        #expect(set[.vmxVMFunc] == 0)
        #expect(set.count == 1)
        set[.vmxVMFunc] = nil
        #expect(set.isEmpty)
        set[MSRIndex(0x10a)] = 5
        #expect(set.isEmpty, "indices outside 0x480–0x493 are not VMX capability MSRs")
    }

    @Test func derivesPlainControlsFromTrueOnes() {
        let set = VMXMSRSet([.vmxTruePinBasedControls: 0x0000_007f_0000_0000, .vmxProcBasedControls2: 0x1_0000_0000])
        let complete = set.withDerivedPlainControls()
        #expect(complete[.vmxPinBasedControls] == 0x0000_007f_0000_0016)
        #expect(complete[.vmxProcBasedControls] == nil)
        #expect(complete[.vmxProcBasedControls2] == 0x1_0000_0000)
    }

    @Test func encodesAndDecodesAsHexObject() throws {
        let set = VMXMSRSet([.vmxBasic: 0xda04_0000_0000_04, .vmxVMFunc: 1])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(set), as: UTF8.self)
        #expect(text == #"{"0x480":"0x00da040000000004","0x491":"0x0000000000000001"}"#)
        #expect(try JSONDecoder().decode(VMXMSRSet.self, from: Data(text.utf8)) == set)
    }
}
