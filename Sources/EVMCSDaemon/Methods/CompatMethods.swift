import EVMCSProtocol
import JSONRPC
import VMXModel

/// `compat.check`, `compat.baseline`, `compat.pools`: verdicts and fleet computations on
/// documents in the params, with this host as the default target or member. They run as
/// async jobs so large fleets never hold an event loop.
enum CompatMethods {
    static func register(into methods: inout JSONRPCMethods, core: DaemonCore) {
        methods.registerAsync(EVMCSMethod.check.rawValue) { request, _ in
            let params = try decode(CompatCheckRequest.self, request, documents: ["vm", "from", "to"])
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
            return try JSONRPCResult(encoding: verdict)
        }
        methods.registerAsync(EVMCSMethod.baseline.rawValue) { request, _ in
            let params = try decode(FleetRequest.self, request, documents: ["profiles"])
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
                return try JSONRPCResult(encoding: baseline)
            } catch let error as FleetError {
                throw fleetError(error)
            }
        }
        methods.registerAsync(EVMCSMethod.pools.rawValue) { request, _ in
            let params = try decode(FleetRequest.self, request, documents: ["profiles"])
            let hosts = try fleet(params, core)
            do {
                let pools = try Pools(
                    of: hosts,
                    evmcs: params.evmcs ?? false,
                    perfGlobalCtrl: params.perfGlobalCtrl,
                    nestedState: params.nestedState ?? false
                )
                return try JSONRPCResult(encoding: pools)
            } catch let error as FleetError {
                throw fleetError(error)
            }
        }
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
                code: JSONRPCError.Code(rawValue: EVMCSErrorCode.invalidDocument),
                message: "Invalid document",
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
            code: JSONRPCError.Code(rawValue: EVMCSErrorCode.fleetFailed),
            message: "Fleet computation failed",
            data: ["reason": .string(error.message)]
        )
    }
}
