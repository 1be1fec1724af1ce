import VMXModel

/// Prints a decoded MSR set as vmxcap does: one section per feature group, one line per
/// feature, multi-bit fields first; optionally a second column for the eVMCS guest view.
struct FeatureTableRenderer {
    let style: TerminalStyle

    func render(title: String, set: VMXMSRSet, guest: (set: VMXMSRSet, heading: String)?) {
        style.print(style.bold(title))
        let decoded = VMXDecoder.decode(set)
        let guestDecoded = guest.map { VMXDecoder.decode($0.set) }
        for group in VMXFeatureGroup.allCases {
            let msr = group.msr
            let raw = set[msr] ?? group.plainMSR.flatMap { set[$0] }
            style.print("")
            style.print(
                style.bold(group.title) + "  "
                    + style.dim("\(msr.qemuLabel) \(raw.map(HexNumber.format64) ?? "not reported")")
            )
            var table = Table()
            if group == .basic || group == .misc {
                for field in decoded.fields where MSRIndex(hex: field.msr) == msr {
                    table.add([field.summary + " " + field.bits, field.value ?? "not reported"])
                }
            }
            for (index, feature) in decoded.features.enumerated() where feature.group == group {
                var cells = [feature.name, feature.summary, state(feature.state)]
                var plain = [feature.name, feature.summary, feature.state.rawValue]
                if let guestFeature = guestDecoded?.features[index] {
                    let lost = feature.state.isAvailable && !guestFeature.state.isAvailable
                    cells.append(
                        lost ? style.red("\(guestFeature.state.rawValue) (removed)") : state(guestFeature.state)
                    )
                    plain.append(lost ? "\(guestFeature.state.rawValue) (removed)" : guestFeature.state.rawValue)
                }
                table.add(cells, plain: plain)
            }
            if let guest, table.isEmpty == false, group != .basic && group != .misc {
                style.print(style.dim("  feature / meaning / this view / \(guest.heading)"))
            }
            for line in table.render() { style.print(line) }
        }
        otherFields(decoded)
    }

    private func otherFields(_ decoded: DecodedVMX) {
        style.print("")
        style.print(style.bold("Other fields"))
        var table = Table()
        for field in decoded.fields where ![MSRIndex.vmxBasic, .vmxMisc].contains(MSRIndex(hex: field.msr)) {
            table.add([field.summary, field.msr, field.value ?? "not reported"])
        }
        for line in table.render() { style.print(line) }
    }

    private func state(_ state: FeatureState) -> String {
        switch state {
        case .yes, .default: style.green(state.rawValue)
        case .forced: style.yellow(state.rawValue)
        case .no, .invalid: state.rawValue
        case .notReported: style.dim(state.rawValue)
        }
    }
}
