import EVMCSProtocol
import JSONRPC
import VMXModel

/// The OpenRPC 1.3 description of evmcsd's API, served by `rpc.discover` and kept in
/// Docs/openrpc.json (`evmcsd --print-openrpc`; a test checks the file is current).
public enum OpenRPCDocument {
    /// The document as a JSON value.
    public static func make() -> JSONValue {
        .object([
            .init("openrpc", "1.3.2"),
            .init(
                "info",
                .object([
                    .init("title", "evmcsd"),
                    .init("version", .string(EVMCSVersion.current)),
                    .init(
                        "description",
                        "KVM nested/eVMCS capabilities of this host and compatibility verdicts. JSON-RPC 2.0, one JSON text per line, on a Unix stream socket."
                    ),
                ])
            ),
            .init("methods", .array(EVMCSMethod.allCases.map(method))),
            .init("x-notifications", .array(NotificationContract.all.map(notification))),
            .init("components", .object([.init("schemas", schemas), .init("errors", errors)])),
        ])
    }

    // MARK: Methods

    private static func method(_ method: EVMCSMethod) -> JSONValue {
        let contract = method.contract
        var members: [JSONValue.Member] = [
            .init("name", .string(method.rawValue)),
            .init("summary", .string(contract.summary)),
        ]
        if let description = contract.description { members.append(.init("description", .string(description))) }
        members += [
            .init("paramStructure", "by-name"),
            .init("params", .array(contract.params.map(param))),
            .init(
                "result",
                .object([
                    .init("name", .string(contract.result.name)),
                    .init("schema", JSONSchema.ref(contract.result.schema).jsonValue),
                ])
            ),
            .init("errors", .array((contract.errors + EVMCSMethod.commonErrors).map(errorReference))),
        ]
        if method.requiresAdmin { members.append(.init("x-admin", true)) }
        if !contract.notifications.isEmpty {
            members.append(.init("x-notifications", .array(contract.notifications.map { .string($0.name) })))
        }
        return .object(members)
    }

    private static func param(_ param: MethodContract.Param) -> JSONValue {
        .object([
            .init("name", .string(param.name)),
            .init("description", .string(param.description)),
            .init("required", .bool(param.isRequired)),
            .init("schema", param.schema.jsonValue),
        ])
    }

    private static func errorReference(_ error: EVMCSError) -> JSONValue {
        .object([.init("$ref", .string("#/components/errors/\(error.componentName)"))])
    }

    /// Server-sent notifications, by the `x-notifications` extension: OpenRPC 1.3 has no
    /// notification object, so each is written as a method object without a result (by-name
    /// params), and the methods that start them name them in their own `x-notifications`.
    private static func notification(_ notification: NotificationContract) -> JSONValue {
        .object([
            .init("name", .string(notification.name)),
            .init("summary", .string(notification.summary)),
            .init("paramStructure", "by-name"),
            .init("params", .array([
                .object([
                    .init("name", "event"),
                    .init("description", "The change, as the params object itself."),
                    .init("required", true),
                    .init("schema", JSONSchema.ref(notification.paramsSchema).jsonValue),
                ])
            ])),
        ])
    }

    // MARK: Components

    private static func object(_ description: String, required: [String] = [], properties: [String: String] = [:])
        -> JSONValue
    {
        var members: [JSONValue.Member] = [.init("type", "object"), .init("description", .string(description))]
        if !properties.isEmpty {
            members.append(
                .init(
                    "properties",
                    .object(
                        properties.sorted { $0.key < $1.key }.map {
                            .init($0.key, .object([.init("description", .string($0.value))]))
                        }
                    )
                )
            )
        }
        if !required.isEmpty { members.append(.init("required", .array(required.map(JSONValue.string)))) }
        return .object(members)
    }

