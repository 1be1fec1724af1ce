import Foundation

/// A temporary directory laid out like `/proc`, `/sys` and `/dev` of some host, for
/// `HostFactsReader` tests. Removed when the value is deinitialised.
final class FakeHostTree {
    let root: URL
    var procRoot: String { root.appendingPathComponent("proc").path }
    var sysRoot: String { root.appendingPathComponent("sys").path }
    var devRoot: String { root.appendingPathComponent("dev").path }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("kvmprobe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes `contents` to `relativePath`, creating parent directories.
    func write(_ contents: String, to relativePath: String) throws {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    /// Creates a directory at `relativePath`.
    func makeDirectory(_ relativePath: String) throws {
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(relativePath),
            withIntermediateDirectories: true
        )
    }

    /// Sets POSIX permissions of `relativePath`.
    func setPermissions(_ permissions: Int, of relativePath: String) throws {
        try FileManager.default.setAttributes(
            [.posixPermissions: permissions],
            ofItemAtPath: root.appendingPathComponent(relativePath).path
        )
    }

    /// Writes every `name → value` pair as `sys/module/<module>/parameters/<name>` with a trailing newline,
    /// as sysfs prints them.
    func writeModuleParameters(_ module: String, _ parameters: [String: String]) throws {
        for (name, value) in parameters {
            try write("\(value)\n", to: "sys/module/\(module)/parameters/\(name)")
        }
    }

    /// Writes the kernel identity and boot id files of procfs.
    func writeKernel(release: String, version: String, bootID: String) throws {
        try write("\(release)\n", to: "proc/sys/kernel/osrelease")
        try write("\(version)\n", to: "proc/sys/kernel/version")
        try write("\(bootID)\n", to: "proc/sys/kernel/random/boot_id")
    }

    /// A tree that looks like an Intel host with kvm_intel loaded and nested virtualisation on.
    static func intelNestedHost() throws -> FakeHostTree {
        let tree = try FakeHostTree()
        try tree.writeKernel(
            release: "6.8.0-45-generic",
            version: "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024",
            bootID: "1f0e6c5e-3f55-4a8e-9f0e-7b1c2d3e4f50"
        )
        try tree.write(intelCPUInfo, to: "proc/cpuinfo")
        try tree.writeModuleParameters(
            "kvm",
            ["enable_vmware_backdoor": "N", "ignore_msrs": "N", "nx_huge_pages": "auto", "tdp_mmu": "Y"]
        )
        try tree.writeModuleParameters(
            "kvm_intel",
            [
                "nested": "Y", "ept": "Y", "enable_apicv": "Y", "enable_shadow_vmcs": "Y", "pml": "Y",
                "vmentry_l1d_flush": "cond", "unrestricted_guest": "Y", "vpid": "Y",
            ]
        )
        try tree.makeDirectory("sys/module/kvmgt")  // Not a kvm_* module: must be ignored.
        try tree.writeModuleParameters("kvmgt", ["enable": "Y"])
        try tree.makeDirectory("sys/module/vfio/parameters")
        return tree
    }

    /// The tree recorded on this project's AMD host running KVM in PVM mode
    /// (`Tools/record-host-tree.sh Tests/Fixtures/host-trees/amd-pvm-6.18`): kvm and kvm_pvm
    /// loaded, no kvm_amd, 33 kvm parameters.
    static func amdPVMHost() throws -> FakeHostTree {
        let tree = try FakeHostTree()
        for top in ["proc", "sys"] {
            try FileManager.default.copyItem(
                at: recordedAMDPVMHost.appendingPathComponent(top),
                to: tree.root.appendingPathComponent(top)
            )
        }
        return tree
    }

    static let recordedAMDPVMHost = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/host-trees/amd-pvm-6.18")

    static let intelCPUInfo = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        model\t\t: 85
        model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz
        stepping\t: 7
        microcode\t: 0x5003604
        cpu MHz\t\t: 2500.000
        flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr vmx

        processor\t: 1
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        model\t\t: 85
        model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz
        stepping\t: 7
        microcode\t: 0xdeadbeef

        """

    /// `/proc/cpuinfo` of the recorded AMD host.
    static let amdCPUInfo =
        (try? String(
            contentsOf: recordedAMDPVMHost.appendingPathComponent("proc/cpuinfo"),
            encoding: .utf8
        )) ?? ""
}
