import VMXModel

/// A cheap fingerprint of everything that can change what KVM offers on this host, computed from
/// files only (no KVM ioctl): when two keys are equal, a cached probe result is still valid.
///
/// Parts: kernel release and version (a new kernel or a rebuilt one), boot id (a reboot, which also
/// covers late microcode loading and module reloads before it), microcode revision and CPU signature
/// (vendor/family/model/stepping), every `kvm`/`kvm_*` module parameter (e.g. `kvm_intel nested`),
/// and the KVM device node's identity and this process's access to it (rdev, ctime, mode, owner).
/// The CPU model name is left out: it cannot change without the signature changing.
///
/// Compare keys with `==`, or encode one (with sorted keys) to persist it next to a cache.
public struct InvalidationKey: Sendable, Hashable, Codable {
    /// The processor part of the key.
    public struct Processor: Sendable, Hashable, Codable {
        /// `vendor_id`.
        public let vendor: String?
        /// `cpu family`.
        public let family: Int?
        /// `model`.
        public let model: Int?
        /// `stepping`.
        public let stepping: Int?
        /// `microcode`, as printed.
        public let microcode: String?
    }

    /// Kernel release.
    public let kernelRelease: FileFact<String>
    /// Kernel version (build) string.
    public let kernelVersion: FileFact<String>
    /// Boot id.
    public let bootID: FileFact<String>
    /// CPU signature and microcode.
    public let processor: FileFact<Processor>
    /// Every `kvm`/`kvm_*` module parameter.
    public let moduleParameters: FileFact<HostFacts.ModuleParameters>
    /// The KVM device node: identity and access.
    public let kvmDevice: KVMDeviceNode

    /// Derives the key from facts.
    public init(facts: HostFacts) {
        kernelRelease = facts.kernelRelease
        kernelVersion = facts.kernelVersion
        bootID = facts.bootID
        switch facts.cpu {
        case .value(let cpu):
            processor = .value(
                Processor(
                    vendor: cpu.vendor,
                    family: cpu.family,
                    model: cpu.model,
                    stepping: cpu.stepping,
                    microcode: cpu.microcode
                )
            )
        case .unreadable(let errno):
            processor = .unreadable(errno: errno)
        }
        moduleParameters = facts.moduleParameters
        kvmDevice = facts.kvmDevice
    }
}
