import EVMCSProtocol
import JSONRPC

/// Every method evmcsd answers, registered for the JSON-RPC server.
enum MethodTable {
    static func make(core: DaemonCore) -> JSONRPCMethods {
        var methods = JSONRPCMethods()
        HostMethods.register(into: &methods, core: core)
        CompatMethods.register(into: &methods, core: core)
        DaemonMethods.register(into: &methods, core: core)
        // Validated once; each call then costs a copy of the bytes.
        let discover = Result { try JSONRPCResult(preEncoded: Array(OpenRPCDocument.make().serializedString.utf8)) }
        methods.registerImmediate(EVMCSMethod.discover.rawValue, allowReservedName: true) { request, _ in
            try request.expectNoParams()
            return try discover.get()
        }
        return methods
    }
}
