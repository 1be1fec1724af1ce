import EVMCSProtocol
import JSONRPC

/// A method's answer, encoded from a value of the contract's result type: a handler registered
/// under a ``MethodDescriptor`` cannot answer with another type.
struct EncodedAnswer<Result: Encodable & Sendable>: Sendable {
    let result: JSONRPCResult

    /// Encodes `value` (sorted keys, as ``JSONRPCResult/init(encoding:)``).
    /// - Throws: `EncodingError` for a value JSON cannot hold (a non-finite number).
    init(_ value: Result) throws {
        self.result = try JSONRPCResult(encoding: value)
    }

    /// Bytes a dedicated writer produced for a `Result`, which a test holds equal to what
    /// ``init(_:)`` encodes (the `daemon.status` template: `AnswerEncodingTests`).
    init(writtenAs _: Result.Type, _ result: JSONRPCResult) {
        self.result = result
    }
}

/// How a method's params are read, decided once when it is registered (no casts per request):
/// `NoParams` refuses any (but `{}` and `[]`), params that have defaults take them when absent,
/// and the rest are decoded (absent params as `{}`).
enum ContractParams {
    static func reader<Params: Decodable & Sendable>(_ type: Params.Type) -> @Sendable (JSONRPCRequest) throws(JSONRPCError)
        -> Params
    {
        if let none = NoParams() as? Params {
            return { request throws(JSONRPCError) in
                try request.expectNoParams()
                return none
            }
        }
        if let defaulted = Params.self as? any DefaultableParams.Type, let defaults = defaulted.defaults as? Params {
            return { request throws(JSONRPCError) in
                request.hasParams ? try request.decodeParams() : defaults
            }
        }
        return { request throws(JSONRPCError) in try request.decodeParams() }
    }
}

extension JSONRPCMethods {
    /// Registers `handler` for `method`, answered on the event loop (it must not block).
    /// - Parameters:
    ///   - decode: How the params are read; the contract's rules (``ContractParams``) by default.
    mutating func registerImmediate<Params: Decodable, Result: Encodable>(
        _ method: MethodDescriptor<Params, Result>,
        decoding decode: @escaping @Sendable (JSONRPCRequest) throws(JSONRPCError) -> Params =
            ContractParams.reader(Params.self),
        _ handler: @escaping @Sendable (Params, JSONRPCContext) throws -> EncodedAnswer<Result>
    ) {
        registerImmediate(method.method.rawValue) { request, context in
            try handler(try decode(request), context).result
        }
    }

    /// Registers `handler` for `method`, run as an asynchronous job.
    /// - Parameters:
    ///   - decode: How the params are read; the contract's rules (``ContractParams``) by default.
    mutating func registerAsync<Params: Decodable, Result: Encodable>(
        _ method: MethodDescriptor<Params, Result>,
        decoding decode: @escaping @Sendable (JSONRPCRequest) throws(JSONRPCError) -> Params =
            ContractParams.reader(Params.self),
        _ handler: @escaping @Sendable (Params, JSONRPCContext) async throws -> EncodedAnswer<Result>
    ) {
        registerAsync(method.method.rawValue) { request, context in
            try await handler(try decode(request), context).result
        }
    }
}
