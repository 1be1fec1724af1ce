import VMXModel

/// The strict JSON Schemas of evmcsd's contract: every method's params and result, and the
/// `profile.changed` notification's params, as `components.schemas` of the OpenRPC document
/// (referenced as `#/components/schemas/<name>`).
///
/// Written from the Swift types' Codable implementations (a `nil` optional is left out by the
/// encoder, never written as `null`), `StatusTemplate` (the `daemon.status` writer), Docs/*.md and
/// the measured answers in Tests/Fixtures/measured. Objects are closed: a member not named here
/// is drift. `LiveAnswerSchemaTests` holds the real daemon's answers to them.
///
/// Input documents (host profiles, VM requirements in params) are held to the same closed
/// objects; the daemon's decoders also accept `x-` extension members, which these schemas do
/// not describe.
public enum EVMCSSchemas {
    /// The shared schemas, in the order the OpenRPC document lists them.
    public static let components: [(name: String, schema: JSONSchema)] = [
        ("Boolean", .boolean()),
        ("String", .string()),
        ("ViewName", .oneOf(VMXViewName.allCases.map(\.rawValue), "A VMX view: system, vcpu, guest or guestPerfGlobalCtrl.")),
        ("HostProfile", hostProfile(asWritten: true)),
        ("HostProfiles", .array(.ref("HostProfileDocument"), "Host profiles (documents as evmcsd accepts them).")),
        ("VMRequirements", vmRequirements(asWritten: false)),
        ("VMRequirementsAsWritten", vmRequirements(asWritten: true)),
        ("Verdict", verdict),
        ("Baseline", baseline),
        ("Pools", pools),
        ("HostEVMCSReport", hostEVMCSReport),
        ("HostVMXReport", hostVMXReport),
        ("DaemonStatus", daemonStatus),
        ("ProfileHistory", profileHistory),
        ("ProfileChanged", profileChanged),
        ("Subscription", subscription),
        ("RefreshResult", refreshResult),
        ("ReloadResult", reloadResult),
        ("OpenRPCDocument", openRPCDocument),
        // Params.
        ("VMXParams", vmxParams),
        ("CompatCheckParams", compatCheckParams),
        ("FleetParams", fleetParams),
        // Shared parts.
        (
            "Fingerprint",
            .matching(JSONSchema.Pattern.fingerprint, "A capability fingerprint: sha256: and 64 hex digits.")
        ),
        ("MSRIndex", .matching(JSONSchema.Pattern.msrIndex, "An MSR index as evmcsd writes it: 0x480.")),
        ("MSRValues", msrValues),
        ("MSRValuesDocument", msrValuesDocument),
        ("HostProfileDocument", hostProfile(asWritten: false)),
        (
            "EVMCSEra",
            .oneOf(EVMCSEra.allCases.map(\.rawValue), "An eVMCS era: the kernel release whose filter applies.")
        ),
        ("EraBasis", .oneOf(EffectiveEra.Basis.allCases.map(\.rawValue), "What a guest view or an era rests on.")),
        ("EffectiveEra", effectiveEra),
        ("Provenance", provenance),
        ("Reason", reason),
        ("Warning", warning),
        (
            "FeatureState",
            .oneOf(FeatureState.allCases.map(\.rawValue), "A feature's state in an MSR set (vmxcap's semantics).")
        ),
        ("FeatureStates", featureStates),
        (
            "CompatibilityLevel",
            .oneOf(CompatibilityLevel.allCases.map(\.rawValue), "How a host relates to what a VM needs.")
        ),
        ("VerdictReason", verdictReason),
        ("ProfileChange", profileChange),
        ("CPUIDLeaf", cpuidLeaf),
        ("EVMCSGuestView", evmcsGuestView),
        ("Exporter", exporter),
    ]

    // MARK: - Patterns

