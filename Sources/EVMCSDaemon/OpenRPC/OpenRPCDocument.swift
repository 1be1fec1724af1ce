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
            .init("components", .object([.init("schemas", schemas), .init("errors", errors)])),
        ])
    }

    // MARK: Methods

    private static func method(_ method: EVMCSMethod) -> JSONValue {
        let spec = specification(method)
        var members: [JSONValue.Member] = [
            .init("name", .string(method.rawValue)),
            .init("summary", .string(spec.summary)),
            .init("paramStructure", "by-name"),
            .init("params", .array(spec.params.map(param))),
            .init(
                "result",
                .object([.init("name", .string(spec.result.name)), .init("schema", reference(spec.result.schema))])
            ),
        ]
        let errorNames = ["InvalidParams"] + spec.errors + (method.requiresAdmin ? ["NotAuthorized"] : [])
        members.append(
            .init("errors", .array(errorNames.map { .object([.init("$ref", .string("#/components/errors/\($0)"))]) }))
        )
        if method.requiresAdmin { members.append(.init("x-admin", true)) }
        return .object(members)
    }

    private struct Param {
        var name: String
        var schema: String
        var required: Bool
        var description: String
    }

    private struct Specification {
        var summary: String
        var params: [Param] = []
        var result: (name: String, schema: String)
        var errors: [String] = []
    }

    private static func specification(_ method: EVMCSMethod) -> Specification {
        switch method {
        case .discover:
            return Specification(summary: "This OpenRPC document.", result: ("document", "OpenRPCDocument"))
        case .status:
            return Specification(
                summary: "Version, uptime, cache state, fingerprint and counters.",
                result: ("status", "DaemonStatus")
            )
        case .profile:
            return Specification(
                summary: "The host profile (evmcsd.host-profile/1).",
                result: ("profile", "HostProfile"),
                errors: ["NotReady"]
            )
        case .evmcs:
            return Specification(
                summary: "eVMCS support, version range and the guest views with what eVMCS removes.",
                result: ("evmcs", "HostEVMCSReport"),
                errors: ["NotReady"]
            )
        case .vmx:
            return Specification(
                summary: "The VMX views with values, provenance, feature states and fields.",
                params: [Param(name: "view", schema: "ViewName", required: false, description: "Only this view.")],
                result: ("vmx", "HostVMXReport"),
                errors: ["NotReady"]
            )
        case .history:
            return Specification(
                summary:
                    "Capability changes seen by this daemon (kernel, microcode, KVM parameters, eVMCS, VMX views), oldest first, with diffs.",
                result: ("history", "ProfileHistory")
            )
        case .check:
            return Specification(
                summary:
                    "Verdict for a VM on this host (or on `to`). Params: a VM requirements document, {vm, to?}, {from, evmcs?, perfGlobalCtrl?, nestedState?, to?}, or {qemuCPU, from?, to?}.",
                params: [
                    Param(name: "vm", schema: "VMRequirements", required: false, description: "The VM's requirements."),
                    Param(
                        name: "qemuCPU",
                        schema: "String",
                        required: false,
                        description:
                            "A QEMU -cpu value (Skylake-Server-v4,+vmx,hv-evmcs,-vmx-posted-intr): the VM QEMU starts with it on `from` (default this host)."
                    ),
                    Param(
                        name: "from",
                        schema: "HostProfile",
                        required: false,
                        description: "A VM started there with that host's defaults; with qemuCPU, the host it was started on."
                    ),
                    Param(
                        name: "evmcs",
                        schema: "Boolean",
                        required: false,
                        description: "With from: the VM uses eVMCS."
                    ),
                    Param(
                        name: "perfGlobalCtrl",
                        schema: "Boolean",
                        required: false,
                        description: "With from: Hyper-V CPUID 0x4000000A.EBX bit 0."
                    ),
                    Param(
                        name: "nestedState",
                        schema: "Boolean",
                        required: false,
                        description: "With from: nested state must migrate."
                    ),
                    Param(
                        name: "to",
                        schema: "HostProfile",
                        required: false,
                        description: "Target; default this host."
                    ),
                ],
                result: ("verdict", "Verdict"),
                errors: ["InvalidDocument", "NotReady"]
            )
        case .baseline:
            return Specification(
                summary: "The richest VM requirements every host accepts, and the QEMU -cpu flags.",
                params: fleetParams,
                result: ("baseline", "Baseline"),
                errors: ["InvalidDocument", "NotReady", "FleetFailed"]
            )
        case .pools:
            return Specification(
                summary: "Hosts grouped by fingerprint with the migration matrix between groups.",
                params: fleetParams,
                result: ("pools", "Pools"),
                errors: ["InvalidDocument", "NotReady", "FleetFailed"]
            )
        case .subscribe:
            return Specification(
                summary: "Receive profile.changed notifications on this connection.",
                result: ("subscription", "Subscription")
            )
        case .unsubscribe:
            return Specification(
                summary: "Stop profile.changed notifications.",
                result: ("subscription", "Subscription")
            )
        case .refresh:
            return Specification(
                summary: "Re-probe now (admin).",
                result: ("refresh", "RefreshResult"),
                errors: ["ProbeFailed"]
            )
        case .reload:
            return Specification(
                summary: "Reload the configuration file (admin), as on SIGHUP.",
                result: ("reload", "ReloadResult"),
                errors: ["ReloadFailed"]
            )
        }
    }

    private static let fleetParams = [
        Param(name: "profiles", schema: "HostProfiles", required: false, description: "Host profiles."),
        Param(name: "includeLocal", schema: "Boolean", required: false, description: "Add this host (default true)."),
        Param(
            name: "evmcs",
            schema: "Boolean",
            required: false,
            description: "eVMCS on/off; baseline default: when all hosts have it."
        ),
        Param(
            name: "perfGlobalCtrl",
            schema: "Boolean",
            required: false,
            description: "Hyper-V CPUID 0x4000000A.EBX bit 0."
        ),
        Param(name: "nestedState", schema: "Boolean", required: false, description: "Nested-state migration."),
    ]

    private static func param(_ param: Param) -> JSONValue {
        .object([
            .init("name", .string(param.name)),
            .init("description", .string(param.description)),
            .init("required", .bool(param.required)),
            .init("schema", reference(param.schema)),
        ])
    }

    private static func reference(_ schema: String) -> JSONValue {
        .object([.init("$ref", .string("#/components/schemas/\(schema)"))])
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
            .init("ViewName", .object([.init("enum", .array(HostVMXReport.viewNames.map(JSONValue.string)))])),
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
            .init("HostProfiles", .object([.init("type", "array"), .init("items", reference("HostProfile"))])),
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
        func error(_ code: Int, _ message: String) -> JSONValue {
            .object([.init("code", .number(JSONNumber(code))), .init("message", .string(message))])
        }
        return .object([
            .init("ParseError", error(-32700, "Parse error")),
            .init(
                "InvalidRequest",
                error(-32600, "Invalid Request (data: {reason}, and field for a duplicate member; id null if id is repeated)")
            ),
            .init("MethodNotFound", error(-32601, "Method not found")),
            .init("InvalidParams", error(-32602, "Invalid params (data: {field, reason}; also a duplicate member)")),
            .init("InternalError", error(-32603, "Internal error")),
            .init(
                "Overloaded",
                error(
                    -32000,
                    "Overloaded: too many connections (data: {reason: per-uid limit | reserved | total limit, limit, uid}) or pending requests"
                )
            ),
            .init("RequestTooLarge", error(-32001, "Request line too long; the connection is closed")),
            .init("BatchTooLarge", error(-32002, "Batch too large")),
            .init("ShuttingDown", error(-32003, "Shutting down")),
            .init(
                "NotAuthorized",
                error(EVMCSErrorCode.notAuthorized, "Not authorized (admin methods: root or the admin group)")
            ),
            .init("InvalidDocument", error(EVMCSErrorCode.invalidDocument, "Invalid document (data: {field, reason})")),
            .init("ProbeFailed", error(EVMCSErrorCode.probeFailed, "Probe failed")),
            .init("NotReady", error(EVMCSErrorCode.notReady, "No profile measured yet")),
            .init(
                "ReloadFailed",
                error(EVMCSErrorCode.reloadFailed, "Reload failed; the previous configuration stays in force")
            ),
            .init("FleetFailed", error(EVMCSErrorCode.fleetFailed, "Fleet computation failed (data: {reason})")),
        ])
    }
}
