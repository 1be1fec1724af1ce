import EVMCSProtocol
import Foundation
import JSONRPC
import Testing
import VMXModel

/// Every document the daemon takes in params decodes from the parsed tree exactly as Foundation's
/// decoder decodes it from the bytes: the measured profiles of the Intel bench and the examples.
@Suite("Documents decoded from the tree")
struct TreeDecodingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var documents: [URL] {
        let measured = root.appendingPathComponent("Tests/Fixtures/measured")
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: measured.path)) ?? []
        let examples = root.appendingPathComponent("Docs/examples")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        return runs.sorted().map { measured.appendingPathComponent("\($0)/profile.json") }
            + files.sorted().filter { $0.hasSuffix(".json") }.map { examples.appendingPathComponent($0) }
    }

    @Test func everyDocumentDecodesAsFoundationDecodesIt() throws {
        let urls = Self.documents
        #expect(urls.count >= 8, "the fixtures are there")
        for url in urls {
            let bytes = try Data(contentsOf: url)
            let tree = try JSONParser().parse(Array(bytes))
            if tree["schema"]?.string == "evmcsd.vm-requirements/1" {
                let viaTree = try JSONValueDecoder().decode(VMRequirements.self, from: tree)
                #expect(viaTree == (try JSONDecoder().decode(VMRequirements.self, from: bytes)), "\(url.lastPathComponent)")
            } else if tree["schema"]?.string == "evmcsd.host-profile/1" {
                let viaTree = try JSONValueDecoder().decode(HostProfile.self, from: tree)
                #expect(viaTree == (try JSONDecoder().decode(HostProfile.self, from: bytes)), "\(url.lastPathComponent)")
                let check = try JSONValueDecoder().decode(
                    CompatCheckRequest.self,
                    from: .object([.init("from", tree), .init("evmcs", true)])
                )
                guard case .startedOn(let source, true, false, false, nil) = check else {
                    Issue.record("\(url.lastPathComponent): \(check)")
                    continue
                }
                #expect(source == viaTree)
            }
        }
    }
}