    /// Stable kebab-case identifiers (reason and warning codes).
    static let codePattern = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
    /// A short hex number (CPUID registers, leaf functions): `0x40000000`, `0x0`.
    static let shortHex = JSONSchema.Pattern.msrIndex
    /// Catalogued feature names are QEMU's `-cpu` properties.
    static let featureName = "^vmx-[a-z0-9-]+$"
    static let viewNamePattern = "^(" + VMXViewName.allCases.map(\.rawValue).joined(separator: "|") + ")$"

    // MARK: - Shared parts

    static let msrValues: JSONSchema = .map(
        .matching(JSONSchema.Pattern.hex64),
        keys: JSONSchema.Pattern.msrIndex,
        "MSR index (0x480) → 64-bit value as 16-digit hex (0x00d8100011e57ed0)."
    )

    /// MSR values as a document may spell them: any case, `0X`, leading zeros, at most 16 significant digits.
    static let msrValuesDocument: JSONSchema = .map(
        .matching("^0[xX]0*[0-9a-fA-F]{1,16}$"),
        keys: "^0[xX]0*[0-9a-fA-F]{1,8}$",
        "MSR index → 64-bit value, as a document may spell them (0x48d: 0xff00000016); evmcsd writes MSRValues."
    )

    static let reason: JSONSchema = .object(
        "A machine-readable cause plus a message for humans.",
        [
            .required(
                "code",
                .matching(
                    codePattern,
                    "Stable identifier: kvm-device-missing, permission-denied, vendor-not-intel, nested-disabled, capability-absent, ioctl-failed, … (Docs/documents.md); host.evmcs also unknown."
                )
            ),
            .required("message", .string()),
            .optional("errno", .matching("^E[A-Z0-9]+$", "The errno name of a failed system call, e.g. ENOTTY.")),
        ]
    )

    static let provenance: JSONSchema = .object(
        "How one part of a host profile was obtained.",
        [
            .required("method", .oneOf(["measured", "derived", "unavailable", "recorded"])),
            .optional("reason", .ref("Reason")),
            .optional("era", .ref("EVMCSEra")),
        ]
    )

    static let warning: JSONSchema = .object(
        "A note that is not an incompatibility.",
        [
            .required(
                "code",
                .matching(codePattern, "Stable identifier, e.g. guest-view-mismatch, era-from-version, evmcs-left-out.")
            ),
            .required("message", .string()),
            .optional("msr", .ref("MSRIndex")),
        ]
    )

    static let effectiveEra: JSONSchema = .object(
        "The era whose filter this host's KVM applies, and what that rests on: {era, basis, matching, differences, note}.",
        [
            .required(
                "era",
                .oneOf(
                    ["none"] + EVMCSEra.allCases.map(\.rawValue),
                    "The era in effect, or none when no era reproduces the measurement."
                )
            ),
            .required("basis", .ref("EraBasis")),
            .optional(
                "matching",
                .array(.ref("EVMCSEra"), "Measured: every era whose filter reproduces the measured views.")
            ),
            .optional(
                "differences",
                .array(
                    .object(
                        "One filtered MSR of one guest view where the measurement and the nominal era differ.",
                        [
                            .required("view", .oneOf(["guest", "guestPerfGlobalCtrl"])),
                            .required("msr", .ref("MSRIndex")),
                            .required("hiddenOnlyMeasured", .array(.integer(minimum: 0))),
                            .required("hiddenOnlyByModel", .array(.integer(minimum: 0))),
                        ]
                    )
                )
            ),
            .optional("note", .string("Why a derived era may be wrong.")),
        ]
    )

    static let featureStates: JSONSchema = .map(
        .ref("FeatureState"),
        keys: featureName,
        "Feature name (QEMU property, vmx-posted-intr) → state."
    )

    static let cpuidLeaf: JSONSchema = .object(
        "One CPUID leaf.",
        [
            .required("function", .matching(shortHex)),
            .required("index", .integer(minimum: 0)),
            .required("eax", .matching(shortHex)),
            .required("ebx", .matching(shortHex)),
            .required("ecx", .matching(shortHex)),
            .required("edx", .matching(shortHex)),
        ]
    )

