import EVMCSProtocol
import JSONRPC

extension JSONRPCError {
    /// The answer for one of evmcsd's errors, with its table message.
    /// - Parameters:
    ///   - error: The error of the contract's table.
    ///   - data: The documented `data` members.
    init(_ error: EVMCSError, data: JSONValue? = nil) {
        self.init(code: Code(rawValue: error.code), message: error.message, data: data)
    }
}
