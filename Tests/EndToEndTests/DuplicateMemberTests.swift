import Foundation
import Testing

/// Duplicate member names through the daemon's methods: -32602 with the field in params, -32012 with the path
/// inside a document, -32600 with id null for a repeated id.
@Suite("Duplicate members, end to end", .onBlockingThreads)
struct DuplicateMemberEndToEndTests {
    @Test func everyLevelIsRefusedWithItsPath() throws {
        let daemon = try DaemonProcess()
        let client = try daemon.client()
        let view = try client.call("host.vmx", params: #"{"view":"guest","view":"system"}"#)
        #expect(view.errorCode == -32602)
        #expect(view.errorData?["field"] as? String == "params.view")
        #expect(view.errorData?["reason"] as? String == #"duplicate member "view""#)

        let profile = try String(
            contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-5.10.json"),
            encoding: .utf8
        )
        let doubled = profile.replacingOccurrences(
            of: #""0x48d": "0xff00000016","#,
            with: #""0x48d": "0xff00000016", "0x48d": "0x3f00000016","#
        )
        #expect(doubled != profile)
        let line = doubled.replacingOccurrences(of: "\n", with: " ")
        let check = try client.call("compat.check", params: #"{"evmcs":true,"from":"# + line + "}")
        #expect(check.errorCode == -32012)
        #expect(check.errorData?["field"] as? String == "params.from.vmx.system.0x48d")

        try client.send(#"{"jsonrpc":"2.0","id":1,"id":2,"method":"daemon.status"}"#)
        let envelope = try client.readJSON()
        #expect(envelope.errorCode == -32600)
        #expect(envelope["id"] is NSNull)
        #expect(envelope.errorData?["field"] as? String == "id")
    }
}