    // MARK: - Host profile

    /// `asWritten`: as evmcsd writes a profile (MSR values as 16-digit lower-case hex); otherwise as
    /// it accepts one in params (shorter hex values, see ``msrValuesDocument``).
    static func hostProfile(asWritten: Bool) -> JSONSchema {
        let values: JSONSchema = .ref(asWritten ? "MSRValues" : "MSRValuesDocument")
        return .object(
            asWritten
                ? "evmcsd.host-profile/1 (Docs/documents.md) as evmcsd writes it: what one host's KVM offers nested guests. Every section but schema is optional."
                : "evmcsd.host-profile/1 (Docs/documents.md) as evmcsd accepts it in params. Every section but schema is optional.",
            [
                .required("schema", .constant(HostProfile.schema)),
                .optional(
                    "host",
                    .object(
                        "Hand-given or probed name of the host, and its boot id.",
                        [.optional("name", .string()), .optional("bootId", .string())]
                    )
                ),
                .optional("generatedAt", .dateTime("RFC 3339 time the profile was produced.")),
                .optional("generator", .string("What produced the profile (evmcsd 0.1.0, hand-written, …).")),
                .optional(
                    "kernel",
                    .object(
                        "release, version, versionSignature, evmcsEra.",
                        [
                            .optional("release", .string("uname -r")),
                            .optional("version", .string("uname -v")),
                            .optional("versionSignature", .string("/proc/version_signature")),
                            .optional("evmcsEra", .ref("EVMCSEra")),
                        ]
                    )
                ),
                .optional(
                    "cpu",
                    .object(
                        "vendor, family, model, stepping, microcode, modelName.",
                        [
                            .optional("vendor", .string("CPUID vendor string: GenuineIntel, AuthenticAMD, …")),
                            .optional("family", .integer(minimum: 0)),
                            .optional("model", .integer(minimum: 0)),
                            .optional("stepping", .integer(minimum: 0)),
                            .optional(
                                "microcode",
                                .string("Microcode revision as /proc/cpuinfo reports it, e.g. 0x2b000603.")
                            ),
                            .optional("modelName", .string()),
                        ]
                    )
                ),
                .optional("kvm", kvm(values)),
                .optional(
                    "evmcs",
                    .object(
                        "supported, versionLow, versionHigh, obtained, effectiveEra.",
                        [
                            .optional("supported", .boolean("Whether a VMM can enable eVMCS on this host.")),
                            .optional("versionLow", .integer(minimum: 0, "Lowest supported eVMCS version (0–255).")),
                            .optional("versionHigh", .integer(minimum: 0, "Highest supported eVMCS version (0–255).")),
                            .optional("obtained", .ref("Provenance")),
                            .optional("effectiveEra", .ref("EffectiveEra")),
                        ]
                    )
                ),
                .optional(
                    "vmx",
                    .object(
                        "system, vcpu, guest, guestPerfGlobalCtrl (MSR index → hex value), obtained.",
                        [
                            .optional("system", values),
                            .optional("vcpu", values),
                            .optional("guest", values),
                            .optional("guestPerfGlobalCtrl", values),
                            .optional(
                                "obtained",
                                .map(
                                    .ref("Provenance"),
                                    keys: viewNamePattern,
                                    "How each view was obtained, by view name."
                                )
                            ),
                        ]
                    )
                ),
                .optional("warnings", .array(.ref("Warning"))),
                .optional(
                    "probe",
                    .object(
                        "durationMicros, steps, guestReadCheck.",
                        [
                            .required("durationMicros", .integer(minimum: 0)),
                            .required(
                                "steps",
                                .array(
                                    .object(
                                        "One probe step.",
                                        [
                                            .required("name", .string()),
                                            .required("micros", .integer(minimum: 0)),
                                            .required("outcome", .string("ok, or why the step could not complete.")),
                                        ]
                                    )
                                )
                            ),
                            .optional(
                                "guestReadCheck",
                                .object(
                                    "Ordinary MSRs read both by the RDMSR guest and host-initiated on the same vCPU.",
                                    [
                                        .required("matched", .array(.ref("MSRIndex"))),
                                        .required("mismatched", .array(.ref("MSRIndex"))),
                                        .required("faulted", .array(.ref("MSRIndex"))),
                                        .required("verified", .boolean()),
                                    ]
                                )
                            ),
                        ]
                    )
                ),
                .optional("fingerprint", .ref("Fingerprint")),
            ]
        )
    }

