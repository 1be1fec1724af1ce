import Foundation
import KVMProbe
import VMXModel

/// Facts about the machine the tests run on, used to enable or skip tests.
enum TestHost {
    /// Whether this process can use /dev/kvm. Tests that need a real KVM are skipped without it.
    static let hasKVM: Bool = {
        let path = KVMSystem.defaultDevicePath
        return FileManager.default.isReadableFile(atPath: path) && FileManager.default.isWritableFile(atPath: path)
    }()

    /// `vendor_id` of the first CPU (`"GenuineIntel"`, `"AuthenticAMD"`…), `nil` when unknown.
    static let cpuVendor: String? = HostFactsReader().read().cpu.value?.vendor

    /// Whether the CPU is an Intel one (eVMCS can only be enabled there).
    static var isIntel: Bool { cpuVendor == "GenuineIntel" }

    /// Whether the CPU is an AMD one.
    static var isAMD: Bool { cpuVendor == "AuthenticAMD" }

    /// Whether KVM runs on VMX here (kvm_intel is loaded). An Intel CPU alone is not enough: KVM in PVM mode
    /// (kvm_pvm) runs on Intel CPUs without VMX, and then eVMCS cannot be enabled either.
    static var kvmIntelLoaded: Bool { FileManager.default.fileExists(atPath: "/sys/module/kvm_intel") }

    /// Whether the tests run as root (root bypasses file permission bits).
    static var isRoot: Bool { geteuid() == 0 }
}

/// Process-resource probes for the leak test.
enum ProcessResources {
    /// Targets of the entries of /proc/self/fd that refer to KVM objects: `/dev/kvm`,
    /// `anon_inode:kvm-vm` and `anon_inode:kvm-vcpu:N`.
    static func kvmFileDescriptors() throws -> [String] {
        try fileDescriptorTargets { $0 == KVMSystem.defaultDevicePath || $0.hasPrefix("anon_inode:kvm-") }
    }

    /// Targets of everything a probe opens: the KVM objects and files under /proc and /sys
    /// (except the /proc/self/fd listing itself). Other tests running in parallel open
    /// temporary files, not these.
    static func probeFileDescriptors() throws -> [String] {
        try fileDescriptorTargets {
            $0 == KVMSystem.defaultDevicePath || $0.hasPrefix("anon_inode:kvm-")
                || ($0.hasPrefix("/proc/") && !$0.hasSuffix("/fd")) || $0.hasPrefix("/sys/")
        }
    }

    private static func fileDescriptorTargets(_ include: (String) -> Bool) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { name in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")
            else {
                return nil  // The fd closed between listing and readlink (the directory's own fd does).
            }
            return include(target) ? target : nil
        }
        .sorted()
    }

    /// Mappings of a vCPU's kvm_run area in /proc/self/maps.
    static func kvmRunMappingCount() throws -> Int {
        try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
            .split(separator: "\n")
            .filter { $0.contains("kvm-vcpu") }
            .count
    }

    /// Resident set size in bytes, from /proc/self/statm (second field, in pages).
    static func residentBytes() throws -> Int {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
