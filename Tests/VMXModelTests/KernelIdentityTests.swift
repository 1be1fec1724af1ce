import Testing

@testable import VMXModel

/// Real `uname -r` / `uname -v` / `/proc/version_signature` strings → upstream base → era.
@Suite struct KernelIdentityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var release: String
        var version: String?
        var signature: String?
        var upstream: String
        var sublevelKnown: Bool
        var basis: KernelIdentity.Basis
        var distribution: String?
        var era: EVMCSEra
        var ambiguous: Bool
        var testDescription: String { release }
    }

    static let cases: [Case] = [
        // Debian 11: the ABI name hides 5.10.209/5.10.223; uname -v names them.
        Case(
            release: "5.10.0-28-amd64", version: "#1 SMP Debian 5.10.209-2 (2024-01-31)", upstream: "5.10.209",
            sublevelKnown: true, basis: .version, distribution: "debian", era: .v5_17, ambiguous: false
        ),
        Case(
            release: "5.10.0-32-amd64", version: "#1 SMP Debian 5.10.223-1 (2024-08-10)", upstream: "5.10.223",
            sublevelKnown: true, basis: .version, distribution: "debian", era: .v5_17, ambiguous: false
        ),
        // Debian 11.0's kernel: 5.10.46, before both backports.
        Case(
            release: "5.10.0-8-amd64", version: "#1 SMP Debian 5.10.46-4 (2021-08-03)", upstream: "5.10.46",
            sublevelKnown: true, basis: .version, distribution: "debian", era: .v5_6, ambiguous: false
        ),
        // Between the two 5.10 backports: the 5.15 deny lists, TRUE_PINBASED not yet filtered.
        Case(
            release: "5.10.0-10-amd64", version: "#1 SMP Debian 5.10.84-1 (2021-12-08)", upstream: "5.10.84",
            sublevelKnown: true, basis: .version, distribution: "debian", era: .v5_15, ambiguous: false
        ),
        // The ABI name alone: ambiguous.
        Case(
            release: "5.10.0-28-amd64", upstream: "5.10.0", sublevelKnown: false, basis: .abiName,
            distribution: "debian", era: .v5_6, ambiguous: true
        ),
        Case(
            release: "6.1.0-27-amd64", version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)",
            upstream: "6.1.115", sublevelKnown: true, basis: .version, distribution: "debian", era: .v6_1,
            ambiguous: false
        ),
        Case(
            release: "6.12.117+deb13-amd64", version: "#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1 (2026-11-05)",
            upstream: "6.12.117", sublevelKnown: true, basis: .version, distribution: "debian", era: .v6_3,
            ambiguous: false
        ),
        // Ubuntu: /proc/version_signature names the base; uname -v does not.
        Case(
            release: "5.15.0-91-generic", version: "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023",
            signature: "Ubuntu 5.15.0-91.101-generic 5.15.131", upstream: "5.15.131", sublevelKnown: true,
            basis: .versionSignature, distribution: "ubuntu", era: .v5_17, ambiguous: false
        ),
        Case(
            release: "5.15.0-91-generic", version: "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023",
            upstream: "5.15.0", sublevelKnown: false, basis: .abiName, distribution: "ubuntu", era: .v5_15,
            ambiguous: true
        ),
        Case(
            release: "6.8.0-45-generic", version: "#45~22.04.1-Ubuntu SMP PREEMPT_DYNAMIC Wed Sep 11 15:25:05 UTC 2",
            signature: "Ubuntu 6.8.0-45.45~22.04.1-generic 6.8.12", upstream: "6.8.12", sublevelKnown: true,
            basis: .versionSignature, distribution: "ubuntu", era: .v6_3, ambiguous: false
        ),
        // Fedora and upstream: the release is the upstream version.
        Case(
            release: "6.8.9-300.fc40.x86_64", version: "#1 SMP PREEMPT_DYNAMIC Thu May  2 18:59:06 UTC 2024",
            upstream: "6.8.9", sublevelKnown: true, basis: .release, distribution: "fedora", era: .v6_3,
            ambiguous: false
        ),
        Case(
            release: "5.15.23", upstream: "5.15.23", sublevelKnown: true, basis: .release, era: .v5_15,
            ambiguous: false
        ),
        Case(
            release: "5.15.24", upstream: "5.15.24", sublevelKnown: true, basis: .release, era: .v5_17,
            ambiguous: false
        ),
        Case(
            release: "5.4.179", upstream: "5.4.179", sublevelKnown: true, basis: .release, era: .v4_20,
            ambiguous: false
        ),
        Case(
            release: "5.4.180-1-lts", upstream: "5.4.180", sublevelKnown: true, basis: .release, era: .v5_4_180,
            ambiguous: false
        ),
        Case(
            release: "5.14.9", upstream: "5.14.9", sublevelKnown: true, basis: .release, era: .v5_6,
            ambiguous: false
        ),
        Case(
            release: "5.16.10", upstream: "5.16.10", sublevelKnown: true, basis: .release, era: .v5_17,
            ambiguous: false
        ),
        // RHEL and its rebuilds (Rocky and Alma ship the same release names): vendor kernels.
        Case(
            release: "4.18.0-553.el8_10.x86_64", version: "#1 SMP Fri May 10 15:19:13 EDT 2024", upstream: "4.18.0",
            sublevelKnown: false, basis: .vendor, distribution: "rhel (el8)", era: .preEVMCS, ambiguous: true
        ),
        Case(
            release: "5.14.0-427.13.1.el9_4.x86_64", upstream: "5.14.0", sublevelKnown: false, basis: .vendor,
            distribution: "rhel (el9)", era: .v5_6, ambiguous: true
        ),
        Case(
            release: "5.14.0-503.14.1.el9_5.x86_64", version: "#1 SMP PREEMPT_DYNAMIC Fri Nov 15 12:04:32 UTC 2024",
            upstream: "5.14.0", sublevelKnown: false, basis: .vendor, distribution: "rhel (el9)", era: .v5_6,
            ambiguous: true
        ),
        Case(
            // Rocky Linux 8.10
            release: "4.18.0-553.5.1.el8_10.x86_64", version: "#1 SMP Thu Jun 6 09:41:19 UTC 2024", upstream: "4.18.0",
            sublevelKnown: false, basis: .vendor, distribution: "rhel (el8)", era: .preEVMCS, ambiguous: true
        ),
        Case(
            // AlmaLinux 9.4
            release: "5.14.0-427.22.1.el9_4.x86_64", version: "#1 SMP PREEMPT_DYNAMIC Mon Jun 17 09:21:42 EDT 2024",
            upstream: "5.14.0", sublevelKnown: false, basis: .vendor, distribution: "rhel (el9)", era: .v5_6,
            ambiguous: true
        ),
    ]

    @Test(arguments: cases)
    func parsesAndChoosesTheEra(_ c: Case) throws {
        let identity = try #require(KernelIdentity(release: c.release, version: c.version, versionSignature: c.signature))
        let upstream = identity.upstream
        #expect("\(upstream.major).\(upstream.minor).\(upstream.patch)" == c.upstream)
        #expect(identity.sublevelKnown == c.sublevelKnown)
        #expect(identity.basis == c.basis)
        #expect(identity.distribution == c.distribution)
        let derived = DerivedEra(identity, release: c.release)
        #expect(derived.era == c.era)
        #expect((derived.ambiguity != nil) == c.ambiguous)
        if let ambiguity = derived.ambiguity {
            #expect(ambiguity.contains(c.release) && ambiguity.contains("measure it"))
        }
    }

    @Test(arguments: ["", "linux", "v6.8", "-6.8"])
    func unparseableReleasesHaveNoIdentity(_ release: String) {
        #expect(KernelIdentity(release: release) == nil)
    }

    /// A damaged `uname -v` or signature falls back to the release, never crashes.
    @Test(arguments: [
        "#1 SMP Debian", "#1 SMP Debian x.y.z-1", "#1 SMP Debian 5.10-1", "Debian 5.10.209.1-2", "",
        "#1 SMP Debian 99999999999999999999.1.2-1",
    ])
    func damagedVersionStringsFallBackToTheRelease(_ version: String) throws {
        let identity = try #require(
            KernelIdentity(release: "5.10.0-28-amd64", version: version, versionSignature: "Ubuntu garbage")
        )
        #expect(identity.basis == .abiName && !identity.sublevelKnown)
    }

    @Test func restoreAgainstHostValuesFollowsTheBackports() throws {
        func restores(_ release: String, _ version: String? = nil) throws -> Bool? {
            let identity = try #require(KernelIdentity(release: release, version: version))
            return DerivedEra(identity, release: release).restoresAgainstHostValues
        }
        #expect(try restores("5.4.210") == false)
        #expect(try restores("5.4.211") == true)
        #expect(try restores("5.10.136") == false)
        #expect(try restores("5.10.0-18-amd64", "#1 SMP Debian 5.10.140-1 (2022-09-02)") == true)
        #expect(try restores("5.3.18") == false)
        #expect(try restores("6.0.1") == true)
        #expect(try restores("5.4.0-150-generic") == nil, "a 5.4 ABI name does not tell")
    }

    @Test func everyBackportThresholdNamesItsSource() {
        for backport in StableBackport.table {
            #expect(!backport.source.isEmpty && !backport.change.isEmpty)
        }
        // The branch's era never goes backwards as the sublevel grows.
        for branch in Set(StableBackport.table.map { "\($0.major).\($0.minor)" }) {
            let parts = branch.split(separator: ".").compactMap { Int($0) }
            var previous = EVMCSEra.preEVMCS
            for sublevel in stride(from: 0, through: 300, by: 1) {
                let release = "\(parts[0]).\(parts[1]).\(sublevel)"
                let era = DerivedEra(KernelIdentity(release: release)!, release: release).era
                #expect(era >= previous, "\(release)")
                previous = era
            }
        }
    }
}
