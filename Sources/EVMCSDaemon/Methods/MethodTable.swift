import EVMCSProtocol
import JSONRPC

/// Every method evmcsd answers, registered for the JSON-RPC server.
enum MethodTable {
    static func make(core: DaemonCore) -> JSONRPCMethods {
        var methods = JSONRPCMethods()
        HostMethods.register(into: &methods, core: core)
        CompatMethods.register(into: &methods, core: core)
        DaemonMethods.register(into: &methods, core: core)
        methods.registerImmediate(EVMCSMethod.discover.rawValue, allowReservedName: true) { request, _ in
            try request.expectNoParams()
            return try discoverAnswer.get()
        }
        return methods
    }

    /// The OpenRPC document (about 90 KB), built and validated on the first `rpc.discover`, not at
    /// start-up (a static `let` is initialized once, on first use, thread-safely); each call then
    /// costs a copy of the bytes.
    private static let discoverAnswer = Result {
        try JSONRPCResult(preEncoded: Array(OpenRPCDocument.make().serializedString.utf8))
    }
}
