import EVMCSProtocol
import JSONRPC
import VMXModel

/// `compat.check`, `compat.baseline`, `compat.pools`: verdicts and fleet computations on
/// documents in the params, with this host as the default target or member. They run as
/// async jobs so large fleets never hold an event loop.
enum CompatMethods {
    static func register(into methods: inout JSONRPCMethods, core: DaemonCore) {
        methods.registerAsync(EVMCSAPI.check, decoding: { request throws(JSONRPCError) in
            try decode(CompatCheckRequest.self, request, documents: ["vm", "from", "to"])
        }) { params, _ in
            var verdict: Verdict
            switch params {
            case .requirements(let vm, let target):
                verdict = CompatibilityChecker.check(vm, on: try target ?? core.serving().profile)
            case .startedOn(let source, let evmcs, let perfGlobalCtrl, let nestedState, let target):
                verdict = CompatibilityChecker.check(
                    from: source,
                    to: try target ?? core.serving().profile,
                    evmcs: evmcs,
                    perfGlobalCtrl: perfGlobalCtrl,
                    nestedState: nestedState
                )
            case .qemuCPU(let cpu, let source, let target):
                let host = try source ?? core.serving().profile
                let built: QEMUCPURequirements
                do {
                    built = try QEMUCPURequirements(qemuCPU: cpu, on: host)
                } catch let error as QEMUCPUError {
                    throw JSONRPCError.invalidParams(field: "params.qemuCPU", reason: error.message)
                }
                verdict = CompatibilityChecker.check(built.requirements, on: try target ?? core.serving().profile)
                verdict.warnings = built.warnings + verdict.warnings
            }
            return try EncodedAnswer(verdict)
        }
        methods.registerAsync(EVMCSAPI.baseline, decoding: fleetParams) { params, _ in
            let hosts = try fleet(params, core)
            do {
                let baseline = try Baseline(
                    of: hosts,
                    options: BaselineOptions(
                        evmcs: params.evmcs,
                        perfGlobalCtrl: params.perfGlobalCtrl,
                        nestedState: params.nestedState
                    )
                )
                return try EncodedAnswer(baseline)
            } catch let error as FleetError {
                throw fleetError(error)
            }
        }
        methods.registerAsync(EVMCSAPI.pools, decoding: fleetParams) { params, _ in
            let hosts = try fleet(params, core)
            do {
                let pools = try Pools(
                    of: hosts,
                    evmcs: params.evmcs ?? false,
                    perfGlobalCtrl: params.perfGlobalCtrl,
                    nestedState: params.nestedState ?? false
                )
                return try EncodedAnswer(pools)
            } catch let error as FleetError {
                throw fleetError(error)
            }
        }
    }

    private static func fleetParams(_ request: JSONRPCRequest) throws(JSONRPCError) -> FleetRequest {
        try decode(FleetRequest.self, request, documents: ["profiles"])
    }

    /// Decodes params; a problem inside one of the `documents` members (or in a bare
    /// document) is "invalid document" (-32012), any other one "invalid params" (-32602).
    /// Both carry `{"field", "reason"}`.
    static func decode<T: Decodable>(_ type: T.Type, _ request: JSONRPCRequest, documents: Set<String>)
        throws(JSONRPCError) -> T
    {
        do {
            return try request.decodeParams(type)
        } catch {
            guard error.code == .invalidParams, let field = error.data?["field"]?.string else { throw error }
            let parts = field.split(separator: ".")
            let bareDocument = request.params?["schema"] != nil && field != "params"
            let inDocument = parts.count > 1 && documents.contains(String(parts[1].prefix { $0 != "[" }))
            guard bareDocument || inDocument else { throw error }
            throw JSONRPCError(
                .invalidDocument,
                data: error.data
            )
        }
    }

    private static func fleet(_ params: FleetRequest, _ core: DaemonCore) throws(JSONRPCError) -> [HostProfile] {
        var hosts = params.profiles
        if params.includeLocal { hosts.insert(try core.serving().profile, at: 0) }
        guard !hosts.isEmpty else {
            throw JSONRPCError.invalidParams(
                field: "params.profiles",
                reason: "give at least one profile or includeLocal: true"
            )
        }
        return hosts
    }

    private static func fleetError(_ error: FleetError) -> JSONRPCError {
        JSONRPCError(
                .fleetFailed,
                data: ["reason": .string(error.message)]
        )
    }
}
