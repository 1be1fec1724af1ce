/// What an MSR set says about one feature, with vmxcap's semantics.
public enum FeatureState: String, Codable, Sendable, CaseIterable {
    /// The control must be 0 (or the flag is clear).
    case no
    /// The control may be 0 or 1 (or the flag is set).
    case yes
    /// The control must be 1.
    case forced
    /// The non-TRUE MSR forces the control to 1 but the TRUE MSR allows 0 (a "default1" bit).
    case `default`
    /// The MSR says the control must be 1 yet may not be 1: a contradictory value vmxcap
    /// prints as `?`.
    case invalid
    /// The MSR holding the bit was not reported by this view. Never read as `no`.
    case notReported = "not-reported"

    /// Whether a guest may use the feature (`yes`, `forced` or `default`).
    public var isAvailable: Bool {
        switch self {
        case .yes, .forced, .default: true
        case .no, .invalid, .notReported: false
        }
    }
}