    static func kvm(_ values: JSONSchema) -> JSONSchema {
        .object(
            "obtained, device, apiVersion, capabilities, parameters, featureMSRs, supportedCPUID, hypervCPUID, hypervCPUIDVCPU.",
            [
                .optional("obtained", .ref("Provenance")),
                .optional(
                    "device",
                    .object(
                        "The KVM device node as the probe saw it.",
                        [
                            .required("path", .string()),
                            .required("present", .boolean()),
                            .optional("mode", .matching("^[0-7]+$", "Octal permission bits, e.g. 0660.")),
                            .optional("uid", .integer(minimum: 0)),
                            .optional("gid", .integer(minimum: 0)),
                            .optional("ctime", .matching("^[0-9]+\\.[0-9]+$", "ctime as seconds.nanoseconds.")),
                            .optional("readWrite", .boolean()),
                        ]
                    )
                ),
                .optional("apiVersion", .integer("KVM_GET_API_VERSION (12).")),
                .optional(
                    "capabilities",
                    .map(
                        .integer(),
                        keys: "^[A-Z0-9_]+$",
                        "KVM_CHECK_EXTENSION results by linux/kvm.h name without KVM_CAP_."
                    )
                ),
                .optional(
                    "parameters",
                    .map(
                        .map(.string(), keys: "^[A-Za-z0-9_]+$"),
                        keys: "^[A-Za-z0-9_]+$",
                        "Module parameters: module name → parameter → value as read from sysfs."
                    )
                ),
                .optional("featureMSRs", values),
                .optional(
                    "supportedCPUID",
                    .object(
                        "A summary of KVM_GET_SUPPORTED_CPUID.",
                        [
                            .optional("vendor", .string()),
                            .optional("vmx", .boolean()),
                            .optional("svm", .boolean()),
                            .optional("leaves", .integer(minimum: 0)),
                        ]
                    )
                ),
                .optional("hypervCPUID", .array(.ref("CPUIDLeaf"), "The system KVM_GET_SUPPORTED_HV_CPUID leaves.")),
                .optional(
                    "hypervCPUIDVCPU",
                    .array(.ref("CPUIDLeaf"), "The vCPU KVM_GET_SUPPORTED_HV_CPUID leaves after enabling eVMCS.")
                ),
            ]
        )
    }

    // MARK: - VM requirements, verdict, fleet

