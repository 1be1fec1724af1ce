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
        for (view, perfGlobalCtrl) in VMXViewName.guestViews {
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
            views[view.rawValue] = GuestView(
                perfGlobalCtrl: perfGlobalCtrl,
                obtained: profile.vmx?[provenanceOf: view],
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

    /// The report of `profile`, all views or only `view`.
    public init(_ profile: HostProfile, view only: VMXViewName? = nil) {
        var views: [String: View] = [:]
        for view in VMXViewName.allCases where only == nil || only == view {
            let set = profile.vmx?[view]
            var features: [String: FeatureState] = [:]
            var fields: [String: String] = [:]
            if let set {
                let decoded = VMXDecoder.decode(set)
                for feature in decoded.features { features[feature.name] = feature.state }
                for field in decoded.fields { if let value = field.value { fields[field.name] = value } }
            }
            views[view.rawValue] = View(
                obtained: profile.vmx?[provenanceOf: view],
                msrs: set,
                features: features,
                fields: fields
            )
        }
        self.views = views
        fingerprint = profile.fingerprint
    }
}
