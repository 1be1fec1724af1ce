import Foundation
import Testing

@testable import VMXModel

@Suite("Documents")
struct DocumentTests {
    func loadError(_ text: String) -> DocumentError? {
        do {
            _ = try DocumentLoader.load(Fixtures.json(text))
            return nil
        } catch {
            return error
        }
    }

    @Test func acceptsTheMinimalHandWrittenHostProfile() throws {
        let profile = try DocumentLoader.hostProfile(from: Fixtures.data("Docs/examples/minimal-host.json"))
        #expect(profile.kernel?.release == "6.1.0-27-amd64")
        #expect(profile.evmcsEra == .v6_1)
        #expect(profile.capability("NESTED_STATE") == 8320)
        #expect(profile.evmcsSupport == .supported(low: 1, high: 1, assumedRange: false))
        #expect(profile.vmx?.system?[.vmxTruePinBasedControls] == 0xff_0000_0016)
    }

    @Test func acceptsTheMinimalVMRequirements() throws {
        let vm = try DocumentLoader.vmRequirements(from: Fixtures.data("Docs/examples/vm-windows-evmcs.json"))
        #expect(vm.evmcs == VMRequirements.EVMCS(enabled: true, version: 1, perfGlobalCtrl: false))
        #expect(vm.nestedState)
        #expect(vm.source?.era == .v5_6)
        #expect(vm.vmx.count == 4)
        let bare = try DocumentLoader.vmRequirements(
            from: Fixtures.json(#"{"schema":"evmcsd.vm-requirements/1","evmcs":{"enabled":false}}"#)
        )
        #expect(bare.vmx.isEmpty)
        #expect(!bare.nestedState)
    }

    @Test(arguments: Fixtures.dumpNames)
    func readsRawDumpsAsProfiles(name: String) throws {
        let profile = try Fixtures.dump(name)
        #expect(profile.cpu?.vendor == HostProfile.intelVendor)
        #expect(profile.host?.name == name)
        #expect(profile.vmx?.obtained?["system"]?.method == .recorded)
        #expect(profile.warnings?.first?.code == "raw-dump")
        #expect(profile.evmcsEra == nil)
    }

    @Test func roundTripsAProfile() throws {
        var profile = Fixtures.host("h", kernel: "6.8.0-45-generic", vmx: try Fixtures.msrs("vboxcpudb-i7-5600u"))
        profile.vmx?.obtained = ["system": Provenance(.measured), "guest": Provenance(.derived, era: .v6_3)]
        profile.warnings = [Warning(code: "x", message: "y", msr: .vmxBasic)]
        profile = profile.fingerprinted()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let decoded = try DocumentLoader.hostProfile(from: try encoder.encode(profile))
        #expect(decoded == profile)
    }

    @Test(arguments: [
        (#"[]"#, "$", "expected an object"),
        (#"{"schema":"evmcsd.host-profile/1","#, "$", "not valid JSON"),
        (#"{"kernel":{}}"#, "schema", "missing \"schema\""),
        (#"{"schema":"evmcsd.host-profile/2"}"#, "schema", "unsupported schema version"),
        (#"{"schema":"libvirt.domcaps/1"}"#, "schema", "unknown schema"),
        (#"{"schema":42}"#, "schema", "expected a string"),
        (#"{"schema":"evmcsd.host-profile/1","kernel":{"relase":"6.8"}}"#, "kernel.relase", "unknown field \"relase\""),
        (
            #"{"schema":"evmcsd.host-profile/1","vmx":{"system":{"0x48d":26}}}"#, "vmx.system.0x48d",
            "expected a hex string"
        ),
        (
            #"{"schema":"evmcsd.host-profile/1","vmx":{"system":{"0x48d":"0x1g"}}}"#, "vmx.system.0x48d",
            "not a 0x-prefixed hex number"
        ),
        (
            #"{"schema":"evmcsd.host-profile/1","vmx":{"system":{"1165":"0x1"}}}"#, "vmx.system.1165",
            "MSR index must be a hex string"
        ),
        (
            #"{"schema":"evmcsd.host-profile/1","vmx":{"system":{"0x10a":"0x1"}}}"#, "vmx.system.0x10a",
            "not a VMX capability MSR"
        ),
        (#"{"schema":"evmcsd.host-profile/1","evmcs":{"versionLow":300}}"#, "evmcs.versionLow", "one byte"),
        (
            #"{"schema":"evmcsd.host-profile/1","kvm":{"capabilities":{"NESTED_STATE":"yes"}}}"#,
            "kvm.capabilities.NESTED_STATE", "expected an integer"
        ),
        (#"{"schema":"evmcsd.host-profile/1","kernel":{"evmcsEra":"7.0"}}"#, "kernel.evmcsEra", "7.0"),
        (#"{"schema":"evmcsd.vm-requirements/1","evmcs":{"version":1}}"#, "evmcs.enabled", "missing required field"),
        (#"{"schema":"evmcsd.vm-requirements/1","nestedState":"true"}"#, "nestedState", "expected true or false"),
        (#"{"schema":"evmcsd.vm-requirements/1","vmx":{"0x480":null}}"#, "vmx.0x480", "expected a hex string"),
        (#"{"msrs":{"0x480":"zz"}}"#, "msrs.0x480", "not a 0x-prefixed hex number"),
    ])
    func rejectsMalformedDocumentsWithAPath(text: String, path: String, message: String) throws {
        let error = try #require(loadError(text))
        #expect(error.path == path)
        #expect(error.message.contains(message), "message was: \(error.message)")
    }

    @Test func extensionKeysAreAllowed() throws {
        let profile = try DocumentLoader.hostProfile(
            from: Fixtures.json(
                #"{"schema":"evmcsd.host-profile/1","x-site":"fra1","cpu":{"vendor":"GenuineIntel","x-rack":"12"}}"#
            )
        )
        #expect(profile.cpu?.vendor == "GenuineIntel")
    }

    @Test func wrongKindIsAnError() {
        #expect(throws: DocumentError.self) {
            try DocumentLoader.vmRequirements(from: Fixtures.data("Docs/examples/minimal-host.json"))
        }
        #expect(throws: DocumentError.self) {
            try DocumentLoader.hostProfile(from: Fixtures.data("Docs/examples/vm-windows-evmcs.json"))
        }
    }

    @Test func derivesRequirementsFromAProfile() throws {
        var profile = Fixtures.host(
            "src",
            kernel: "5.4.0-150-generic",
            vmx: try Fixtures.msrs("cloudhv-profile-skylake")
        )
        profile = profile.fingerprinted()
        let vm = VMRequirements(startedOn: profile, evmcs: true, nestedState: true)
        #expect(vm.source?.kernelRelease == "5.4.0-150-generic")
        #expect(vm.source?.fingerprint == profile.fingerprint)
        #expect(vm.evmcs.enabled && vm.evmcs.version == 1)
        // 4.20–5.5: the vCPU's own values were filtered when eVMCS was enabled.
        #expect(vm.vmx[.vmxTruePinBasedControls] == 0x3f_0000_0016)
        let noEVMCS = VMRequirements(startedOn: profile, evmcs: false)
        #expect(noEVMCS.vmx == profile.vmx?.system)
        #expect(noEVMCS.guestVisible == nil)
    }
}