    /// `asWritten`: as evmcsd writes the document (every defaulted member present); otherwise
    /// as it accepts one (evmcs, vmx, nestedState, evmcs.version and evmcs.perfGlobalCtrl default).
    static func vmRequirements(asWritten: Bool) -> JSONSchema {
        let values: JSONSchema = .ref(asWritten ? "MSRValues" : "MSRValuesDocument")
        func member(_ name: String, _ schema: JSONSchema) -> JSONSchema.Property {
            asWritten ? .required(name, schema) : .optional(name, schema)
        }
        return .object(
            asWritten
                ? "evmcsd.vm-requirements/1 as evmcsd writes it (every defaulted member present)."
                : "evmcsd.vm-requirements/1: what a VM needs from a host (Docs/documents.md).",
            [
                .required("schema", .constant(VMRequirements.schema)),
                .optional("name", .string("For humans.")),
                .optional("uuid", .string("The VM's UUID, when its source knows it.")),
                member(
                    "evmcs",
                    .object(
                        "enabled, version (default 1), perfGlobalCtrl (default false).",
                        [
                            .required("enabled", .boolean("The VM uses Enlightened VMCS (QEMU hv-evmcs).")),
                            member("version", .integer(minimum: 0, "The eVMCS version (0–255; QEMU: 1).")),
                            member(
                                "perfGlobalCtrl",
                                .boolean("Hyper-V CPUID 0x4000000A.EBX bit 0 as the VMM sets it.")
                            ),
                        ]
                    )
                ),
                member("vmx", values),
                member("nestedState", .boolean("Nested state must migrate (default false).")),
                .optional(
                    "source",
                    .object(
                        "Where the VM was started.",
                        [
                            .optional("host", .string()),
                            .optional("kernelRelease", .string()),
                            .optional("kernelVersion", .string()),
                            .optional("versionSignature", .string()),
                            .optional("evmcsEra", .ref("EVMCSEra")),
                            .optional("fingerprint", .ref("Fingerprint")),
                        ]
                    )
                ),
                .optional("guestVisible", values),
            ]
        )
    }

    static let verdictReason: JSONSchema = .object(
        "One reason a VM cannot run on (or be restored on) a host.",
        [
            .required("code", .oneOf(ReasonCode.allCases.map(\.rawValue), "Docs/compatibility.md lists each code.")),
            .optional("msr", .ref("MSRIndex")),
            .optional("bit", .integer(minimum: 0, "The bit as QEMU numbers it.")),
            .optional("field", .string("The multi-bit field or capability (vmcs-revision, NESTED_STATE).")),
            .optional("feature", .matching(featureName, "The feature name (vmx-posted-intr).")),
            .optional("label", .string("MSR(48DH).vmx-posted-intr [bit 7]")),
            .required("need", .string("What the VM needs.")),
            .required("have", .string("What the target has.")),
            .required("message", .string()),
        ]
    )

    static let verdict: JSONSchema = .object(
        "evmcsd.verdict/1 (Docs/compatibility.md).",
        [
            .required("schema", .constant(Verdict.schema)),
            .required("compatible", .boolean()),
            .required("level", .ref("CompatibilityLevel")),
            .required("reasons", .array(.ref("VerdictReason"))),
            .required("warnings", .array(.ref("Warning"))),
            .optional("vm", .string("Name of the VM, when it has one.")),
            .optional("target", .string("Name of the target host.")),
            .required(
                "context",
                .object(
                    "The facts the rules used.",
                    [
                        .required("evmcs", .boolean()),
                        .required("perfGlobalCtrl", .boolean()),
                        .required("nestedState", .boolean()),
                        .optional("targetEra", .ref("EVMCSEra")),
                        .optional("sourceEra", .ref("EVMCSEra")),
                        .optional("sourceBasis", .ref("EraBasis")),
                        .optional("targetBasis", .ref("EraBasis")),
                    ]
                )
            ),
        ]
    )

    static let baseline: JSONSchema = .object(
        "evmcsd.baseline/1: the richest VM requirements every host accepts, and the QEMU -cpu flags.",
        [
            .required("schema", .constant(Baseline.schema)),
            .required("hosts", .integer(minimum: 1, "How many hosts.")),
            .required("requirements", .ref("VMRequirementsAsWritten")),
            .required("qemuCPUFlags", .array(.string(), "hv-vapic, hv-evmcs, -vmx-posted-intr, …")),
            .required("warnings", .array(.ref("Warning"))),
        ]
    )

    static let poolsGroupID = "^G[1-9][0-9]*$"

