import Foundation
import Testing

@testable import KVMProbe
import VMXModel

@Suite struct HostFactsReaderTests {
    private func reader(_ tree: FakeHostTree, device: String = "dev/kvm") -> HostFactsReader {
        HostFactsReader(
            procRoot: tree.procRoot,
            sysRoot: tree.sysRoot,
            kvmDevicePath: tree.root.appendingPathComponent(device).path
        )
    }

    @Test func readsAnIntelNestedHost() throws {
        let tree = try FakeHostTree.intelNestedHost()
        let facts = reader(tree).read()
        #expect(facts.kernelRelease == .value("6.8.0-45-generic"))
        #expect(facts.kernelVersion == .value("#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024"))
        #expect(facts.bootID == .value("1f0e6c5e-3f55-4a8e-9f0e-7b1c2d3e4f50"))
        let cpu = try #require(facts.cpu.value)
        #expect(cpu.vendor == "GenuineIntel" && cpu.family == 6 && cpu.model == 85 && cpu.stepping == 7)
        #expect(cpu.microcode == "0x5003604")
        let modules = try #require(facts.moduleParameters.value)
        #expect(Set(modules.keys) == ["kvm", "kvm_intel"])  // not kvmgt, not vfio
        let intel = try #require(modules["kvm_intel"]?.value)
        #expect(intel["nested"] == .value("Y"))
        #expect(intel["ept"] == .value("Y"))
        #expect(intel["enable_apicv"] == .value("Y"))
        #expect(intel["enable_shadow_vmcs"] == .value("Y"))
        #expect(intel["pml"] == .value("Y"))
        #expect(intel["vmentry_l1d_flush"] == .value("cond"))
        #expect(intel.count == 8)
        #expect(modules["kvm"]?.value?["nx_huge_pages"] == .value("auto"))
    }

    @Test func readsAnAMDPVMHost() throws {
        let tree = try FakeHostTree.amdPVMHost()
        let facts = reader(tree).read()
        #expect(facts.kernelRelease == .value("6.18.44-fc-v1045"))
        #expect(facts.kernelVersion == .value("#1 SMP PREEMPT_DYNAMIC @0"))
        #expect(facts.cpu.value?.vendor == "AuthenticAMD")
        #expect(facts.cpu.value?.family == 25)
        #expect(facts.cpu.value?.microcode == "0x1000065")
        let modules = try #require(facts.moduleParameters.value)
        #expect(Set(modules.keys) == ["kvm", "kvm_pvm"])
        #expect(modules["kvm"]?.value?.count == 33)
        #expect(modules["kvm"]?.value?["tdp_mmu"] != nil)
        #expect(modules["kvm_pvm"]?.value?.count == 11)
        #expect(modules["kvm_pvm"]?.value?["pvm_native"] == .value("Y"))
        #expect(modules["kvm_pvm"]?.value?["hb_mask"] == .value("8388607"))
        #expect(modules["kvm_intel"] == nil && modules["kvm_amd"] == nil)
    }

    @Test func unreadableParameterIsRecordedNotFatal() throws {
        let tree = try FakeHostTree.amdPVMHost()
        // read(2) of a directory fails with EISDIR for every user, root included.
        try tree.makeDirectory("sys/module/kvm_pvm/parameters/broken")
        let parameters = try #require(reader(tree).read().moduleParameters.value?["kvm_pvm"]?.value)
        #expect(parameters["broken"] == .unreadable(errno: "EISDIR"))
        #expect(parameters["pvm_native"] == .value("Y"))
    }

    @Test func moduleWithoutParametersIsRecordedAsEmpty() throws {
        let tree = try FakeHostTree.amdPVMHost()
        try tree.makeDirectory("sys/module/kvm_extra")
        let modules = try #require(reader(tree).read().moduleParameters.value)
        #expect(modules["kvm_extra"] == .value([:]))
    }

    @Test(.enabled(if: !TestHost.isRoot, "root may list any directory, so EACCES cannot be produced"))
    func unlistableParameterDirectoryIsRecorded() throws {
        let tree = try FakeHostTree.amdPVMHost()
        try tree.setPermissions(0o000, of: "sys/module/kvm_pvm/parameters")
        defer { try? tree.setPermissions(0o755, of: "sys/module/kvm_pvm/parameters") }
        let modules = try #require(reader(tree).read().moduleParameters.value)
        #expect(modules["kvm_pvm"] == .unreadable(errno: "EACCES"))
    }

    @Test func missingFilesAreUnreadableWithoutUnameFallback() throws {
        let tree = try FakeHostTree()
        let facts = reader(tree).read()
        // uname(2) describes the running kernel, not a tree; it is only used for the real /proc.
        #expect(facts.kernelRelease == .unreadable(errno: "ENOENT"))
        #expect(facts.kernelVersion == .unreadable(errno: "ENOENT"))
        #expect(facts.bootID == .unreadable(errno: "ENOENT"))
        #expect(facts.cpu == .unreadable(errno: "ENOENT"))
        #expect(facts.moduleParameters == .unreadable(errno: "ENOENT"))
    }

    @Test func missingDeviceIsNotPresent() throws {
        let tree = try FakeHostTree.amdPVMHost()
        let device = reader(tree, device: "no-such-dir/kvm").read().kvmDevice
        #expect(!device.isPresent)
        #expect(device.status == .unreadable(errno: "ENOENT"))
        #expect(device.access == .denied(errno: "ENOENT"))
    }

    @Test func directoryAtTheDevicePathIsPresentButNotOpenable() throws {
        // open(O_RDWR) of a directory fails with EISDIR even for root, so this holds for every user.
        let tree = try FakeHostTree.amdPVMHost()
        try tree.makeDirectory("dev/kvm")
        let device = reader(tree).read().kvmDevice
        #expect(device.isPresent)
        #expect(device.status.value?.fileType == .directory)
        #expect(device.access == .denied(errno: "EISDIR"))
    }

    @Test func permissionBitsDecideAccessExceptForRoot() throws {
        let tree = try FakeHostTree.amdPVMHost()
        try tree.write("", to: "dev/kvm")
        try tree.setPermissions(0o000, of: "dev/kvm")
        let device = reader(tree).read().kvmDevice
        let identity = try #require(device.status.value)
        #expect(identity.fileType == .regularFile)
        #expect(identity.permissions == 0o000)
        #expect(identity.uid == geteuid())
        // Root has CAP_DAC_OVERRIDE: mode 000 does not stop it, and the check must say so honestly.
        #expect(device.access == (TestHost.isRoot ? .readWrite : .denied(errno: "EACCES")))
    }
}
