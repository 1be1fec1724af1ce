import VMXModel

/// One line for humans on an effective era: `5.17 (measured; also matches 5.4.180)`,
/// `none (measured; differs from every era: 0x48b guest hides 10)`, `5.6 (derived: …)`.
struct EffectiveEraText {
    let era: EffectiveEra

    init(_ era: EffectiveEra) { self.era = era }

    var summary: String {
        var details = [era.basis.rawValue]
        let others = (era.matching ?? []).filter { $0 != era.era }
        if !others.isEmpty { details.append("also matches \(others.map(\.rawValue).joined(separator: ", "))") }
        if let differences = era.differences, !differences.isEmpty {
            let listed = differences.map { difference in
                var parts: [String] = []
                if !difference.hiddenOnlyMeasured.isEmpty {
                    parts.append("hides \(difference.hiddenOnlyMeasured.map(String.init).joined(separator: ","))")
                }
                if !difference.hiddenOnlyByModel.isEmpty {
                    parts.append("shows \(difference.hiddenOnlyByModel.map(String.init).joined(separator: ","))")
                }
                return "\(difference.msr) \(difference.view) \(parts.joined(separator: " and "))"
            }
            details.append("no era matches: " + listed.joined(separator: "; "))
        }
        if let note = era.note { details.append(note) }
        return "\(era.label) (\(details.joined(separator: "; ")))"
    }
}
