/// A JSON-RPC 2.0 error object: thrown by handlers and sent to clients as `{"code":…,"message":…,"data":…}`.
///
/// Codes owned by this module:
///
/// | code | constant | meaning |
/// |---|---|---|
/// | -32700 | ``Code/parseError`` | the line is not valid JSON (`data`: `{"offset":…,"reason":…}`); id is null |
/// | -32600 | ``Code/invalidRequest`` | not a valid request object (`data`: `{"reason":…}`); id echoed if readable |
/// | -32601 | ``Code/methodNotFound`` | no such method |
/// | -32602 | ``Code/invalidParams`` | params do not fit the method (`data`: `{"field":…,"reason":…}`) |
/// | -32603 | ``Code/internalError`` | the handler failed unexpectedly; the cause is logged, never sent |
/// | -32000 | ``Code/overloaded`` | too many connections (`data`: `{"reason":"per-uid limit"|"total limit"|"reserved","limit":…,"uid":…}`), or too many requests pending server-wide |
/// | -32001 | ``Code/requestTooLarge`` | the line exceeds the configured limit; the connection is then closed |
/// | -32002 | ``Code/batchTooLarge`` | the batch has more elements than the configured limit |
/// | -32003 | ``Code/shuttingDown`` | the server is draining and did not start this request |
///
/// Codes -32010 through -32099 are reserved for the application (the daemon); handlers may throw any code.
///
/// ```swift
/// throw JSONRPCError(code: .init(rawValue: -32010), message: "Profile not ready")
/// throw JSONRPCError.invalidParams(field: "params.vm", reason: "expected object")
/// ```
public struct JSONRPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The numeric error code; extensible, so applications can define their own.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The integer sent on the wire.
        public var rawValue: Int

        /// Creates a code.
        ///
        /// - Parameter rawValue: The integer sent on the wire.
        public init(rawValue: Int) {
            self.rawValue = rawValue
        }

        /// -32700: invalid JSON.
        public static let parseError = Code(rawValue: -32700)
        /// -32600: the JSON is not a valid request object.
        public static let invalidRequest = Code(rawValue: -32600)
        /// -32601: the method does not exist.
        public static let methodNotFound = Code(rawValue: -32601)
        /// -32602: invalid method parameters.
        public static let invalidParams = Code(rawValue: -32602)
        /// -32603: internal error.
        public static let internalError = Code(rawValue: -32603)
        /// -32000: too many connections or pending requests.
        public static let overloaded = Code(rawValue: -32000)
        /// -32001: the request line is longer than allowed.
        public static let requestTooLarge = Code(rawValue: -32001)
        /// -32002: the batch has too many elements.
        public static let batchTooLarge = Code(rawValue: -32002)
        /// -32003: the server is shutting down.
        public static let shuttingDown = Code(rawValue: -32003)

        /// The decimal code.
        public var description: String { String(self.rawValue) }
    }

    /// The error code.
    public var code: Code
    /// A short, single-sentence description.
    public var message: String
    /// Optional structured details.
    public var data: JSONValue?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The error code.
    ///   - message: A short description.
    ///   - data: Optional structured details sent to the client.
    public init(code: Code, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// `"<message> (<code>)"`.
    public var description: String { "\(self.message) (\(self.code))" }
}

extension JSONRPCError {
    /// A -32602 error naming the offending field.
    ///
    /// - Parameters:
    ///   - field: The dotted path of the field, starting with `params`, e.g. `params.vm.vmx.0x48d`.
    ///   - reason: What is wrong with it, e.g. `expected hex string`.
    /// - Returns: The error, with `data` `{"field":…,"reason":…}`.
    public static func invalidParams(field: String, reason: String) -> JSONRPCError {
        JSONRPCError(
            code: .invalidParams,
            message: "Invalid params",
            data: ["field": .string(field), "reason": .string(reason)]
        )
    }

    /// A -32600 error explaining what is wrong with the request object.
    ///
    /// - Parameter reason: What is wrong, e.g. `"jsonrpc" must be "2.0"`.
    /// - Returns: The error, with `data` `{"reason":…}`.
    public static func invalidRequest(reason: String) -> JSONRPCError {
        JSONRPCError(code: .invalidRequest, message: "Invalid Request", data: ["reason": .string(reason)])
    }

    /// A -32600 error naming the member of the request object that is wrong, e.g. a duplicate `id`.
    static func invalidRequest(field: String, reason: String) -> JSONRPCError {
        JSONRPCError(
            code: .invalidRequest,
            message: "Invalid Request",
            data: ["field": .string(field), "reason": .string(reason)]
        )
    }

    static func parseError(_ error: JSONParseError) -> JSONRPCError {
        JSONRPCError(
            code: .parseError,
            message: "Parse error",
            data: ["offset": .number(JSONNumber(error.offset)), "reason": .string(error.reason.description)]
        )
    }

    static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: .methodNotFound, message: "Method not found", data: ["method": .string(method)])
    }

    static let internalError = JSONRPCError(code: .internalError, message: "Internal error")

    package static let shuttingDown = JSONRPCError(code: .shuttingDown, message: "Server is shutting down")

    static func requestTooLarge(limit: Int) -> JSONRPCError {
        JSONRPCError(
            code: .requestTooLarge,
            message: "Request too large",
            data: ["maximumBytes": .number(JSONNumber(limit))]
        )
    }

    static func batchTooLarge(limit: Int) -> JSONRPCError {
        JSONRPCError(
            code: .batchTooLarge,
            message: "Batch too large",
            data: ["maximumElements": .number(JSONNumber(limit))]
        )
    }

    package static func tooManyConnections(
        _ refusal: JSONRPCConnectionLimits.Refusal,
        limit: Int,
        peer: JSONRPCPeerCredentials
    ) -> JSONRPCError {
        JSONRPCError(
            code: .overloaded,
            message: "Too many connections",
            data: [
                "reason": .string(refusal.rawValue), "limit": .number(JSONNumber(limit)),
                "uid": .number(JSONNumber(Int(peer.uid))),
            ]
        )
    }

    static func overloaded(_ reason: String) -> JSONRPCError {
        JSONRPCError(code: .overloaded, message: "Server overloaded", data: ["reason": .string(reason)])
    }
}