    static let pools: JSONSchema = .object(
        "evmcsd.pools/1: hosts grouped by fingerprint with the migration matrix between groups.",
        [
            .required("schema", .constant(Pools.schema)),
            .required(
                "options",
                .object(
                    "evmcs, perfGlobalCtrl, nestedState.",
                    [
                        .required("evmcs", .boolean()),
                        .required("perfGlobalCtrl", .boolean()),
                        .required("nestedState", .boolean()),
                    ]
                )
            ),
            .required(
                "groups",
                .array(
                    .object(
                        "Hosts sharing a fingerprint.",
                        [
                            .required("id", .matching(poolsGroupID, "G1, G2, …")),
                            .required("fingerprint", .ref("Fingerprint")),
                            .required("hosts", .array(.string())),
                            .optional("cpuVendor", .string()),
                            .optional("evmcsEra", .ref("EVMCSEra")),
                            .required("evmcsSupported", .boolean()),
                        ]
                    )
                )
            ),
            .required(
                "migrations",
                .array(
                    .object(
                        "One ordered pair of groups, a group with itself included.",
                        [
                            .required("from", .matching(poolsGroupID)),
                            .required("to", .matching(poolsGroupID)),
                            .required("compatible", .boolean()),
                            .required("level", .ref("CompatibilityLevel")),
                            .required("reasons", .array(.ref("VerdictReason"))),
                        ]
                    )
                )
            ),
        ]
    )

    // MARK: - Host reports

    static let hostEVMCSReport: JSONSchema = .object(
        "host.evmcs result: eVMCS support, version range and the guest views with what eVMCS removes.",
        [
            .required("supported", .boolean()),
            .optional("versionLow", .integer(minimum: 0)),
            .optional("versionHigh", .integer(minimum: 0)),
            .optional("reason", .ref("Reason")),
            .optional("kernelRelease", .string()),
            .optional("era", .ref("EVMCSEra")),
            .optional("effectiveEra", .ref("EffectiveEra")),
            .required(
                "views",
                .object(
                    "guest (Hyper-V CPUID 0x4000000A.EBX[0] clear, QEMU's setting) and guestPerfGlobalCtrl (bit set).",
                    [
                        .required("guest", .ref("EVMCSGuestView")),
                        .required("guestPerfGlobalCtrl", .ref("EVMCSGuestView")),
                    ]
                )
            ),
            .optional("fingerprint", .ref("Fingerprint")),
        ]
    )

    static let evmcsGuestView: JSONSchema = .object(
        "One eVMCS guest view: {perfGlobalCtrl, obtained, msrs, removed, features}.",
        [
            .required("perfGlobalCtrl", .boolean()),
            .optional("obtained", .ref("Provenance")),
            .optional("msrs", .ref("MSRValues")),
            .required(
                "removed",
                .array(.matching(featureName), "Features the host-initiated view offers that this guest view hides.")
            ),
            .required("features", .ref("FeatureStates")),
        ]
    )

    static let hostVMXReport: JSONSchema = .object(
        "host.vmx result: each VMX view with its values, provenance, feature states and fields.",
        [
            .required(
                "views",
                .map(
                    .object(
                        "{obtained, msrs, features, fields}",
                        [
                            .optional("obtained", .ref("Provenance")),
                            .optional("msrs", .ref("MSRValues")),
                            .required("features", .ref("FeatureStates")),
                            .required(
                                "fields",
                                .map(
                                    .matching("^(0x[0-9a-f]+|[0-9]+)$"),
                                    keys: "^[a-z0-9]+(-[a-z0-9]+)*$",
                                    "Field name (vmcs-revision) → value."
                                )
                            ),
                        ]
                    ),
                    keys: viewNamePattern,
                    "View name → view: all four, or the one asked for."
                )
            ),
            .optional("fingerprint", .ref("Fingerprint")),
        ]
    )

    // MARK: - Daemon

    static let exporter: JSONSchema = .object(
        "One exporter's file and, while its writes fail, why.",
        [
            .required("file", .string()),
            .optional("error", .string("Why the last write failed; absent once a write succeeds.")),
            .optional("failingSince", .dateTime("When the writes started failing; absent once a write succeeds.")),
        ]
    )

