import VMXModel

/// Renders a Kubernetes node-feature-discovery local feature file (`features.d`): one
/// `<prefix>/<name>=<value>` label per line, with `# +expiry-time` so stale labels vanish
/// if evmcsd stops updating them.
///
/// Labels (prefix `evmcs.kvm.x-k8s.io`, Docs/operations.md):
/// `supported`, `version-low`, `version-high` (0 when unsupported), `nested-vmx`, `nested-state`,
/// `kernel-era`, `fingerprint` (first 16 hex digits), and `guest.<feature>=true` for each
/// VMX control an eVMCS guest sees (Hyper-V CPUID 0x4000000A.EBX[0] clear, QEMU's setting).
public enum NodeFeatureFile {
    public static let prefix = "evmcs.kvm.x-k8s.io"

    /// The file content for `profile`, expiring at `expiry` (RFC 3339).
    public static func render(_ profile: HostProfile, expiry: String) -> String {
        var lines = ["# Written by evmcsd; do not edit.", "# +expiry-time=\(expiry)"]
        func label(_ name: String, _ value: String) { lines.append("\(prefix)/\(name)=\(value)") }
        let evmcs = profile.exportedEVMCS
        let supported = evmcs.supported
        label("supported", String(supported))
        label("version-low", String(evmcs.low))
        label("version-high", String(evmcs.high))
        label("nested-vmx", String(!profile.restoreReference.isEmpty))
        label(
            "nested-state",
            String((profile.capability("NESTED_STATE") ?? 0) > 0 && (profile.capability("EXCEPTION_PAYLOAD") ?? 0) > 0)
        )
        if let era = profile.effectiveEra {
            // The effective era (measured, else declared, else derived) and what it rests on.
            label("kernel-era", era.label)
            label("kernel-era-basis", era.basis.rawValue)
        }
        if let fingerprint = profile.fingerprint, fingerprint.hasPrefix("sha256:") {
            label("fingerprint", String(fingerprint.dropFirst(7).prefix(16)))
        }
        if supported, let guest = profile.vmx?.guest {
            for feature in VMXCatalog.features where feature.group.encoding != .flags64 {
                if VMXDecoder.state(of: feature, in: guest).isAvailable { label("guest.\(feature.name)", "true") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
