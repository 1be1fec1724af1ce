import CKVM
import Foundation
import Testing

@testable import KVMProbe

@Suite struct ProbeErrorTests {
    @Test(arguments: [(ENOTTY, "ENOTTY"), (EINVAL, "EINVAL"), (EACCES, "EACCES"), (ENOENT, "ENOENT"), (E2BIG, "E2BIG")])
    func errnoNames(value: Int32, name: String) {
        #expect(ErrnoName.name(of: value) == name)
    }

    @Test func unknownErrnoGetsANumericName() {
        #expect(ErrnoName.name(of: 9999) == "errno 9999")
    }

    @Test func systemCallErrorCarriesOperationErrnoAndMessage() {
        let error = ProbeError.systemCall("KVM_ENABLE_CAP", errno: ENOTTY)
        #expect(error.code == .systemCall)
        #expect(error.errno == ENOTTY)
        #expect(error.errnoName == "ENOTTY")
        #expect(error.description == "KVM_ENABLE_CAP: \(error.message) [ENOTTY]")
        #expect(!error.message.isEmpty)
    }

    @Test func nonSystemCallErrorHasNoErrno() {
        let error = ProbeError(code: .guestProtocolViolation, operation: "guest MSR report", message: "bad")
        #expect(error.errnoName == nil)
        #expect(error.description == "guest MSR report: bad")
    }

    @Test func capabilityNumbersMatchTheKernelHeader() {
        #expect(KVMCapability.hyperV == KVM_CAP_HYPERV)
        #expect(KVMCapability.hyperVEnlightenedVMCS == KVM_CAP_HYPERV_ENLIGHTENED_VMCS)
        #expect(KVMCapability.hyperVCPUID == KVM_CAP_HYPERV_CPUID)
        #expect(KVMCapability.sysHyperVCPUID == KVM_CAP_SYS_HYPERV_CPUID)
    }
}
