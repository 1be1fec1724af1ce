import EVMCSProtocol
import Foundation
import Testing
import VMXModel

/// The real daemon's answers to every method, and the `profile.changed` notification, hold to
/// ``EVMCSSchemas`` (checked by Tools/validate-json-schema.py with Python's jsonschema).
@Suite(.serialized, .timeLimit(.minutes(5)), .onBlockingThreads) struct LiveAnswerSchemaTests {
    /// A document of the repository on one line (the protocol is one JSON text per line).
    private static func document(_ path: String) throws -> String {
        let data = try Data(contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent(path))
        let object = try JSONSerialization.jsonObject(with: data)
        return String(
            decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
            as: UTF8.self
        )
    }

    /// Sends one request and keeps its raw answer line as an instance of `schema`.
    private static func ask(
        _ client: LineClient,
        _ method: String,
        params: String? = nil,
        paramsSchema: String? = nil,
        as schema: String,
        _ label: String,
        into answers: AnswerDirectory
    ) throws {
        // The contract names these schemas for the method; the test's expectation must agree.
        let contract = try #require(EVMCSMethod(rawValue: method)).contract
        #expect(schema == contract.result.schema, "\(method)")
        #expect(paramsSchema == nil || paramsSchema == contract.paramsSchema, "\(method)")
        let paramsText = params.map { ",\"params\":\($0)" } ?? ""
        try client.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"\(method)\"\(paramsText)}")
        var line = try client.readLine(timeout: 60)
        // A subscribed connection may get a notification before the answer: it is checked too.
        while line.contains("\"method\":\"profile.changed\"") {
            try answers.keep(line, as: "ProfileChanged", "notification-before-\(method)")
            line = try client.readLine(timeout: 60)
        }
        try answers.keep(line, as: schema, "\(method)-\(label)")
        if let params, let paramsSchema { try answers.keep(params, as: paramsSchema, "params-\(method)-\(label)") }
    }

    private static func expectValid(_ answers: AnswerDirectory, minimum: Int) throws {
        #expect(answers.count >= minimum)
        let outcome = try answers.validate()
        #expect(outcome.passed, "answers drift from EVMCSSchemas:\n\(outcome.output)")
        if outcome.passed { print(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    @Test func everyReferenceResolvesToAComponent() {
        let names = EVMCSSchemas.components.map(\.name)
        #expect(Set(names).count == names.count, "a component is named twice")
        for component in EVMCSSchemas.components {
            for reference in SchemaJSON.references(in: component.schema) {
                #expect(names.contains(reference), "\(component.name) refers to \(reference), which is no component")
            }
        }
        let required = [
            "Boolean", "String", "ViewName", "HostProfile", "HostProfiles", "VMRequirements", "Verdict", "Baseline",
            "Pools", "HostEVMCSReport", "HostVMXReport", "DaemonStatus", "ProfileHistory", "ProfileChanged",
            "Subscription", "RefreshResult", "ReloadResult", "OpenRPCDocument",
        ]
        for name in required { #expect(names.contains(name), "no component \(name)") }
        for method in EVMCSMethod.allCases {
            let contract = method.contract
            for schema in [contract.result.schema] + (contract.paramsSchema.map { [$0] } ?? []) {
                #expect(names.contains(schema), "\(method.rawValue) names no component \(schema)")
            }
            for param in contract.params {
                for reference in SchemaJSON.references(in: param.schema) {
                    #expect(names.contains(reference), "\(method.rawValue).\(param.name) refers to \(reference)")
                }
            }
        }
        for notification in NotificationContract.all {
            #expect(names.contains(notification.paramsSchema), "\(notification.name)")
        }
    }

    /// The schemas rendered for the validator refer only to rendered components.
    @Test func theRenderedReferencesResolve() throws {
        let rendered = try JSONSerialization.jsonObject(with: SchemaJSON.componentsDocument()) as? [String: Any]
        let schemas = try #require((rendered?["components"] as? [String: Any])?["schemas"] as? [String: Any])
        #expect(Set(schemas.keys) == Set(EVMCSSchemas.components.map(\.name)))
        var references: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(schemas)
        #expect(!references.isEmpty)
        for reference in references {
            let prefix = "#/components/schemas/"
            #expect(
                reference.hasPrefix(prefix) && schemas[String(reference.dropFirst(prefix.count))] != nil,
                "\(reference) does not resolve"
            )
        }
    }

    @Test func everyMethodOfARecordedProfileAnswersAsItsSchemaSays() throws {
        let daemon = try DaemonProcess(profile: "Docs/examples/skylake-6.8.json")
        let client = try daemon.client()
        let answers = try AnswerDirectory()
        func ask(
            _ method: String,
            _ params: String? = nil,
            _ paramsSchema: String? = nil,
            as schema: String,
            _ label: String
        )
            throws
        {
            try Self.ask(client, method, params: params, paramsSchema: paramsSchema, as: schema, label, into: answers)
        }
        let vm = try Self.document("Docs/examples/vm-windows-evmcs.json")
        let old = try Self.document("Docs/examples/skylake-5.10.46.json")
        let old510 = try Self.document("Docs/examples/skylake-5.10.json")
        let new = try Self.document("Docs/examples/skylake-6.8.json")
        let minimal = try Self.document("Docs/examples/minimal-host.json")
        let measured = try FileManager.default.contentsOfDirectory(
            atPath: DaemonProcess.repositoryRoot.appendingPathComponent("Tests/Fixtures/measured").path
        ).sorted().map { try Self.document("Tests/Fixtures/measured/\($0)/profile.json") }
        #expect(measured.count >= 2)

        try ask("rpc.discover", as: "OpenRPCDocument", "document")
        try ask("daemon.status", as: "DaemonStatus", "status")
        try ask("host.profile", as: "HostProfile", "profile")
        try ask("host.evmcs", as: "HostEVMCSReport", "evmcs")
        try ask("host.vmx", as: "HostVMXReport", "all")
        try ask("host.vmx", "{}", "VMXParams", as: "HostVMXReport", "empty-params")
        for view in VMXViewName.allCases.map(\.rawValue) {
            try ask("host.vmx", "{\"view\":\"\(view)\"}", "VMXParams", as: "HostVMXReport", view)
        }
        try ask("host.history", as: "ProfileHistory", "empty")

        // compat.check: every params shape of Docs/protocol.md, compatible and not.
        let checks: [(String, String)] = [
            ("bare-document", vm),
            ("vm", "{\"vm\":\(vm)}"),
            ("vm-to-old", "{\"vm\":\(vm),\"to\":\(old)}"),
            (
                "vm-minimal",
                "{\"vm\":{\"schema\":\"evmcsd.vm-requirements/1\",\"evmcs\":{\"enabled\":true},\"vmx\":{\"0x48d\":\"0x000000ff00000016\"},\"source\":{\"kernelRelease\":\"5.10.0-28-amd64\"}}}"
            ),
            ("from-old-evmcs", "{\"from\":\(old),\"evmcs\":true,\"perfGlobalCtrl\":false,\"nestedState\":true}"),
            ("from-old-plain", "{\"from\":\(old)}"),
            ("from-new-to-old", "{\"from\":\(new),\"evmcs\":true,\"to\":\(old)}"),
            ("from-new-to-510", "{\"from\":\(new),\"evmcs\":true,\"perfGlobalCtrl\":true,\"to\":\(old510)}"),
            ("from-new-identical", "{\"from\":\(new),\"evmcs\":true,\"to\":\(new)}"),
            ("from-minimal-to-new", "{\"from\":\(minimal),\"evmcs\":true,\"to\":\(new)}"),
            (
                "from-measured",
                "{\"from\":\(measured[0]),\"evmcs\":true,\"nestedState\":true,\"to\":\(measured[measured.count - 1])}"
            ),
            ("from-measured-back", "{\"from\":\(measured[measured.count - 1]),\"evmcs\":true,\"to\":\(measured[0])}"),
            ("qemu-cpu", "{\"qemuCPU\":\"Skylake-Server-v4,+vmx,hv-vapic,hv-evmcs\"}"),
            ("qemu-cpu-host", "{\"qemuCPU\":\"host,+vmx,hv-vapic,hv-evmcs\",\"from\":\(new),\"to\":\(old)}"),
        ]
        for (label, params) in checks {
            try ask("compat.check", params, "CompatCheckParams", as: "Verdict", label)
        }

        let fleets: [(String, String)] = [
            ("local-only", "{}"),
            ("with-examples", "{\"profiles\":[\(old),\(old510)]}"),
            ("measured-no-local", "{\"profiles\":[\(measured.joined(separator: ","))],\"includeLocal\":false}"),
            (
                "measured-evmcs",
                "{\"profiles\":[\(measured.joined(separator: ","))],\"includeLocal\":false,\"evmcs\":true,\"nestedState\":true}"
            ),
            ("minimal", "{\"profiles\":[\(minimal)],\"includeLocal\":true,\"evmcs\":false,\"perfGlobalCtrl\":true}"),
        ]
        for (label, params) in fleets {
            try ask("compat.baseline", params, "FleetParams", as: "Baseline", label)
            try ask("compat.pools", params, "FleetParams", as: "Pools", label)
        }

        try ask("events.subscribe", as: "Subscription", "subscribe")
        try ask("events.unsubscribe", as: "Subscription", "unsubscribe")
        try ask("events.unsubscribe", as: "Subscription", "unsubscribe-again")
        try ask("cache.refresh", as: "RefreshResult", "refresh")
        try ask("daemon.reload", as: "ReloadResult", "reload")
        try ask("daemon.status", as: "DaemonStatus", "status-after")
        try ask("host.history", as: "ProfileHistory", "after-refresh")

        try Self.expectValid(answers, minimum: 50)
        daemon.stop()
    }

    @Test func aLiveProbedProfileItsChangesAndTheNotificationAnswerAsTheirSchemasSay() throws {
        let tree = try RecordedTree()
        let daemon = try DaemonProcess(profile: nil, cache: "revalidate-seconds = 1", probe: tree.probeConfiguration)
        let client = try daemon.client()
        let subscriber = try daemon.client()
        let answers = try AnswerDirectory()
        func ask(
            _ method: String,
            _ params: String? = nil,
            _ paramsSchema: String? = nil,
            as schema: String,
            _ label: String
        )
            throws
        {
            try Self.ask(client, method, params: params, paramsSchema: paramsSchema, as: schema, label, into: answers)
        }
        let old = try Self.document("Docs/examples/skylake-5.10.46.json")

        try ask("host.history", as: "ProfileHistory", "empty")
        try ask("daemon.status", as: "DaemonStatus", "status")
        try ask("host.profile", as: "HostProfile", "profile")
        try ask("host.evmcs", as: "HostEVMCSReport", "evmcs")
        try ask("host.vmx", as: "HostVMXReport", "all")
        try Self.ask(subscriber, "events.subscribe", as: "Subscription", "subscribe", into: answers)

        try tree.setParameter("nested", to: "N")
        var notification: String?
        let deadline = Date().addingTimeInterval(30)
        while notification == nil && Date() < deadline {
            let line = try subscriber.readLine(timeout: 30)
            if line.contains("\"method\":\"profile.changed\"") { notification = line }
        }
        let change = try #require(notification, "no profile.changed within 30 s")
        try answers.keep(change, as: "ProfileChanged", "notification")

        try ask("host.history", as: "ProfileHistory", "after-change")
        try ask("host.profile", as: "HostProfile", "profile-after")
        try ask("host.evmcs", as: "HostEVMCSReport", "evmcs-after")
        try ask("host.vmx", "{\"view\":\"guest\"}", "VMXParams", as: "HostVMXReport", "guest-after")
        try ask("compat.check", "{\"from\":\(old),\"evmcs\":true}", "CompatCheckParams", as: "Verdict", "from-old")
        try ask(
            "compat.check",
            "{\"qemuCPU\":\"Skylake-Server-v4,+vmx\"}",
            "CompatCheckParams",
            as: "Verdict",
            "qemu-cpu"
        )
        try ask("compat.baseline", "{\"profiles\":[\(old)]}", "FleetParams", as: "Baseline", "with-old")
        try ask("compat.pools", "{\"profiles\":[\(old)]}", "FleetParams", as: "Pools", "with-old")
        try tree.setParameter("nested", to: "Y")
        try ask("cache.refresh", as: "RefreshResult", "refresh-changed")
        try ask("cache.refresh", as: "RefreshResult", "refresh-unchanged")
        try ask("host.history", as: "ProfileHistory", "after-refresh")
        try ask("daemon.status", as: "DaemonStatus", "status-after")
        try Self.ask(subscriber, "events.unsubscribe", as: "Subscription", "unsubscribe", into: answers)

        try Self.expectValid(answers, minimum: 18)
        daemon.stop()
    }

    /// A recorded profile that changes its VMX values (a change with features and a new fingerprint), then
    /// disappears (a stale cache with a note), a failing exporter, and a restart on the kept cache (loaded,
    /// then verified).
    @Test func changedAndStaleRecordedProfilesFailingExportersAndAKeptCacheAnswerAsTheirSchemasSay() throws {
        let scratch = URL(fileURLWithPath: "/tmp/evmcsd-schema-profile-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let profileFile = scratch.appendingPathComponent("profile.json")
        let original = try Self.document("Docs/examples/skylake-6.8.json")
        #expect(original.contains("\"0x48d\":\"0xff00000016\""))
        try original.write(to: profileFile, atomically: true, encoding: .utf8)
        let exporters = """
            [exporters.prometheus]
            enabled = true
            path = "\(scratch.appendingPathComponent("evmcsd.prom").path)"
            [exporters.nfd]
            enabled = true
            path = "\(scratch.appendingPathComponent("missing/evmcsd").path)"

            """
        let probe = "profile = \"\(profileFile.path)\""
        let daemon = try DaemonProcess(profile: nil, config: exporters, probe: probe)
        let client = try daemon.client()
        let subscriber = try daemon.client()
        let answers = try AnswerDirectory()
        func ask(_ method: String, as schema: String, _ label: String) throws {
            try Self.ask(client, method, as: schema, label, into: answers)
        }
        try Self.ask(subscriber, "events.subscribe", as: "Subscription", "subscribe", into: answers)
        try ask("daemon.status", as: "DaemonStatus", "failing-exporter")

        // vmx-posted-intr (0x48d bit 39) and others cleared: features change, and the fingerprint.
        try original.replacingOccurrences(of: "\"0x48d\":\"0xff00000016\"", with: "\"0x48d\":\"0x3f00000016\"")
            .write(to: profileFile, atomically: true, encoding: .utf8)
        try ask("cache.refresh", as: "RefreshResult", "vmx-changed")
        let change = try subscriber.readLine(timeout: 30)
        #expect(change.contains("\"features\"") && change.contains("\"fingerprintChanged\":true"))
        try answers.keep(change, as: "ProfileChanged", "notification-vmx")
        try ask("host.history", as: "ProfileHistory", "vmx-changed")
        try ask("host.vmx", as: "HostVMXReport", "vmx-changed")

        try FileManager.default.removeItem(at: profileFile)
        try client.send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"cache.refresh\"}")
        #expect(try client.readLine(timeout: 30).contains("-32013"), "a vanished recorded profile is a probe failure")
        try ask("daemon.status", as: "DaemonStatus", "stale")
        try ask("host.profile", as: "HostProfile", "stale")
        try Self.ask(subscriber, "events.unsubscribe", as: "Subscription", "unsubscribe", into: answers)
        daemon.stop()

        try original.write(to: profileFile, atomically: true, encoding: .utf8)
        let again = try DaemonProcess(profile: nil, config: exporters, probe: probe, directory: daemon.directory)
        try Self.ask(try again.client(), "daemon.status", as: "DaemonStatus", "restarted", into: answers)
        try Self.ask(try again.client(), "host.history", as: "ProfileHistory", "restarted", into: answers)
        again.stop()
        // The profile file unchanged since the cache was written: the cache is served (loaded, then verified).
        let third = try DaemonProcess(profile: nil, config: exporters, probe: probe, directory: daemon.directory)
        try Self.ask(try third.client(), "daemon.status", as: "DaemonStatus", "kept-cache", into: answers)
        try Self.expectValid(answers, minimum: 12)
        third.stop()
    }
}
