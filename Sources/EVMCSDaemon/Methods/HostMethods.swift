import EVMCSProtocol
import JSONRPC
import VMXModel

/// `host.profile`, `host.evmcs`, `host.vmx`, `host.history`: answered from memory on the
/// event loop; the fixed answers are encoded once per profile (after a probe, or once the
/// daemon is ready for a profile loaded from the cache).
enum HostMethods {
    static func register(into methods: inout JSONRPCMethods, core: DaemonCore) {
        methods.registerImmediate(EVMCSAPI.profile) { _, _ in try core.serving().profileAnswer }
        methods.registerImmediate(EVMCSAPI.evmcs) { _, _ in try core.serving().evmcsAnswer }
        methods.registerImmediate(EVMCSAPI.vmx) { params, _ in
            let serving = try core.serving()
            guard let view = params.view else { return try serving.vmxAnswer }
            return try EncodedAnswer(HostVMXReport(serving.profile, view: view))
        }
        methods.registerImmediate(EVMCSAPI.history) { _, _ in try EncodedAnswer(core.store.history) }
    }
}
