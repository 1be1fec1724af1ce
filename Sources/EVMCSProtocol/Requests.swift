import VMXModel

/// The params of `compat.check`: a VM (its requirements, or "started on this profile with its
/// defaults") and an optional target; without a target the daemon's own host is the target.
///
/// Wire forms (Docs/protocol.md): a bare `evmcsd.vm-requirements/1` document;
/// `{"vm": <requirements>, "to"?: <profile>}`; or
/// `{"from": <profile>, "evmcs"?: bool, "perfGlobalCtrl"?: bool, "nestedState"?: bool, "to"?: <profile>}`;
/// or `{"qemuCPU": "<-cpu value>", "from"?: <profile>, "to"?: <profile>}` — the VM QEMU starts
/// with that `-cpu` on `from` (default: the daemon's host), see ``QEMUCPURequirements``.
public enum CompatCheckRequest: Codable, Hashable, Sendable {
    case requirements(VMRequirements, target: HostProfile?)
    case startedOn(HostProfile, evmcs: Bool, perfGlobalCtrl: Bool, nestedState: Bool, target: HostProfile?)
    case qemuCPU(String, source: HostProfile?, target: HostProfile?)

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case vm, from, to, evmcs, perfGlobalCtrl, nestedState, qemuCPU
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.container(keyedBy: DocumentKey.self)
        if raw.contains(DocumentKey("schema")) {
            self = .requirements(try VMRequirements(from: decoder), target: nil)
            return
        }
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let target = try c.decodeIfPresent(HostProfile.self, forKey: .to)
        if let cpu = try c.decodeIfPresent(String.self, forKey: .qemuCPU) {
            for key in [CodingKeys.vm, .evmcs, .perfGlobalCtrl, .nestedState] where c.contains(key) {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: c,
                    debugDescription: "\"qemuCPU\" states eVMCS and nesting itself; \"\(key.stringValue)\" does not go with it"
                )
            }
            self = .qemuCPU(cpu, source: try c.decodeIfPresent(HostProfile.self, forKey: .from), target: target)
        } else if let vm = try c.decodeIfPresent(VMRequirements.self, forKey: .vm) {
            guard !c.contains(.from) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .from,
                    in: c,
                    debugDescription: "give either \"vm\" or \"from\", not both"
                )
            }
            self = .requirements(vm, target: target)
        } else if let source = try c.decodeIfPresent(HostProfile.self, forKey: .from) {
            self = .startedOn(
                source,
                evmcs: try c.decodeIfPresent(Bool.self, forKey: .evmcs) ?? false,
                perfGlobalCtrl: try c.decodeIfPresent(Bool.self, forKey: .perfGlobalCtrl) ?? false,
                nestedState: try c.decodeIfPresent(Bool.self, forKey: .nestedState) ?? false,
                target: target
            )
        } else {
            throw DecodingError.keyNotFound(
                CodingKeys.from,
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "give a VM requirements document, \"vm\", \"from\" or \"qemuCPU\""
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .requirements(let vm, let target):
            try c.encode(vm, forKey: .vm)
            try c.encodeIfPresent(target, forKey: .to)
        case .startedOn(let source, let evmcs, let perfGlobalCtrl, let nestedState, let target):
            try c.encode(source, forKey: .from)
            try c.encode(evmcs, forKey: .evmcs)
            try c.encode(perfGlobalCtrl, forKey: .perfGlobalCtrl)
            try c.encode(nestedState, forKey: .nestedState)
            try c.encodeIfPresent(target, forKey: .to)
        case .qemuCPU(let cpu, let source, let target):
            try c.encode(cpu, forKey: .qemuCPU)
            try c.encodeIfPresent(source, forKey: .from)
            try c.encodeIfPresent(target, forKey: .to)
        }
    }
}

/// The params of `compat.baseline` and `compat.pools`: host profiles, usually with the
/// daemon's own host added.
public struct FleetRequest: Codable, Hashable, Sendable {
    public var profiles: [HostProfile]
    /// Add this daemon's host (default true).
    public var includeLocal: Bool
    /// Baseline: `nil` = include eVMCS when every host has it. Pools: VMs use eVMCS (default false).
    public var evmcs: Bool?
    public var perfGlobalCtrl: Bool
    /// Baseline: `nil` = include when every host can. Pools: default false.
    public var nestedState: Bool?

    public init(
        profiles: [HostProfile],
        includeLocal: Bool = true,
        evmcs: Bool? = nil,
        perfGlobalCtrl: Bool = false,
        nestedState: Bool? = nil
    ) {
        self.profiles = profiles
        self.includeLocal = includeLocal
        self.evmcs = evmcs
        self.perfGlobalCtrl = perfGlobalCtrl
        self.nestedState = nestedState
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case profiles, includeLocal, evmcs, perfGlobalCtrl, nestedState
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        profiles = try c.decodeIfPresent([HostProfile].self, forKey: .profiles) ?? []
        includeLocal = try c.decodeIfPresent(Bool.self, forKey: .includeLocal) ?? true
        evmcs = try c.decodeIfPresent(Bool.self, forKey: .evmcs)
        perfGlobalCtrl = try c.decodeIfPresent(Bool.self, forKey: .perfGlobalCtrl) ?? false
        nestedState = try c.decodeIfPresent(Bool.self, forKey: .nestedState)
    }
}

/// The optional params of `host.vmx`.
public struct VMXRequest: Codable, Hashable, Sendable {
    /// The one view to report; all views when absent.
    public var view: VMXViewName?

    public init(view: VMXViewName? = nil) { self.view = view }

    private enum CodingKeys: String, CodingKey, CaseIterable { case view }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        guard let name = try c.decodeIfPresent(String.self, forKey: .view) else { return }
        guard let view = VMXViewName(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .view,
                in: c,
                debugDescription:
                    "unknown view \"\(name)\" (\(VMXViewName.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        self.view = view
    }
}