    private static var schemas: JSONValue {
        .object([
            .init("Boolean", .object([.init("type", "boolean")])),
            .init("String", .object([.init("type", "string")])),
            .init("ViewName", .object([.init("enum", .array(VMXViewName.allCases.map { JSONValue.string($0.rawValue) }))])),
            .init(
                "HostProfile",
                object(
                    "evmcsd.host-profile/1 (Docs/documents.md).",
                    required: ["schema"],
                    properties: [
                        "schema": "\"evmcsd.host-profile/1\"", "host": "name, bootId",
                        "kernel": "release, version, versionSignature, evmcsEra",
                        "cpu": "vendor, family, model, stepping, microcode, modelName",
                        "kvm":
                            "obtained, device, apiVersion, capabilities, parameters, featureMSRs, supportedCPUID, hypervCPUID, hypervCPUIDVCPU",
                        "evmcs": "supported, versionLow, versionHigh, obtained, effectiveEra {era, basis, matching, differences, note}",
                        "vmx": "system, vcpu, guest, guestPerfGlobalCtrl (MSR index → hex value), obtained",
                        "warnings": "[{code, message, msr}]", "probe": "durationMicros, steps, guestReadCheck",
                        "fingerprint": "sha256:<hex>", "generatedAt": "RFC 3339", "generator": "producer",
                    ]
                )
            ),
            .init("HostProfiles", .object([.init("type", "array"), .init("items", JSONSchema.ref("HostProfile").jsonValue)])),
            .init(
                "VMRequirements",
                object(
                    "evmcsd.vm-requirements/1 (Docs/documents.md).",
                    required: ["schema"],
                    properties: [
                        "schema": "\"evmcsd.vm-requirements/1\"", "name": "for humans", "uuid": "the VM's UUID",
                        "evmcs": "enabled (required), version, perfGlobalCtrl", "vmx": "MSR index → hex value",
                        "nestedState": "nested state must migrate",
                        "source": "host, kernelRelease, kernelVersion, versionSignature, evmcsEra, fingerprint",
                        "guestVisible": "what the guest read on the source",
                    ]
                )
            ),
            .init(
                "Verdict",
                object(
                    "evmcsd.verdict/1 (Docs/compatibility.md).",
                    required: ["compatible", "level", "reasons", "warnings"],
                    properties: [
                        "compatible": "true when reasons is empty",
                        "level": "identical | superset | subset | incompatible",
                        "reasons": "[{code, msr, bit, field, feature, label, need, have, message}]",
                        "warnings": "[{code, message, msr}]",
                        "vm": "VM name", "target": "target host",
                        "context": "evmcs, perfGlobalCtrl, nestedState, targetEra, sourceEra, sourceBasis, targetBasis",
                    ]
                )
            ),
            .init(
                "Baseline",
                object(
                    "evmcsd.baseline/1.",
                    properties: [
                        "hosts": "count", "requirements": "VMRequirements", "qemuCPUFlags": "[string]",
                        "warnings": "[warning]",
                    ]
                )
            ),
            .init(
                "Pools",
                object(
                    "evmcsd.pools/1.",
                    properties: [
                        "options": "evmcs, perfGlobalCtrl, nestedState",
                        "groups": "[{id, fingerprint, hosts, cpuVendor, evmcsEra, evmcsSupported}]",
                        "migrations": "[{from, to, compatible, level, reasons}]",
                    ]
                )
            ),
            .init(
                "HostEVMCSReport",
                object(
                    "host.evmcs result.",
                    properties: [
                        "supported": "bool", "versionLow": "int", "versionHigh": "int",
                        "reason": "{code, message, errno}", "kernelRelease": "string", "era": "effective eVMCS era", "effectiveEra": "{era, basis, matching, differences, note}",
                        "views": "guest, guestPerfGlobalCtrl: {perfGlobalCtrl, obtained, msrs, removed, features}",
                        "fingerprint": "string",
                    ]
                )
            ),
            .init(
                "HostVMXReport",
                object(
                    "host.vmx result.",
                    properties: ["views": "view name → {obtained, msrs, features, fields}", "fingerprint": "string"]
                )
            ),
            .init(
                "DaemonStatus",
                object(
                    "daemon.status result.",
                    properties: [
                        "version": "string", "pid": "int", "startedAt": "RFC 3339", "uptimeSeconds": "number",
                        "source": "live or recorded", "ready": "bool",
                        "cache": "state, file, profileAgeSeconds, lastRevalidation, revalidateIntervalSeconds, note",
                        "fingerprint": "string", "evmcsSupported": "bool",
                        "counters":
                            "connectionsOpen, connectionsAccepted, connectionsRejected, connectionsRefused {per-uid limit, reserved, total limit}, requests, errors, probes, profileChanges, subscribers",
                        "exporters": "enabled exporters (nfd, prometheus) → {file, error?, failingSince?}",
                        "socket": "string",
                    ]
                )
            ),
            .init(
                "ProfileHistory",
                object("host.history result.", properties: ["changes": "[ProfileChanged]", "capacity": "int"])
            ),
            .init(
                "ProfileChanged",
                object(
                    "A profile.changed notification's params and a history entry.",
                    properties: [
                        "at": "RFC 3339", "oldFingerprint": "string", "newFingerprint": "string", "trigger": "string",
                        "fingerprintChanged": "bool", "changes": "[{path, old, new, features}]",
                    ]
                )
            ),
            .init(
                "Subscription",
                object(
                    "events.subscribe / unsubscribe result.",
                    properties: ["subscribed": "bool", "fingerprint": "string"]
                )
            ),
            .init(
                "RefreshResult",
                object(
                    "cache.refresh result.",
                    properties: ["fingerprint": "string", "changed": "bool", "durationMicros": "int"]
                )
            ),
            .init(
                "ReloadResult",
                object(
                    "daemon.reload result.",
                    properties: ["reloaded": "bool", "applied": "[string]", "needRestart": "[string]"]
                )
            ),
            .init("OpenRPCDocument", object("An OpenRPC 1.3 document.")),
        ])
    }

    private static var errors: JSONValue {
        .object(
            EVMCSError.allCases.map { error in
                .init(
                    error.componentName,
                    .object([
                        .init("code", .number(JSONNumber(error.code))),
                        .init("message", .string(error.message)),
                        .init("x-description", .string(error.explanation)),
                    ])
                )
            }
        )
    }
}
