import Testing

@testable import KVMProbe
import VMXModel

@Suite struct CPUIdentityTests {
    @Test func parsesTheFirstIntelProcessorBlock() {
        let cpu = CPUIdentity(cpuinfo: FakeHostTree.intelCPUInfo)
        #expect(cpu.vendor == "GenuineIntel")
        #expect(cpu.family == 6)
        #expect(cpu.model == 85)
        #expect(cpu.stepping == 7)
        #expect(cpu.microcode == "0x5003604")  // not the second block's 0xdeadbeef
        #expect(cpu.microcodeRevision == 0x500_3604)
        #expect(cpu.modelName == "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz")
    }

    @Test func parsesAnAMDBlock() {
        let cpu = CPUIdentity(cpuinfo: FakeHostTree.amdCPUInfo)
        #expect(
            cpu
                == CPUIdentity(
                    vendor: "AuthenticAMD",
                    family: 25,
                    model: 1,
                    stepping: 1,
                    microcode: "0x1000065",
                    modelName: "AMD EPYC"
                )
        )
    }

    @Test func missingFieldsStayNil() {
        let cpu = CPUIdentity(cpuinfo: "\nprocessor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n")
        #expect(cpu == CPUIdentity())
        #expect(cpu.microcodeRevision == nil)
    }
}
