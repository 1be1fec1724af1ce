/// Which kernel era's eVMCS filter a host really has, and what that rests on: the
/// `evmcs.effectiveEra` of a host profile (Docs/documents.md).
///
/// A measured profile states the era whose filter reproduces its measured guest views on every
/// bit its host offers, or `none` with the differing bits when no era does (a new kernel, or a
/// vendor kernel with its own mix). Without a measurement it is the declared era
/// (`kernel.evmcsEra`) or the one derived from the kernel's identity.
///
/// ```json
/// {"era": "5.17", "basis": "measured", "matching": ["5.17"]}
/// {"era": "none", "basis": "measured", "matching": [], "differences": [{"view": "guest", "msr": "0x48b", "hiddenOnlyMeasured": [10], "hiddenOnlyByModel": []}]}
/// ```
public struct EffectiveEra: Codable, Hashable, Sendable {
    /// What a guest view (or an era) rests on.
    public enum Basis: String, Codable, Sendable, CaseIterable {
        /// Read by the RDMSR guest on the host.
        case measured
        /// Named by the profile (`kernel.evmcsEra`).
        case declared
        /// Chosen from the kernel's identity: upstream base and stable sublevel.
        case derived
    }

    /// The era in effect; `nil` (written `"none"`) when no era reproduces the measurement.
    public var era: EVMCSEra?
    public var basis: Basis
    /// Measured: every era whose filter reproduces the measured views.
    public var matching: [EVMCSEra]?
    /// Measured and no era matches: where the measurement differs from the kernel's nominal era.
    public var differences: [Difference]?
    /// Why a derived era may be wrong (see ``DerivedEra/ambiguity``).
    public var note: String?

    public init(
        era: EVMCSEra?,
        basis: Basis,
        matching: [EVMCSEra]? = nil,
        differences: [Difference]? = nil,
        note: String? = nil
    ) {
        self.era = era
        self.basis = basis
        self.matching = matching
        self.differences = differences
        self.note = note
    }

    /// The era's name, or `none`.
    public var label: String { era?.rawValue ?? "none" }

    /// One filtered MSR of one guest view where the measurement and the nominal era differ.
    public struct Difference: Codable, Hashable, Sendable {
        /// `guest` (EBX[0] clear) or `guestPerfGlobalCtrl` (EBX[0] set).
        public var view: String
        public var msr: String
        /// Bits the measurement hides and the model shows (control bit numbers for controls).
        public var hiddenOnlyMeasured: [Int]
        /// Bits the model hides and the measurement shows.
        public var hiddenOnlyByModel: [Int]

        public init(view: String, msr: MSRIndex, hiddenOnlyMeasured: [Int], hiddenOnlyByModel: [Int]) {
            self.view = view
            self.msr = msr.hex
            self.hiddenOnlyMeasured = hiddenOnlyMeasured
            self.hiddenOnlyByModel = hiddenOnlyByModel
        }

        private enum CodingKeys: String, CodingKey, CaseIterable { case view, msr, hiddenOnlyMeasured, hiddenOnlyByModel }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            view = try c.decode(String.self, forKey: .view)
            msr = try c.decode(String.self, forKey: .msr)
            hiddenOnlyMeasured = try c.decode([Int].self, forKey: .hiddenOnlyMeasured)
            hiddenOnlyByModel = try c.decode([Int].self, forKey: .hiddenOnlyByModel)
        }
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case era, basis, matching, differences, note }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .era)
        if name == "none" {
            era = nil
        } else if let era = EVMCSEra(rawValue: name) {
            self.era = era
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .era,
                in: c,
                debugDescription:
                    "unknown eVMCS era \"\(name)\"; expected none or one of \(EVMCSEra.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        basis = try c.decode(Basis.self, forKey: .basis)
        matching = try c.decodeIfPresent([EVMCSEra].self, forKey: .matching)
        differences = try c.decodeIfPresent([Difference].self, forKey: .differences)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .era)
        try c.encode(basis, forKey: .basis)
        try c.encodeIfPresent(matching, forKey: .matching)
        try c.encodeIfPresent(differences, forKey: .differences)
        try c.encodeIfPresent(note, forKey: .note)
    }
}

