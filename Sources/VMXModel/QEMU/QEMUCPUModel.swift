/// One of QEMU's x86 named CPU models (`builtin_x86_defs` in target/i386/cpu.c) as far as VMX
/// is concerned: its VMX feature words, versions and aliases. The table is
/// ``QEMUCPUModel/table``, generated from the shared QEMU notes (Tools/gen-qemu-models.py).
///
/// ```swift
/// let resolved = try QEMUCPUModel.resolve("Skylake-Server-IBRS")  // Skylake-Server-v2
/// resolved.vmx.contains(VMXCatalog.feature(named: "vmx-posted-intr")!)  // true
/// ```
public struct QEMUCPUModel: Hashable, Sendable {
    /// The model name without version (`Skylake-Server`).
    public let name: String
    /// QEMU's model-id or comment, for humans.
    public let summary: String
    /// The VMX features of version 1.
    public let vmx: QEMUFeatureWords
    /// The highest version (versions are 1…`versions`).
    public let versions: Int
    /// Feature names each version adds to the previous one.
    public let additions: [Int: [String]]
    /// Unversioned aliases of later versions (`Skylake-Server-IBRS` → 2).
    public let aliases: [String: Int]
    /// The CPUID features that gate a VMX bit (``QEMUCPUProperties/cpuidGates``) and that the model
    /// lacks, so QEMU clears those bits (`rdtscp` on Nehalem and Westmere, `invpcid` on
    /// Denverton and Snowridge, as QEMU 7.2's model expansion shows).
    public let cpuidOff: [String]
    /// Whether the model has CPUID long mode (QEMU then allows the VM-exit host address-space
    /// size control and keeps `vmx-entry-ia32e-mode`).
    public let longMode: Bool

    init(
        _ name: String,
        _ summary: String,
        vmx: QEMUFeatureWords,
        versions: Int = 1,
        additions: [Int: [String]] = [:],
        aliases: [String: Int] = [:],
        cpuidOff: [String] = [],
        longMode: Bool = true
    ) {
        self.name = name
        self.summary = summary
        self.vmx = vmx
        self.versions = versions
        self.additions = additions
        self.aliases = aliases
        self.cpuidOff = cpuidOff
        self.longMode = longMode
    }

    /// A model resolved to one version.
    public struct Resolved: Hashable, Sendable {
        public let model: QEMUCPUModel
        public let version: Int
        /// The version's VMX feature words.
        public let vmx: QEMUFeatureWords
        /// `Skylake-Server-v4`.
        public var versionedName: String { "\(model.name)-v\(version)" }
    }

    /// The features of `version`: version 1's plus every addition up to it.
    public func features(version: Int) -> QEMUFeatureWords {
        var words = vmx
        for step in 1...max(1, version) {
            for name in additions[step] ?? [] {
                if let feature = VMXCatalog.feature(named: name) { words.set(feature, true) }
            }
        }
        return words
    }

    /// Resolves `Name`, `Name-vN` or an alias. An unversioned name is version 1, as on every
    /// current machine type (`default_cpu_version` 1; QEMU 7.2 `query-cpu-definitions`
    /// reports `alias-of: Name-v1`).
    /// - Throws: ``QEMUCPUError`` naming the unknown model or version.
    public static func resolve(_ name: String) throws(QEMUCPUError) -> Resolved {
        if let model = byName[name] { return Resolved(model: model, version: 1, vmx: model.features(version: 1)) }
        if let (model, version) = byAlias[name] {
            return Resolved(model: model, version: version, vmx: model.features(version: version))
        }
        if let dash = name.lastIndex(of: "-"), name[name.index(after: dash)...].first == "v",
            let version = Int(name[name.index(dash, offsetBy: 2)...]), let model = byName[String(name[..<dash])]
        {
            guard (1...model.versions).contains(version) else {
                throw QEMUCPUError(
                    .unknownModel,
                    "unknown CPU model version \(name): \(model.name) has versions v1–v\(model.versions)"
                )
            }
            return Resolved(model: model, version: version, vmx: model.features(version: version))
        }
        throw QEMUCPUError(.unknownModel, "unknown CPU model \"\(name)\" (not one of QEMU's x86 models)")
    }

    private static let byName: [String: QEMUCPUModel] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
    private static let byAlias: [String: (QEMUCPUModel, Int)] = Dictionary(
        uniqueKeysWithValues: table.flatMap { model in model.aliases.map { ($0.key, (model, $0.value)) } }
    )
}
