import EVMCSProtocol
import Foundation
import JSONRPC
import Testing
import VMXModel

/// The daemon's answers are encoded with ``JSONValueEncoder``: for every answer type it must
/// write what `JSONEncoder` (sorted keys, unescaped slashes) writes, so the switch changed no
/// byte on the wire.
@Suite("Answer encoding")
struct AnswerEncodingTests {
    func expectSameBytes(_ value: some Encodable, _ comment: Comment) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let foundation = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(try JSONValueEncoder().encode(value).serializedString == foundation, comment)
    }

    @Test func everyAnswerTypeEncodesAsJSONEncoderDoes() throws {
        let profile = try ExporterTests.profile()
        let old = try DocumentLoader.hostProfile(
            from: Data(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("Docs/examples/skylake-5.10.json")
            )
        )
        try expectSameBytes(profile, "host profile")
        try expectSameBytes(HostEVMCSReport(profile), "host.evmcs")
        try expectSameBytes(HostVMXReport(profile, view: nil), "host.vmx")
        try expectSameBytes(CompatibilityChecker.check(from: profile, to: old, evmcs: true), "verdict")
        try expectSameBytes(try Baseline(of: [profile, old]), "baseline")
        try expectSameBytes(try Pools(of: [profile, old], evmcs: true), "pools")
        try expectSameBytes(ProfileDiff.between(old, profile), "profile changes")
        try expectSameBytes(VMRequirements(startedOn: profile, evmcs: true), "VM requirements")
    }
}
