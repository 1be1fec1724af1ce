/// Expresses a baseline as QEMU `-cpu` flags.
enum QEMUFlags {
    /// The `-vmx-…` removals that take every host's defaults down to `baseline`, in catalog
    /// order. A QEMU property that covers several bits (QEMU names EPT/VPID bits 25 and 41
    /// alike) removes all of them, so those bits are also cleared from `baseline` to keep the
    /// flags and the values in agreement. Differences no property can express are warnings.
    static func removals(baseline: inout VMXMSRSet, hosts: [VMXMSRSet], warnings: inout [Warning]) -> [String] {
        var properties: [String] = []
        var unexpressible: [String] = []
        for feature in VMXCatalog.features {
            guard baseline[feature.msr] != nil || feature.group.plainMSR.map({ baseline[$0] != nil }) == true else {
                continue
            }
            guard !VMXDecoder.state(of: feature, in: baseline).isAvailable,
                hosts.contains(where: { VMXDecoder.state(of: feature, in: $0).isAvailable })
            else { continue }
            guard let property = feature.qemuProperty else {
                unexpressible.append(feature.name)
                continue
            }
            if !properties.contains("-" + property) { properties.append("-" + property) }
        }
        for feature in VMXCatalog.features {
            guard let property = feature.qemuProperty, properties.contains("-" + property),
                let value = baseline[feature.msr]
            else { continue }
            baseline[feature.msr] = value & ~(1 << UInt64(feature.msrBit))
        }
        if !unexpressible.isEmpty {
            warnings.append(
                Warning(
                    code: "flags-incomplete",
                    message:
                        "QEMU has no property for \(unexpressible.joined(separator: ", ")); the -cpu flags cannot remove them, set the VMX MSR values instead"
                )
            )
        }
        return properties
    }
}
