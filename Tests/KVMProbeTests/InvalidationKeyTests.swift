import Foundation
import Testing

@testable import KVMProbe

@Suite struct InvalidationKeyTests {
    private func key(_ tree: FakeHostTree) -> InvalidationKey {
        HostFactsReader(procRoot: tree.procRoot, sysRoot: tree.sysRoot, kvmDevicePath: "\(tree.devRoot)/kvm")
            .invalidationKey()
    }

    @Test func stableWhileNothingChanges() throws {
        let tree = try FakeHostTree.intelNestedHost()
        #expect(key(tree) == key(tree))
    }

    @Test func changesWhenOneModuleParameterChanges() throws {
        let tree = try FakeHostTree.intelNestedHost()
        let before = key(tree)
        try tree.writeModuleParameters("kvm_intel", ["nested": "N"])
        let after = key(tree)
        #expect(after != before)
        try tree.writeModuleParameters("kvm_intel", ["nested": "Y"])
        #expect(key(tree) == before)
    }

    @Test func changesWhenAModuleAppears() throws {
        let tree = try FakeHostTree.amdPVMHost()
        let before = key(tree)
        try tree.writeModuleParameters("kvm_intel", ["nested": "Y"])
        #expect(key(tree) != before)
    }

    @Test func changesWithBootIDMicrocodeAndDevice() throws {
        let tree = try FakeHostTree.amdPVMHost()
        let original = key(tree)
        try tree.write("00000000-0000-0000-0000-000000000000\n", to: "proc/sys/kernel/random/boot_id")
        let rebooted = key(tree)
        #expect(rebooted != original)
        try tree.write(
            FakeHostTree.amdCPUInfo.replacingOccurrences(of: "0x1000065", with: "0x1000066"),
            to: "proc/cpuinfo"
        )
        let updatedMicrocode = key(tree)
        #expect(updatedMicrocode != rebooted)
        try tree.write("", to: "dev/kvm")
        #expect(key(tree) != updatedMicrocode)
    }

    @Test func ignoresTheModelName() throws {
        let tree = try FakeHostTree.amdPVMHost()
        let before = key(tree)
        try tree.write(
            FakeHostTree.amdCPUInfo.replacingOccurrences(of: "AMD EPYC", with: "AMD EPYC 7B13"),
            to: "proc/cpuinfo"
        )
        #expect(key(tree) == before)
    }

    @Test func survivesAJSONRoundTrip() throws {
        let tree = try FakeHostTree.intelNestedHost()
        try tree.makeDirectory("sys/module/kvm/parameters/unreadable")
        let original = key(tree)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(original)
        #expect(try JSONDecoder().decode(InvalidationKey.self, from: data) == original)
        #expect(try encoder.encode(key(tree)) == data)
    }
}
