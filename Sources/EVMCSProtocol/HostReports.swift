import VMXModel

/// The answer of `host.evmcs`: whether eVMCS is available here, and what an eVMCS guest sees.
public struct HostEVMCSReport: Codable, Hashable, Sendable {
    public var supported: Bool
    public var versionLow: Int?
    public var versionHigh: Int?
    /// Why eVMCS is unsupported (or unknown).
    public var reason: Provenance.Reason?
    public var kernelRelease: String?
    /// The effective era's name (measured, else declared, else derived), when there is one.
    public var era: EVMCSEra?
    /// The effective era with its basis, matching eras and differences (`evmcs.effectiveEra`).
    public var effectiveEra: EffectiveEra?
    /// The guest views: `guest` (Hyper-V CPUID 0x4000000A.EBX[0] clear, QEMU's setting) and
    /// `guestPerfGlobalCtrl` (bit set).
    public var views: [String: GuestView]
    public var fingerprint: String?

    public struct GuestView: Codable, Hashable, Sendable {
        public var perfGlobalCtrl: Bool
        public var obtained: Provenance?
        public var msrs: VMXMSRSet?
        /// Features the host-initiated view offers that this guest view hides.
        public var removed: [String]
        /// Every catalogued control of the filtered MSRs with its state in this view.
        public var features: [String: FeatureState]
    }

    /// The report of `profile`.
    public init(_ profile: HostProfile) {
        switch profile.evmcsSupport {
        case .supported(let low, let high, _):
            supported = true
            versionLow = low
            versionHigh = high
        case .unsupported(let why):
            supported = false
            reason = why
        case .unknown(let why):
            supported = false
            reason = Provenance.Reason(code: "unknown", message: why)
        }
        kernelRelease = profile.kernel?.release
        era = profile.evmcsEra
        effectiveEra = profile.effectiveEra
        fingerprint = profile.fingerprint
        let hostView = profile.vmx?.vcpu ?? profile.vmx?.system ?? VMXMSRSet()
        var views: [String: GuestView] = [:]
        for (name, perfGlobalCtrl) in [("guest", false), ("guestPerfGlobalCtrl", true)] {
            let set = profile.recordedGuestView(perfGlobalCtrl: perfGlobalCtrl)
            var features: [String: FeatureState] = [:]
            var removed: [String] = []
            if let set {
                for feature in VMXCatalog.features where feature.group.encoding != .flags64 {
                    let state = VMXDecoder.state(of: feature, in: set)
                    features[feature.name] = state
                    if !state.isAvailable && VMXDecoder.state(of: feature, in: hostView).isAvailable {
                        removed.append(feature.name)
                    }
                }
            }
            views[name] = GuestView(
                perfGlobalCtrl: perfGlobalCtrl,
                obtained: profile.vmx?.obtained?[name],
                msrs: set,
                removed: removed,
                features: features
            )
        }
        self.views = views
    }
}

/// The answer of `host.vmx`: each VMX view with its values, provenance, feature states and
/// fields.
public struct HostVMXReport: Codable, Hashable, Sendable {
    public var views: [String: View]
    public var fingerprint: String?

    public struct View: Codable, Hashable, Sendable {
        public var obtained: Provenance?
        public var msrs: VMXMSRSet?
        public var features: [String: FeatureState]
        public var fields: [String: String]
    }

    /// The view names, in the order they are documented.
    public static let viewNames = ["system", "vcpu", "guest", "guestPerfGlobalCtrl"]

    /// The report of `profile`, all views or only `view`.
    public init(_ profile: HostProfile, view only: String? = nil) {
        var views: [String: View] = [:]
        let sets: [String: VMXMSRSet?] = [
            "system": profile.vmx?.system, "vcpu": profile.vmx?.vcpu, "guest": profile.vmx?.guest,
            "guestPerfGlobalCtrl": profile.vmx?.guestPerfGlobalCtrl,
        ]
        for name in Self.viewNames where only == nil || only == name {
            let set = sets[name] ?? nil
            var features: [String: FeatureState] = [:]
            var fields: [String: String] = [:]
            if let set {
                let decoded = VMXDecoder.decode(set)
                for feature in decoded.features { features[feature.name] = feature.state }
                for field in decoded.fields { if let value = field.value { fields[field.name] = value } }
            }
            views[name] = View(obtained: profile.vmx?.obtained?[name], msrs: set, features: features, fields: fields)
        }
        self.views = views
        fingerprint = profile.fingerprint
    }
}
