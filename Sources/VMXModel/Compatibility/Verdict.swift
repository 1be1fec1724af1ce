/// How a host relates to what a VM needs, in QEMU's comparison vocabulary.
public enum CompatibilityLevel: String, Codable, Sendable, CaseIterable {
    /// The host offers exactly what the VM needs.
    case identical
    /// The host offers everything the VM needs and more: compatible.
    case superset
    /// The host offers strictly less than the VM needs (the reverse move would work).
    case subset
    /// Neither contains the other, or a value that must match does not.
    case incompatible
}

/// Machine-readable cause of an incompatibility (Docs/compatibility.md lists each with the
/// kernel source of the rule).
public enum ReasonCode: String, Codable, Sendable, CaseIterable {
    /// An allowed-1 control or capability flag the VM has is missing on the target.
    case featureMissing = "feature-missing"
    /// The target forces a control to 1 that the VM's value allows to be 0.
    case controlForced = "control-forced"
    /// The target's CR0/CR4_FIXED0 requires a bit to be 1 that the VM's value leaves free.
    case fixedBitRequired = "fixed-bit-required"
    /// A field KVM requires to be equal differs (VMCS revision, MSEG revision, timer rate).
    case fieldMismatch = "field-mismatch"
    /// A field KVM requires to be ≤ the target's is larger (CR3-target count, MSR-list size).
    case fieldTooLarge = "field-too-large"
    /// A field KVM requires to be ≥ the target's is smaller (VMCS region size).
    case fieldTooSmall = "field-too-small"
    /// A bit KVM never accepts is set (IA32_VMX_BASIC bit 48).
    case reservedBit = "reserved-bit"
    /// The VM needs an MSR the target profile does not report.
    case msrNotReported = "msr-not-reported"
    /// KVM does not accept this MSR from userspace at all (PROCBASED_CTLS3).
    case msrNotRestorable = "msr-not-restorable"
    /// The VM uses nested VMX and the target has none.
    case nestedVMXUnavailable = "nested-vmx-unavailable"
    /// The VM uses eVMCS and the target cannot give it.
    case evmcsUnsupported = "evmcs-unsupported"
    /// The target profile does not tell whether eVMCS is available.
    case evmcsSupportUnknown = "evmcs-support-unknown"
    /// The target's eVMCS version range does not contain the VM's version.
    case evmcsVersionUnsupported = "evmcs-version-unsupported"
    /// The target's kernel era is unknown, so its eVMCS guest view cannot be computed.
    case evmcsEraUnknown = "evmcs-era-unknown"
    /// The eVMCS guest saw a control on the source that the target's filter hides.
    case evmcsGuestViewLost = "evmcs-guest-view-lost"
    /// A KVM capability the VM needs (NESTED_STATE, EXCEPTION_PAYLOAD) is missing.
    case capabilityMissing = "capability-missing"

    /// Whether the reason means "the target offers less" (as opposed to a mismatch): a
    /// verdict whose reasons are all shortfalls, with nothing extra on the target, is `subset`.
    public var isShortfall: Bool {
        switch self {
        case .featureMissing, .controlForced, .fixedBitRequired, .fieldTooLarge, .fieldTooSmall,
            .nestedVMXUnavailable, .evmcsUnsupported, .evmcsVersionUnsupported, .evmcsGuestViewLost,
            .capabilityMissing:
            true
        case .fieldMismatch, .reservedBit, .msrNotReported, .msrNotRestorable, .evmcsSupportUnknown,
            .evmcsEraUnknown:
            false
        }
    }
}

/// One reason a VM cannot run on (or be restored on) a host.
public struct VerdictReason: Codable, Hashable, Sendable {
    public var code: ReasonCode
    /// The MSR concerned as `0x48d`, when there is one.
    public var msr: String?
    /// The bit as QEMU numbers it (control bit for controls, MSR bit otherwise).
    public var bit: Int?
    /// The multi-bit field or capability concerned (`vmcs-revision`, `NESTED_STATE`).
    public var field: String?
    /// The feature name (`vmx-posted-intr`), when the bit has one.
    public var feature: String?
    /// `MSR(48DH).vmx-posted-intr [bit 7]`, when a bit is concerned.
    public var label: String?
    /// What the VM needs.
    public var need: String
    /// What the target has.
    public var have: String
    public var message: String

    public init(
        code: ReasonCode,
        msr: MSRIndex? = nil,
        bit: Int? = nil,
        field: String? = nil,
        feature: String? = nil,
        label: String? = nil,
        need: String,
        have: String,
        message: String
    ) {
        self.code = code
        self.msr = msr?.hex
        self.bit = bit
        self.field = field
        self.feature = feature
        self.label = label
        self.need = need
        self.have = have
        self.message = message
    }
}

/// The answer to "can this VM run on / be restored on this host": the
/// `evmcsd.verdict/1` document.
public struct Verdict: Codable, Hashable, Sendable {
    public static let schema = "evmcsd.verdict/1"

    public var schema: String = Verdict.schema
    public var compatible: Bool
    public var level: CompatibilityLevel
    public var reasons: [VerdictReason]
    public var warnings: [Warning]
    /// Name of the VM, when it has one.
    public var vm: String?
    /// Name of the target host.
    public var target: String?
    /// The facts the rules used.
    public var context: Context

    public struct Context: Codable, Hashable, Sendable {
        public var evmcs: Bool
        public var perfGlobalCtrl: Bool
        public var nestedState: Bool
        /// The target's eVMCS era in effect (measured, declared or derived), when known.
        public var targetEra: EVMCSEra?
        /// The source's eVMCS era, when the source's guest view rests on one (not measured).
        public var sourceEra: EVMCSEra?
        /// What the source's guest view rests on: `measured`, `declared` or `derived`.
        public var sourceBasis: EffectiveEra.Basis?
        /// What the target's guest view rests on: `measured`, `declared` or `derived`.
        public var targetBasis: EffectiveEra.Basis?

        public init(
            evmcs: Bool,
            perfGlobalCtrl: Bool,
            nestedState: Bool,
            targetEra: EVMCSEra? = nil,
            sourceEra: EVMCSEra? = nil,
            sourceBasis: EffectiveEra.Basis? = nil,
            targetBasis: EffectiveEra.Basis? = nil
        ) {
            self.evmcs = evmcs
            self.perfGlobalCtrl = perfGlobalCtrl
            self.nestedState = nestedState
            self.targetEra = targetEra
            self.sourceEra = sourceEra
            self.sourceBasis = sourceBasis
            self.targetBasis = targetBasis
        }
    }
}
