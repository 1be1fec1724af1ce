/// The capability fingerprint of a host profile: identical hosts share it.
///
/// It is the SHA-256 of the canonical JSON of the capability-relevant content only: CPU
/// vendor, the eVMCS era in effect, the KVM capabilities, the eVMCS support fields and the
/// four VMX views. Host name, boot id, timestamps, probe durations, microcode, module
/// parameters, warnings and provenance are left out (Docs/documents.md lists the content).
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    /// `sha256:` followed by 64 hex digits.
    public let value: String

    public var description: String { value }

    /// The fingerprint of `profile`.
    public init(of profile: HostProfile) {
        self.init(content: Content(profile))
    }

    init(content: Content) {
        value = "sha256:" + SHA256.hexDigest(of: content.canonicalJSON.bytes)
    }

    /// The fingerprinted content of a profile; Hashable so that large fleets can be grouped
    /// cheaply before any digest is computed.
    struct Content: Hashable {
        var vendor: String?
        var era: EVMCSEra?
        var capabilities: [String: Int]?
        var evmcsSupported: Bool?
        var evmcsVersionLow: Int?
        var evmcsVersionHigh: Int?
        var views: [String: VMXMSRSet]

        init(_ profile: HostProfile) {
            vendor = profile.cpu?.vendor
            era = profile.evmcsEra
            capabilities = profile.kvm?.capabilities
            evmcsSupported = profile.evmcs?.supported
            evmcsVersionLow = profile.evmcs?.versionLow
            evmcsVersionHigh = profile.evmcs?.versionHigh
            var views: [String: VMXMSRSet] = [:]
            for view in VMXViewName.allCases { views[view.rawValue] = profile.vmx?[view] }
            self.views = views
        }

        var canonicalJSON: CanonicalJSON {
            var root: [String: CanonicalJSON] = ["schema": .string("evmcsd.fingerprint/1")]
            root["cpuVendor"] = vendor.map(CanonicalJSON.string)
            root["evmcsEra"] = era.map { .string($0.rawValue) }
            root["capabilities"] = capabilities.map { .object($0.mapValues(CanonicalJSON.integer)) }
            var evmcs: [String: CanonicalJSON] = [:]
            evmcs["supported"] = evmcsSupported.map(CanonicalJSON.bool)
            evmcs["versionLow"] = evmcsVersionLow.map(CanonicalJSON.integer)
            evmcs["versionHigh"] = evmcsVersionHigh.map(CanonicalJSON.integer)
            root["evmcs"] = .object(evmcs)
            root["vmx"] = .object(
                views.mapValues { set in
                    .object(
                        Dictionary(
                            uniqueKeysWithValues: set.entries.map {
                                ($0.index.hex, .string(HexNumber.format64($0.value)))
                            }
                        )
                    )
                }
            )
            return .object(root)
        }
    }
}

extension HostProfile {
    /// This profile with ``fingerprint`` set to the fingerprint of its content.
    public func fingerprinted() -> HostProfile {
        var copy = self
        copy.fingerprint = Fingerprint(of: self).value
        return copy
    }
}