    static let daemonStatus: JSONSchema = .object(
        "daemon.status result: version, uptime, cache state, fingerprint and counters.",
        [
            .required(
                "cache",
                .object(
                    "state, file, profileAgeSeconds, lastRevalidation, revalidateIntervalSeconds, note.",
                    [
                        .required(
                            "state",
                            .oneOf(
                                CacheState.allCases.map(\.rawValue),
                                "fresh (probed by this process), loaded (from the cache file, not yet re-verified), verified (loaded and confirmed by a probe), stale (the source failed; the last good profile is served), empty."
                            )
                        ),
                        .required("file", .string()),
                        .optional(
                            "profileAgeSeconds",
                            .number(minimum: 0, "Seconds since the served profile was measured.")
                        ),
                        .optional("lastRevalidation", .dateTime()),
                        .required("revalidateIntervalSeconds", .number(minimum: 0)),
                        .optional(
                            "note",
                            .string("Why the last persisted cache was not used, or the last source failure.")
                        ),
                    ]
                )
            ),
            .required(
                "counters",
                .object(
                    "connectionsOpen, connectionsAccepted, connectionsRejected, connectionsRefused, requests, errors, probes, profileChanges, subscribers.",
                    [
                        .required("connectionsAccepted", .integer(minimum: 0)),
                        .required("connectionsOpen", .integer(minimum: 0)),
                        .required(
                            "connectionsRefused",
                            .object(
                                "Connections refused over a limit, by the limit (the -32000 error's data.reason).",
                                [
                                    .required("per-uid limit", .integer(minimum: 0)),
                                    .required("reserved", .integer(minimum: 0)),
                                    .required("total limit", .integer(minimum: 0)),
                                ]
                            )
                        ),
                        .required(
                            "connectionsRejected",
                            .integer(minimum: 0, "Every connection refused, over a limit or while shutting down.")
                        ),
                        .required("errors", .integer(minimum: 0)),
                        .required("probes", .integer(minimum: 0)),
                        .required("profileChanges", .integer(minimum: 0)),
                        .required("requests", .integer(minimum: 0)),
                        .required("subscribers", .integer(minimum: 0)),
                    ]
                )
            ),
            .required("evmcsSupported", .boolean()),
            .required(
                "exporters",
                .object(
                    "The enabled exporters; a disabled one is absent.",
                    [.optional("nfd", .ref("Exporter")), .optional("prometheus", .ref("Exporter"))]
                )
            ),
            .optional("fingerprint", .ref("Fingerprint")),
            .required("pid", .integer(minimum: 1)),
            .required("ready", .boolean()),
            .required("socket", .string()),
            .required("source", .matching("^(live |recorded ).+$", "live /dev/kvm or recorded FILE.")),
            .required("startedAt", .dateTime()),
            .required("uptimeSeconds", .number(minimum: 0)),
            .required("version", .string()),
        ]
    )

    static let profileChange: JSONSchema = .object(
        "One difference between two profiles: {path, old, new, features}.",
        [
            .required(
                "path",
                .string("Dotted path: kernel.release, kvm.parameters.kvm_intel.nested, vmx.guest.0x48d.")
            ),
            .optional("old", .string("The value before; absent when it was absent.")),
            .optional("new", .string("The value after; absent when it is absent now.")),
            .optional(
                "features",
                .array(
                    .object(
                        "A catalogued feature whose state changed in that view.",
                        [
                            .required("name", .matching(featureName)),
                            .required("label", .string()),
                            .required("old", .ref("FeatureState")),
                            .required("new", .ref("FeatureState")),
                        ]
                    )
                )
            ),
        ]
    )