extension EffectiveEra {
    /// The effective era of `profile`: from its measured guest views when it has them, else its
    /// declared era, else the era its kernel identity gives; `nil` when it has none of these.
    public static func infer(for profile: HostProfile) -> EffectiveEra? {
        let nominal = profile.nominalEra
        guard let vcpu = profile.observedView(.vcpu) else { return fallback(profile) }
        let measured = VMXViewName.guestViews.compactMap { view, perfGlobalCtrl in
            profile.observedView(view).map { (name: view.rawValue, perfGlobalCtrl: perfGlobalCtrl, view: $0) }
        }
        guard !measured.isEmpty else { return fallback(profile) }
        let candidates = EVMCSEra.allCases.filter { $0 != .preEVMCS }
        let matching = candidates.filter { era in
            // 4.20–5.5-style eras filter the vCPU's own MSRs: they explain a measurement only
            // when the vCPU view is already filtered.
            if era.filtersVCPUState, EVMCSFilter(era: era, perfGlobalCtrl: false).apply(to: vcpu) != vcpu { return false }
            return measured.allSatisfy {
                EVMCSFilter(era: era, perfGlobalCtrl: $0.perfGlobalCtrl).reproduces($0.view, from: vcpu)
            }
        }
        if matching.isEmpty {
            let reference = nominal ?? .v6_3
            let differences = measured.flatMap { entry in
                EVMCSFilter(era: reference, perfGlobalCtrl: entry.perfGlobalCtrl).differences(
                    from: entry.view,
                    vcpu: vcpu,
                    viewName: entry.name
                )
            }
            return EffectiveEra(era: nil, basis: .measured, matching: [], differences: differences)
        }
        return EffectiveEra(era: nearest(in: matching, to: nominal), basis: .measured, matching: matching)
    }

    private static func fallback(_ profile: HostProfile) -> EffectiveEra? {
        if let declared = profile.kernel?.evmcsEra { return EffectiveEra(era: declared, basis: .declared) }
        guard let derived = profile.derivedEra else { return nil }
        return EffectiveEra(era: derived.era, basis: .derived, note: derived.ambiguity)
    }

    /// The matching era closest to the nominal one (the nominal one itself when it matches);
    /// of two equally close, the newer.
    private static func nearest(in matching: [EVMCSEra], to nominal: EVMCSEra?) -> EVMCSEra {
        guard let nominal, let target = EVMCSEra.allCases.firstIndex(of: nominal) else { return matching.last! }
        return matching.min { lhs, rhs in
            let l = abs(EVMCSEra.allCases.firstIndex(of: lhs)! - target)
            let r = abs(EVMCSEra.allCases.firstIndex(of: rhs)! - target)
            return l != r ? l < r : lhs > rhs
        }!
    }
}

extension EVMCSFilter {
    /// Whether this filter applied to `vcpu` gives exactly `guest` on every MSR both report.
    func reproduces(_ guest: VMXMSRSet, from vcpu: VMXMSRSet) -> Bool {
        let model = apply(to: vcpu)
        return guest.entries.allSatisfy { entry in model[entry.index].map { $0 == entry.value } ?? true }
    }

    /// Where `guest` (measured) and this filter applied to `vcpu` differ, per filtered MSR.
    func differences(from guest: VMXMSRSet, vcpu: VMXMSRSet, viewName: String) -> [EffectiveEra.Difference] {
        let model = apply(to: vcpu)
        return Self.filteredMSRs.compactMap { index in
            guard let seen = guest[index], let modelled = model[index], let offered = vcpu[index] else { return nil }
            let shift: UInt64 = index == .vmxVMFunc ? 0 : 32
            let hiddenMeasured = (offered & ~seen) >> shift
            let hiddenModel = (offered & ~modelled) >> shift
            guard hiddenMeasured != hiddenModel else { return nil }
            return EffectiveEra.Difference(
                view: viewName,
                msr: index,
                hiddenOnlyMeasured: Array(BitNaming.bits(of: hiddenMeasured & ~hiddenModel)),
                hiddenOnlyByModel: Array(BitNaming.bits(of: hiddenModel & ~hiddenMeasured))
            )
        }
    }
}
