import Foundation
import Testing

@testable import VMXModel

@Suite("Fingerprints")
struct FingerprintTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func sha256MatchesFIPS180Vectors(input: String, digest: String) {
        #expect(SHA256.hexDigest(of: Array(input.utf8)) == digest)
    }

    @Test func sha256MatchesSha256sumOnEveryLength() throws {
        // Lengths around the 55/56/64-byte padding boundaries, checked against coreutils.
        let tool = URL(fileURLWithPath: "/usr/bin/sha256sum")
        try #require(FileManager.default.isExecutableFile(atPath: tool.path), "coreutils sha256sum is needed")
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let process = Process()
            process.executableURL = tool
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data(bytes))
            try input.fileHandleForWriting.close()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(SHA256.hexDigest(of: bytes) == String(text.prefix(64)), "length \(length)")
        }
    }

    @Test func canonicalJSONSortsAndEscapes() {
        let value = CanonicalJSON.object(["b": .integer(-1), "a": .string("x\"\\\n\u{1}é"), "c": .bool(true)])
        #expect(String(decoding: value.bytes, as: UTF8.self) == #"{"a":"x\"\\\n\u0001é","b":-1,"c":true}"#)
    }

    @Test func ignoresHostNamesTimesAndProbeDetails() throws {
        let vmx = try Fixtures.msrs("vmxcaps-6500")
        var a = Fixtures.host("alpha", kernel: "6.8.0-45-generic", vmx: vmx)
        var b = Fixtures.host("beta", kernel: "6.8.0-47-generic", vmx: vmx)
        a.generatedAt = "2026-11-25T10:00:00Z"
        b.generatedAt = "2026-11-26T11:00:00Z"
        b.host?.bootId = "2f6c…"
        b.probe = HostProfile.ProbeReport(durationMicros: 1234, steps: [])
        b.warnings = [Warning(code: "w", message: "m")]
        b.cpu?.microcode = "0xf0"
        #expect(Fingerprint(of: a) == Fingerprint(of: b))
        #expect(Fingerprint(of: a).value.hasPrefix("sha256:"))
        #expect(Fingerprint(of: a).value.count == 7 + 64)
    }

    @Test func changesWithCapabilityContent() throws {
        let vmx = try Fixtures.msrs("vmxcaps-6500")
        let base = Fixtures.host("h", kernel: "6.8.0", vmx: vmx)
        var otherEra = base
        otherEra.kernel?.release = "6.1.0-27-amd64"
        var otherValue = base
        otherValue.vmx?.system?[.vmxVMFunc] = 0
        var otherCap = base
        otherCap.kvm?.capabilities?["NESTED_STATE"] = 0
        for changed in [otherEra, otherValue, otherCap] {
            #expect(Fingerprint(of: changed) != Fingerprint(of: base))
        }
    }

    @Test func isStableUnderKeyOrder() throws {
        let one =
            #"{"schema":"evmcsd.host-profile/1","cpu":{"vendor":"GenuineIntel"},"kernel":{"release":"6.8.0"},"kvm":{"capabilities":{"NESTED_STATE":8320,"HYPERV_ENLIGHTENED_VMCS":1}},"vmx":{"system":{"0x48d":"0xff00000016","0x480":"0xd8100011e57ed0"}}}"#
        let two =
            #"{"vmx":{"system":{"0x480":"0x00d8100011e57ed0","0x48D":"0x000000ff00000016"}},"kvm":{"capabilities":{"HYPERV_ENLIGHTENED_VMCS":1,"NESTED_STATE":8320}},"kernel":{"release":"6.8.0"},"cpu":{"vendor":"GenuineIntel"},"schema":"evmcsd.host-profile/1"}"#
        let a = try DocumentLoader.hostProfile(from: Fixtures.json(one))
        let b = try DocumentLoader.hostProfile(from: Fixtures.json(two))
        #expect(Fingerprint(of: a) == Fingerprint(of: b))
        // Pinned: if this changes, every deployed fingerprint changes (a schema bump). The digest
        // is sha256 of this canonical text, computed independently with Python's hashlib:
        // {"capabilities":{"HYPERV_ENLIGHTENED_VMCS":1,"NESTED_STATE":8320},"cpuVendor":"GenuineIntel",
        // "evmcs":{},"evmcsEra":"6.3","schema":"evmcsd.fingerprint/1",
        // "vmx":{"system":{"0x480":"0x00d8100011e57ed0","0x48d":"0x000000ff00000016"}}}
        #expect(Fingerprint(of: a).value == "sha256:93b45d1b1c4e9b37c897a014e200146c199723b71ade1d4f93b1dec113eeb0cc")
    }
}