    static let profileChanged: JSONSchema = .object(
        "A profile.changed notification's params and a host.history entry.",
        [
            .required("at", .dateTime()),
            .optional("oldFingerprint", .ref("Fingerprint")),
            .optional("newFingerprint", .ref("Fingerprint")),
            .required("fingerprintChanged", .boolean("Whether the capability fingerprint changed.")),
            .required(
                "trigger",
                .string("What made evmcsd look again: invalidation key changed: …, cache.refresh, SIGHUP.")
            ),
            .required("changes", .array(.ref("ProfileChange"))),
        ]
    )

    static let profileHistory: JSONSchema = .object(
        "host.history result: changes seen, oldest first.",
        [
            .required("changes", .array(.ref("ProfileChanged"))),
            .required("capacity", .integer(minimum: 0, "The history keeps at most this many entries.")),
        ]
    )

    static let subscription: JSONSchema = .object(
        "events.subscribe / events.unsubscribe result.",
        [.required("subscribed", .boolean()), .optional("fingerprint", .ref("Fingerprint"))]
    )

    static let refreshResult: JSONSchema = .object(
        "cache.refresh result.",
        [
            .optional("fingerprint", .ref("Fingerprint")),
            .required("changed", .boolean()),
            .required("durationMicros", .integer(minimum: 0)),
        ]
    )

    static let reloadResult: JSONSchema = .object(
        "daemon.reload result.",
        [
            .required("reloaded", .boolean()),
            .required("applied", .array(.string(), "Settings that changed and took effect.")),
            .required("needRestart", .array(.string(), "Settings that changed but need a restart.")),
        ]
    )

    static let openRPCDocument: JSONSchema = .object(
        properties: [
            .required("openrpc", .string()),
            .required(
                "info",
                .object(
                    properties: [.required("title", .string()), .required("version", .string())],
                    closed: false,
                    description: nil
                )
            ),
            .required(
                "methods",
                .array(.object(properties: [.required("name", .string())], closed: false, description: nil))
            ),
        ],
        closed: false,
        description: "An OpenRPC 1.3 document."
    )

    // MARK: - Params

    static let vmxParams: JSONSchema = .object(
        "host.vmx params (optional).",
        [.optional("view", .ref("ViewName"))]
    )

    static let compatCheckParams: JSONSchema = .oneOf(
        [
            .ref("VMRequirements"),
            .object(
                "{vm, to?}",
                [.required("vm", .ref("VMRequirements")), .optional("to", .ref("HostProfileDocument"))]
            ),
            .object(
                "{from, evmcs?, perfGlobalCtrl?, nestedState?, to?}: the VM started on from with its defaults.",
                [
                    .required("from", .ref("HostProfileDocument")),
                    .optional("evmcs", .boolean()),
                    .optional("perfGlobalCtrl", .boolean()),
                    .optional("nestedState", .boolean()),
                    .optional("to", .ref("HostProfileDocument")),
                ]
            ),
            .object(
                "{qemuCPU, from?, to?}: the VM QEMU starts with that -cpu on from (default this host).",
                [
                    .required(
                        "qemuCPU",
                        .string("A QEMU -cpu value (Skylake-Server-v4,+vmx,hv-evmcs,-vmx-posted-intr).")
                    ),
                    .optional("from", .ref("HostProfileDocument")),
                    .optional("to", .ref("HostProfileDocument")),
                ]
            ),
        ],
        description:
            "compat.check params: a VM requirements document, {vm, to?}, {from, …, to?} or {qemuCPU, from?, to?}; without to, this host is the target."
    )

    static let fleetParams: JSONSchema = .object(
        "compat.baseline / compat.pools params.",
        [
            .optional("profiles", .ref("HostProfiles")),
            .optional("includeLocal", .boolean("Add this host (default true).")),
            .optional(
                "evmcs",
                .boolean(
                    "Baseline: absent = include eVMCS when every host has it. Pools: VMs use eVMCS (default false)."
                )
            ),
            .optional("perfGlobalCtrl", .boolean()),
            .optional("nestedState", .boolean("Baseline: absent = include when every host can. Pools: default false.")),
        ]
    )
}
