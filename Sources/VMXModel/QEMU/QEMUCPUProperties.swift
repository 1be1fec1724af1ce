/// The properties of QEMU's x86 CPU objects that a `-cpu` string may set, by kind.
public enum QEMUCPUProperties {
    /// The kind of a property name.
    public enum Kind: Hashable, Sendable {
        /// The CPUID VMX flag (`vmx`): without it QEMU clears every VMX feature word.
        case vmxFlag
        /// A VMX capability property (`vmx-posted-intr`) and the catalog features it sets (QEMU
        /// names EPT/VPID bits 25 and 41 alike, so one property can set two bits).
        case vmx([VMXFeature])
        /// A Hyper-V enlightenment (`hv-evmcs`).
        case hyperV
        /// Anything else QEMU knows; it does not change VMX capability MSRs.
        case other
    }

    /// The kind of `name`, or `nil` when QEMU's x86 CPUs have no such property. Names are
    /// normalized as QEMU does (`_` → `-`).
    public static func kind(of name: String) -> Kind? {
        let name = normalized(name)
        if name == "vmx" { return .vmxFlag }
        if let features = vmxByProperty[name] { return .vmx(features) }
        if hyperV.contains(name) { return .hyperV }
        if other.contains(name) { return .other }
        return nil
    }

    /// QEMU's spelling of a property name: underscores become dashes (`feat2prop()`).
    public static func normalized(_ name: String) -> String {
        String(name.map { $0 == "_" ? "-" : $0 })
    }

    /// The CPUID features that gate single VMX bits in QEMU's `feature_dependencies`, with the
    /// VMX features they gate.
    public static let cpuidGates: [String: [String]] = [
        "xsaves": ["vmx-xsaves"], "rdrand": ["vmx-rdrand-exit"], "invpcid": ["vmx-invpcid-exit"],
        "mpx": ["vmx-exit-clear-bndcfgs", "vmx-entry-load-bndcfgs"], "rdseed": ["vmx-rdseed-exit"],
        "rdtscp": ["vmx-rdtscp-exit"],
    ]

    /// Whether `name` matters for VMX: `vmx`, a `vmx-*` property or a gating CPUID feature.
    public static func affectsVMX(_ name: String) -> Bool {
        name == "vmx" || name.hasPrefix("vmx-") || cpuidGates[name] != nil
    }

    private static let vmxByProperty: [String: [VMXFeature]] = Dictionary(
        grouping: VMXCatalog.features.filter { $0.qemuProperty != nil },
        by: { $0.qemuProperty! }
    )
}
