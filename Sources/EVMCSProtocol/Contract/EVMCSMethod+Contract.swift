extension EVMCSMethod {
    /// The errors any method can answer with: the transport's limits, a method that does not
    /// take these params, and an unexpected failure.
    public static let commonErrors: [EVMCSError] = [
        .invalidParams, .internalError, .overloaded, .requestTooLarge, .batchTooLarge, .shuttingDown,
    ]

    /// What the contract says about this method.
    public var contract: MethodContract {
        switch self {
        case .discover:
            MethodContract(summary: "This OpenRPC document.", result: ("document", "OpenRPCDocument"))
        case .status:
            MethodContract(
                summary: "Version, uptime, cache state, fingerprint and counters.",
                result: ("status", "DaemonStatus")
            )
        case .profile:
            MethodContract(
                summary: "The host profile (evmcsd.host-profile/1).",
                result: ("profile", "HostProfile"),
                errors: [.notReady]
            )
        case .evmcs:
            MethodContract(
                summary: "eVMCS support, version range and the guest views with what eVMCS removes.",
                result: ("evmcs", "HostEVMCSReport"),
                errors: [.notReady]
            )
        case .vmx:
            MethodContract(
                summary: "The VMX views with values, provenance, feature states and fields.",
                params: [.init("view", .ref("ViewName"), "Only this view.")],
                paramsSchema: "VMXParams",
                result: ("vmx", "HostVMXReport"),
                errors: [.notReady]
            )
        case .history:
            MethodContract(
                summary:
                    "Capability changes seen by this daemon (kernel, microcode, KVM parameters, eVMCS, VMX views), oldest first, with diffs.",
                result: ("history", "ProfileHistory")
            )
        case .check:
            MethodContract(
                summary: "Verdict for a VM on this host (or on `to`).",
                description:
                    "Params: a bare VM requirements document, {vm, to?}, {from, evmcs?, perfGlobalCtrl?, nestedState?, to?}, or {qemuCPU, from?, to?}.",
                params: [
                    .init("vm", .ref("VMRequirements"), "The VM's requirements."),
                    .init(
                        "qemuCPU",
                        .string(),
                        "A QEMU -cpu value (Skylake-Server-v4,+vmx,hv-evmcs,-vmx-posted-intr): the VM QEMU starts with it on `from` (default this host)."
                    ),
                    .init(
                        "from",
                        .ref("HostProfileDocument"),
                        "A VM started there with that host's defaults; with qemuCPU, the host it was started on."
                    ),
                    .init("evmcs", .boolean(), "With from: the VM uses eVMCS."),
                    .init("perfGlobalCtrl", .boolean(), "With from: Hyper-V CPUID 0x4000000A.EBX bit 0."),
                    .init("nestedState", .boolean(), "With from: nested state must migrate."),
                    .init("to", .ref("HostProfileDocument"), "Target; default this host."),
                ],
                paramsSchema: "CompatCheckParams",
                result: ("verdict", "Verdict"),
                errors: [.invalidDocument, .notReady]
            )
        case .baseline:
            MethodContract(
                summary: "The richest VM requirements every host accepts, and the QEMU -cpu flags.",
                params: Self.fleetParams(evmcs: "eVMCS on/off; default: on when every host has it."),
                paramsSchema: "FleetParams",
                result: ("baseline", "Baseline"),
                errors: [.invalidDocument, .notReady, .fleetFailed]
            )
        case .pools:
            MethodContract(
                summary: "Hosts grouped by fingerprint with the migration matrix between groups.",
                params: Self.fleetParams(evmcs: "The VMs use eVMCS (default false)."),
                paramsSchema: "FleetParams",
                result: ("pools", "Pools"),
                errors: [.invalidDocument, .notReady, .fleetFailed]
            )
        case .subscribe:
            MethodContract(
                summary: "Receive profile.changed notifications on this connection.",
                result: ("subscription", "Subscription"),
                notifications: [.profileChanged]
            )
        case .unsubscribe:
            MethodContract(
                summary: "Stop profile.changed notifications on this connection.",
                result: ("subscription", "Subscription")
            )
        case .refresh:
            MethodContract(
                summary: "Re-probe now, whatever the invalidation key says (admin).",
                result: ("refresh", "RefreshResult"),
                errors: [.notAuthorized, .probeFailed]
            )
        case .reload:
            MethodContract(
                summary: "Reload the configuration file (admin), as on SIGHUP.",
                result: ("reload", "ReloadResult"),
                errors: [.notAuthorized, .reloadFailed]
            )
        }
    }

    private static func fleetParams(evmcs: String) -> [MethodContract.Param] {
        [
            .init("profiles", .ref("HostProfiles"), "Host profiles."),
            .init("includeLocal", .boolean(), "Add this host (default true)."),
            .init("evmcs", .boolean(), evmcs),
            .init("perfGlobalCtrl", .boolean(), "Hyper-V CPUID 0x4000000A.EBX bit 0 (default false)."),
            .init("nestedState", .boolean(), "Nested-state migration."),
        ]
    }
}
