import Testing

@testable import VMXModel

@Suite("Kernel releases and eVMCS eras")
struct KernelEraTests {
    @Test(arguments: [
        ("6.8.0-45-generic", 6, 8, 0), ("5.14.0-427.el9.x86_64", 5, 14, 0), ("6.1.0-27-amd64", 6, 1, 0),
        ("6.18.44-fc-v595", 6, 18, 44), ("5.15.0-rc3", 5, 15, 0), ("4.20", 4, 20, 0), ("5.10.209", 5, 10, 209),
        ("6.12.0-55.9.1.el10_0.x86_64", 6, 12, 0),
    ])
    func parsesRealReleases(text: String, major: Int, minor: Int, patch: Int) throws {
        let release = try #require(KernelRelease(text))
        #expect(release.major == major)
        #expect(release.minor == minor)
        #expect(release.patch == patch)
        #expect(release.text == text)
    }

    @Test(arguments: ["", "linux", "6", "v6.8", "-6.8"])
    func rejectsNonReleases(text: String) {
        #expect(KernelRelease(text) == nil)
    }

    @Test(arguments: [
        ("4.19.0", EVMCSEra.preEVMCS), ("4.20.0", .v4_20), ("5.4.0-150-generic", .v4_20), ("5.5.19", .v4_20),
        ("5.6.0", .v5_6), ("5.10.0-28-amd64", .v5_6), ("5.14.0-427.el9.x86_64", .v5_6), ("5.15.0-91-generic", .v5_15),
        ("5.16.20", .v5_15), ("5.17.0", .v5_17), ("6.0.19", .v5_17), ("6.1.0-27-amd64", .v6_1), ("6.2.16", .v6_1),
        ("6.3.0", .v6_3), ("6.8.0-45-generic", .v6_3), ("6.18.44-fc-v595", .v6_3),
    ])
    func mapsReleasesToEras(text: String, era: EVMCSEra) throws {
        #expect(EVMCSEra(kernel: try #require(KernelRelease(text))) == era)
    }

    @Test func flagsVendorKernelsWithBackports() {
        #expect(KernelRelease("5.14.0-427.el9.x86_64")?.backportTag == "el9")
        #expect(KernelRelease("4.18.0-553.el8_10.x86_64")?.backportTag == "el8")
        #expect(KernelRelease("6.8.0-45-generic")?.backportTag == nil)
    }

    @Test func explicitEraOverridesTheVersionNumber() {
        var profile = Fixtures.host("rhel", kernel: "5.14.0-427.el9.x86_64", vmx: VMXMSRSet())
        #expect(profile.evmcsEra == .v5_6)
        profile.kernel?.evmcsEra = .v6_3
        #expect(profile.evmcsEra == .v6_3)
    }
}
