import EVMCSProtocol
import Foundation
import Testing
import VMXModel

/// Every method and every standard error, against the real binary serving a recorded
/// profile (so it runs the same with or without /dev/kvm).
@Suite("JSON-RPC protocol, end to end", .onBlockingThreads)
struct ProtocolTests {
    func decode<T: Decodable>(_ type: T.Type, _ response: [String: Any]) throws -> T {
        let result = try #require(response["result"], "no result in \(response)")
        return try JSONDecoder().decode(type, from: JSONSerialization.data(withJSONObject: result))
    }

    /// A document from the repository, compacted onto one line (the protocol is one JSON
    /// text per line).
    func fixture(_ path: String) throws -> String {
        let data = try Data(contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent(path))
        let object = try JSONSerialization.jsonObject(with: data)
        return String(
            decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
            as: UTF8.self
        )
    }

    @Test func everyMethodAnswers() throws {
        let daemon = try DaemonProcess()
        let client = try daemon.client()

        let status = try decode(DaemonStatus.self, try client.call("daemon.status"))
        #expect(status.ready)
        #expect(status.version == EVMCSVersion.current)
        #expect(status.source.hasPrefix("recorded "))
        #expect(status.evmcsSupported)

        let profile = try decode(HostProfile.self, try client.call("host.profile"))
        let recorded = try DocumentLoader.hostProfile(from: Data(try fixture("Docs/examples/skylake-6.8.json").utf8))
        #expect(profile.vmx?.system == recorded.vmx?.system)
        #expect(profile.kernel == recorded.kernel)
        let recordedSystem = recorded.vmx?.system ?? VMXMSRSet()
        #expect(profile.vmx?.guest == EVMCSFilter(era: .v6_3, perfGlobalCtrl: false).apply(to: recordedSystem))
        #expect(profile.vmx?.obtained?["guest"]?.method == .derived, "views the recording lacks are derived")
        #expect(profile.fingerprint == Fingerprint(of: profile).value)
        #expect(status.fingerprint == profile.fingerprint)
        let expected = profile

        let evmcs = try decode(HostEVMCSReport.self, try client.call("host.evmcs"))
        #expect(evmcs.supported && evmcs.versionLow == 1 && evmcs.versionHigh == 1)
        #expect(evmcs.era == .v6_3)
        #expect(evmcs.views["guest"]?.removed.contains("vmx-posted-intr") == true)

        let vmx = try decode(HostVMXReport.self, try client.call("host.vmx"))
        #expect(vmx.views["system"]?.features["vmx-posted-intr"] == .yes)
        let system = try decode(HostVMXReport.self, try client.call("host.vmx", params: #"{"view":"system"}"#))
        #expect(system.views.keys.sorted() == ["system"])

        #expect(try decode(ProfileHistory.self, try client.call("host.history")).changes.isEmpty)

        let old = try fixture("Docs/examples/skylake-5.10.46.json")
        let verdict = try decode(
            Verdict.self,
            try client.call("compat.check", params: "{\"from\":\(old),\"evmcs\":true}")
        )
        #expect(!verdict.compatible)
        #expect(verdict.reasons.contains { $0.feature == "vmx-posted-intr" && $0.code == .evmcsGuestViewLost })
        let bare = try decode(
            Verdict.self,
            try client.call("compat.check", params: try fixture("Docs/examples/vm-windows-evmcs.json"))
        )
        #expect(bare.vm == "win2022-vbs")
        let reverse = try decode(
            Verdict.self,
            try client.call("compat.check", params: "{\"from\":\(old),\"evmcs\":false,\"to\":\(old)}")
        )
        #expect(reverse.level == .identical)

        let baseline = try decode(Baseline.self, try client.call("compat.baseline", params: "{\"profiles\":[\(old)]}"))
        #expect(baseline.hosts == 2)
        #expect(baseline.qemuCPUFlags.contains("-vmx-posted-intr"))
        let pools = try decode(
            Pools.self,
            try client.call("compat.pools", params: "{\"profiles\":[\(old)],\"evmcs\":true}")
        )
        #expect(pools.groups.count == 2)
        #expect(pools.migrations.count == 4)

        let subscribed = try decode(SubscriptionResult.self, try client.call("events.subscribe"))
        #expect(subscribed.subscribed && subscribed.fingerprint == expected.fingerprint)
        #expect(try decode(SubscriptionResult.self, try client.call("events.unsubscribe")).subscribed == false)

        if TestMachine.isRoot {
            let refresh = try decode(RefreshResult.self, try client.call("cache.refresh"))
            #expect(!refresh.changed)
            #expect(refresh.fingerprint == expected.fingerprint)
            let reload = try decode(ReloadResult.self, try client.call("daemon.reload"))
            #expect(reload.reloaded)
        }
    }

    @Test func discoverMatchesTheCommittedOpenRPCDocument() throws {
        let daemon = try DaemonProcess()
        let response = try daemon.client().call("rpc.discover")
        let served = try #require(response["result"] as? [String: Any])
        let file = try JSONSerialization.jsonObject(with: Data(try fixture("Docs/openrpc.json").utf8))
        #expect(
            NSDictionary(dictionary: served).isEqual(to: file as? [String: Any] ?? [:]),
            "Docs/openrpc.json is stale: regenerate with evmcsd --print-openrpc > Docs/openrpc.json"
        )
        let names = ((served["methods"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(Set(names) == Set(EVMCSMethod.allCases.map(\.rawValue)))
    }

    @Test func standardErrorsFollowTheSpec() throws {
        let daemon = try DaemonProcess()
        let client = try daemon.client()
        try client.send(#"{"jsonrpc":"2.0","id":1,"method":"#)
        let parse = try client.readJSON()
        #expect(parse.errorCode == -32700)
        #expect(parse["id"] is NSNull)
        try client.send(#"{"jsonrpc":"1.0","id":7,"method":"daemon.status"}"#)
        let invalid = try client.readJSON()
        #expect(invalid.errorCode == -32600)
        #expect(invalid["id"] as? Int == 7)
        #expect(try client.call("no.such.method").errorCode == -32601)
        let params = try client.call("host.vmx", params: #"{"view":"bogus"}"#)
        #expect(params.errorCode == -32602)
        #expect(params.errorData?["field"] as? String == "params.view")
        let unknownKey = try client.call("compat.baseline", params: #"{"profile":[]}"#)
        #expect(unknownKey.errorCode == -32602)
        let noParams = try client.call("daemon.status", params: #"{"verbose":true}"#)
        #expect(noParams.errorCode == -32602)
        #expect(noParams.errorData?["reason"] as? String == "daemon.status takes no params")
        #expect(try client.call("daemon.status", params: "{ }").result != nil, "an empty object is no params")
        #expect(try client.call("host.evmcs", params: "[]").result != nil, "an empty array is no params")
        let document = try client.call(
            "compat.check",
            params: #"{"from":{"schema":"evmcsd.host-profile/1","vmx":{"system":{"0x48d":"zz"}}}}"#
        )
        #expect(document.errorCode == -32012)
        #expect(document.errorData?["field"] as? String == "params.from.vmx.system.0x48d")
        let schema = try client.call("compat.check", params: #"{"schema":"evmcsd.vm-requirements/9"}"#)
        #expect(schema.errorCode == -32012)
        let fleet = try client.call(
            "compat.baseline",
            params:
                #"{"includeLocal":false,"evmcs":true,"profiles":[{"schema":"evmcsd.host-profile/1","cpu":{"vendor":"AuthenticAMD"}}]}"#
        )
        #expect(fleet.errorCode == -32016)
        // The connection survives every error.
        #expect(try client.call("daemon.status").result?["ready"] as? Bool == true)
    }

    @Test func notificationsGetNoResponse() throws {
        let daemon = try DaemonProcess()
        let client = try daemon.client()
        try client.send(#"{"jsonrpc":"2.0","method":"daemon.status"}"#)
        try client.send(#"{"jsonrpc":"2.0","method":"no.such.method"}"#)
        let next = try client.call("host.history", id: 42)
        #expect(next["id"] as? Int == 42, "the first line back answers the request, not the notifications")
    }

    @Test func batchesFollowTheSpec() throws {
        let daemon = try DaemonProcess()
        let client = try daemon.client()
        try client.send("[]")
        let empty = try client.readJSON()
        #expect(empty.errorCode == -32600)
        try client.send(#"[{"jsonrpc":"2.0","method":"daemon.status"},{"jsonrpc":"2.0","method":"host.history"}]"#)
        try client.send(
            #"[{"jsonrpc":"2.0","id":1,"method":"host.history"},{"jsonrpc":"2.0","method":"daemon.status"},5,{"jsonrpc":"2.0","id":"b","method":"nope"}]"#
        )
        let line = try client.readLine()
        let array = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]],
            "the all-notification batch gave no output; the mixed one an array"
        )
        #expect(array.count == 3)
        #expect(array[0]["id"] as? Int == 1 && array[0]["result"] != nil)
        #expect(array[1].errorCode == -32600)
        #expect(array[2]["id"] as? String == "b" && array[2].errorCode == -32601)
    }

    @Test func aThousandPipelinedRequestsAnswerInOrder() throws {
        let daemon = try DaemonProcess()
        let client = try daemon.client()
        let methods = ["daemon.status", "host.evmcs", "host.history", "host.vmx"]
        var text = ""
        for id in 0..<1000 {
            text += "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"\(methods[id % methods.count])\"}\n"
        }
        try client.sendRaw(Array(text.utf8))
        for id in 0..<1000 {
            let response = try client.readJSON()
            #expect(response["id"] as? Int == id)
            #expect(response["result"] != nil)
        }
    }
}
