import Foundation
import Testing

@testable import KVMProbe
import VMXModel

extension RealKVMTests {
    /// Host facts of the machine itself. Lives under `RealKVMTests` because the access check opens
    /// /dev/kvm, which the leak test counts.
    @Suite struct RealHostFactsTests {
        @Test func describesThisHost() throws {
            let facts = HostFactsReader().read()
            var names = utsname()
            try #require(uname(&names) == 0)
            let release = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            #expect(facts.kernelRelease == .value(release))
            #expect(facts.kernelVersion.value?.isEmpty == false)
            #expect(facts.bootID.value?.count == 36)
            #expect(facts.cpu.value?.vendor != nil)
            let modules = try #require(facts.moduleParameters.value)
            #expect(modules["kvm"]?.value?.isEmpty == false)
            let identity = try #require(facts.kvmDevice.status.value)
            #expect(identity.fileType == .characterDevice)
            #expect(identity.rdevMajor == 10 && identity.rdevMinor == 232)
            #expect(facts.kvmDevice.access == .readWrite)
        }

        @Test func keyIsStableAcrossReads() {
            #expect(HostFactsReader().invalidationKey() == HostFactsReader().invalidationKey())
        }
    }
}
