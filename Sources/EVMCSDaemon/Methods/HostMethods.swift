import EVMCSProtocol
import JSONRPC
import VMXModel

/// `host.profile`, `host.evmcs`, `host.vmx`, `host.history`: answered from memory on the
/// event loop; the fixed answers are pre-encoded when the profile changes.
enum HostMethods {
    static func register(into methods: inout JSONRPCMethods, core: DaemonCore) {
        methods.registerImmediate(EVMCSMethod.profile.rawValue) { request, _ in
            try request.expectNoParams()
            return try core.serving().profileAnswer
        }
        methods.registerImmediate(EVMCSMethod.evmcs.rawValue) { request, _ in
            try request.expectNoParams()
            return try core.serving().evmcsAnswer
        }
        methods.registerImmediate(EVMCSMethod.vmx.rawValue) { request, _ in
            let serving = try core.serving()
            guard request.params != nil else { return serving.vmxAnswer }
            let params = try request.decodeParams(VMXRequest.self)
            guard let view = params.view else { return serving.vmxAnswer }
            return try JSONRPCResult(encoding: HostVMXReport(serving.profile, view: view))
        }
        methods.registerImmediate(EVMCSMethod.history.rawValue) { request, _ in
            try request.expectNoParams()
            return try JSONRPCResult(encoding: core.store.history)
        }
    }
}
