/// Hosts grouped by capability fingerprint, with the migration matrix between the groups:
/// the `evmcsd.pools/1` document.
public struct Pools: Codable, Hashable, Sendable {
    public static let schema = "evmcsd.pools/1"

    public var schema: String = Pools.schema
    public var options: Options
    /// Groups in order of first appearance in the input.
    public var groups: [Group]
    /// One entry per ordered pair of groups (including a group with itself): can a VM started
    /// on a host of `from` with that host's defaults move to a host of `to`?
    public var migrations: [Migration]

    public struct Options: Codable, Hashable, Sendable {
        public var evmcs: Bool
        public var perfGlobalCtrl: Bool
        public var nestedState: Bool
    }

    public struct Group: Codable, Hashable, Sendable {
        /// `G1`, `G2`, … in order of first appearance.
        public var id: String
        public var fingerprint: String
        public var hosts: [String]
        public var cpuVendor: String?
        public var evmcsEra: EVMCSEra?
        public var evmcsSupported: Bool
    }

    public struct Migration: Codable, Hashable, Sendable {
        public var from: String
        public var to: String
        public var compatible: Bool
        public var level: CompatibilityLevel
        public var reasons: [VerdictReason]
    }

    /// The largest number of distinct groups the matrix is computed for (the matrix has
    /// groups² verdicts).
    public static let defaultMaxGroups = 256

    /// Groups `profiles` and computes the matrix.
    ///
    /// - Parameters:
    ///   - names: host names for profiles without `host.name` (e.g. file names); defaults to
    ///     `host N` by position.
    ///   - maxGroups: refuse fleets with more distinct groups than this.
    /// - Throws: ``FleetError`` for an empty fleet or too many groups.
    public init(
        of profiles: [HostProfile],
        names: [String]? = nil,
        evmcs: Bool,
        perfGlobalCtrl: Bool = false,
        nestedState: Bool = false,
        maxGroups: Int = Pools.defaultMaxGroups
    ) throws(FleetError) {
        guard !profiles.isEmpty else { throw FleetError(.noProfiles, "pools need at least one host profile") }
        var indexByContent: [Fingerprint.Content: Int] = [:]
        var members: [[Int]] = []
        for (position, profile) in profiles.enumerated() {
            let content = Fingerprint.Content(profile)
            if let group = indexByContent[content] {
                members[group].append(position)
            } else {
                guard members.count < maxGroups else {
                    throw FleetError(
                        .tooManyGroups,
                        "more than \(maxGroups) distinct capability groups; the migration matrix (groups² verdicts) is limited to \(maxGroups) groups"
                    )
                }
                indexByContent[content] = members.count
                members.append([position])
            }
        }
        let representatives = members.map { profiles[$0[0]] }
        self.options = Options(evmcs: evmcs, perfGlobalCtrl: perfGlobalCtrl, nestedState: nestedState)
        self.groups = members.enumerated().map { number, positions in
            let profile = profiles[positions[0]]
            var supported = false
            if case .supported = profile.evmcsSupport { supported = true }
            return Group(
                id: "G\(number + 1)",
                fingerprint: Fingerprint(of: profile).value,
                hosts: positions.map { profiles[$0].host?.name ?? names?[$0] ?? "host \($0 + 1)" },
                cpuVendor: profile.cpu?.vendor,
                evmcsEra: profile.evmcsEra,
                evmcsSupported: supported
            )
        }
        var migrations: [Migration] = []
        migrations.reserveCapacity(representatives.count * representatives.count)
        for (from, source) in representatives.enumerated() {
            let vm = VMRequirements(
                startedOn: source,
                evmcs: evmcs,
                perfGlobalCtrl: perfGlobalCtrl,
                nestedState: nestedState
            )
            for (to, target) in representatives.enumerated() {
                let verdict = CompatibilityChecker.check(vm, on: target)
                migrations.append(
                    Migration(
                        from: "G\(from + 1)",
                        to: "G\(to + 1)",
                        compatible: verdict.compatible,
                        level: verdict.level,
                        reasons: verdict.reasons
                    )
                )
            }
        }
        self.migrations = migrations
    }
}
