/// Facts about the host that decide what KVM can offer, read from procfs, sysfs and /dev without
/// any KVM ioctl. Produced by `HostFactsReader`.
public struct HostFacts: Sendable, Hashable, Codable {
    /// Module name (`"kvm"`, `"kvm_intel"`, `"kvm_amd"`, `"kvm_pvm"`…) → its `parameters/` directory
    /// (parameter name → value). A loaded module without a `parameters/` directory maps to an empty
    /// dictionary; one whose directory cannot be listed maps to `.unreadable`.
    public typealias ModuleParameters = [String: FileFact<[String: FileFact<String>]>]

    /// `osrelease`, e.g. `"6.18.44-fc-v595"`.
    public let kernelRelease: FileFact<String>
    /// `version`, e.g. `"#1 SMP PREEMPT_DYNAMIC …"` (build number and date).
    public let kernelVersion: FileFact<String>
    /// `/proc/version_signature` (Ubuntu only: `Ubuntu 5.15.0-91.101-generic 5.15.131`); an
    /// ENOENT elsewhere.
    public let versionSignature: FileFact<String>
    /// The first processor of /proc/cpuinfo.
    public let cpu: FileFact<CPUIdentity>
    /// Every parameter of every loaded `kvm` / `kvm_*` module, values trimmed. Unreadable parameters
    /// are recorded as `.unreadable`; when `<sys>/module` itself cannot be listed, so is this.
    public let moduleParameters: FileFact<ModuleParameters>
    /// `random/boot_id`: changes on every boot.
    public let bootID: FileFact<String>
    /// The KVM device node.
    public let kvmDevice: KVMDeviceNode

    /// Creates facts (normally done by `HostFactsReader`).
    public init(
        kernelRelease: FileFact<String>,
        kernelVersion: FileFact<String>,
        versionSignature: FileFact<String>,
        cpu: FileFact<CPUIdentity>,
        moduleParameters: FileFact<ModuleParameters>,
        bootID: FileFact<String>,
        kvmDevice: KVMDeviceNode
    ) {
        self.kernelRelease = kernelRelease
        self.kernelVersion = kernelVersion
        self.versionSignature = versionSignature
        self.cpu = cpu
        self.moduleParameters = moduleParameters
        self.bootID = bootID
        self.kvmDevice = kvmDevice
    }
}
