/// One difference between two host profiles, as `profile.changed` notifications and
/// `host.history` report it.
public struct ProfileChange: Codable, Hashable, Sendable {
    /// Dotted path of the value: `kernel.release`, `kvm.parameters.kvm_intel.nested`,
    /// `vmx.guest.0x48d`, `evmcs.versionHigh`.
    public var path: String
    /// The value before, or `nil` when it was absent.
    public var old: String?
    /// The value after, or `nil` when it is absent now.
    public var new: String?
    /// For MSR values: the catalogued features whose state changed in that view.
    public var features: [FeatureChange]?

    public struct FeatureChange: Codable, Hashable, Sendable {
        public var name: String
        public var label: String
        public var old: FeatureState
        public var new: FeatureState
    }
}

/// Computes what changed between two host profiles.
public enum ProfileDiff {
    /// The differences from `old` to `new`, in a stable order (kernel, CPU, KVM, eVMCS, VMX
    /// views); empty when the profiles agree on everything compared. Timestamps, probe
    /// timings and warnings are not compared.
    public static func between(_ old: HostProfile, _ new: HostProfile) -> [ProfileChange] {
        var changes: [ProfileChange] = []
        func compare(_ path: String, _ before: String?, _ after: String?) {
            if before != after { changes.append(ProfileChange(path: path, old: before, new: after)) }
        }
        compare("kernel.release", old.kernel?.release, new.kernel?.release)
        compare("kernel.evmcsEra", old.evmcsEra?.rawValue, new.evmcsEra?.rawValue)
        compare("cpu.vendor", old.cpu?.vendor, new.cpu?.vendor)
        compare("cpu.microcode", old.cpu?.microcode, new.cpu?.microcode)
        compare(
            "kvm.device.present",
            old.kvm?.device.map { String($0.present) },
            new.kvm?.device.map { String($0.present) }
        )
        compare(
            "kvm.device.readWrite",
            old.kvm?.device?.readWrite.map(String.init),
            new.kvm?.device?.readWrite.map(String.init)
        )
        compareDictionaries("kvm.capabilities", old.kvm?.capabilities, new.kvm?.capabilities, into: &changes)
        let modules = Set((old.kvm?.parameters ?? [:]).keys).union((new.kvm?.parameters ?? [:]).keys)
        for module in modules.sorted() {
            compareDictionaries(
                "kvm.parameters.\(module)",
                old.kvm?.parameters?[module],
                new.kvm?.parameters?[module],
                into: &changes
            )
        }
        compare("evmcs.supported", old.evmcs?.supported.map(String.init), new.evmcs?.supported.map(String.init))
        compare("evmcs.versionLow", old.evmcs?.versionLow.map(String.init), new.evmcs?.versionLow.map(String.init))
        compare("evmcs.versionHigh", old.evmcs?.versionHigh.map(String.init), new.evmcs?.versionHigh.map(String.init))
        for view in VMXViewName.allCases {
            compareViews("vmx.\(view.rawValue)", old.vmx?[view], new.vmx?[view], into: &changes)
        }
        return changes
    }

    private static func compareDictionaries<Value: CustomStringConvertible & Equatable>(
        _ path: String,
        _ old: [String: Value]?,
        _ new: [String: Value]?,
        into changes: inout [ProfileChange]
    ) {
        let keys = Set((old ?? [:]).keys).union((new ?? [:]).keys)
        for key in keys.sorted() where old?[key] != new?[key] {
            changes.append(
                ProfileChange(path: "\(path).\(key)", old: old?[key]?.description, new: new?[key]?.description)
            )
        }
    }

    private static func compareViews(
        _ path: String,
        _ old: VMXMSRSet?,
        _ new: VMXMSRSet?,
        into changes: inout [ProfileChange]
    ) {
        let before = old ?? VMXMSRSet()
        let after = new ?? VMXMSRSet()
        guard before != after else { return }
        for index in MSRIndex.allVMX where before[index] != after[index] {
            let features = VMXCatalog.features.compactMap { feature -> ProfileChange.FeatureChange? in
                guard feature.msr == index || feature.group.plainMSR == index else { return nil }
                let was = VMXDecoder.state(of: feature, in: before)
                let now = VMXDecoder.state(of: feature, in: after)
                return was == now
                    ? nil : ProfileChange.FeatureChange(name: feature.name, label: feature.label, old: was, new: now)
            }
            changes.append(
                ProfileChange(
                    path: "\(path).\(index.hex)",
                    old: before[index].map(HexNumber.format64),
                    new: after[index].map(HexNumber.format64),
                    features: features.isEmpty ? nil : features
                )
            )
        }
    }
}
