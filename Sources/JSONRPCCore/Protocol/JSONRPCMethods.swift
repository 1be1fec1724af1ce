/// The methods a server answers, by name.
///
/// ```swift
/// var methods = JSONRPCMethods()
/// methods.registerImmediate("daemon.ping") { _, _ in JSONRPCResult("pong") }
/// methods.registerAsync("cache.refresh") { request, context in
///     try await cache.refresh()
///     return .null
/// }
/// methods.registerImmediate("rpc.discover", allowReservedName: true) { _, _ in openRPCDocument }
/// ```
public struct JSONRPCMethods: Sendable {
    /// A synchronous, non-blocking handler that runs on the connection's event loop: the fast path for answers
    /// that come from memory. It must never block or do I/O.
    public typealias ImmediateHandler = @Sendable (JSONRPCRequest, JSONRPCContext) throws -> JSONRPCResult

    /// An asynchronous handler, run as a child task of the server's ``JSONRPCServer/run()``.
    public typealias AsyncHandler = @Sendable (JSONRPCRequest, JSONRPCContext) async throws -> JSONRPCResult

    enum Implementation: Sendable {
        case immediate(ImmediateHandler)
        case async(AsyncHandler)
    }

    private(set) var implementations: [String: Implementation] = [:]

    /// Creates an empty registry.
    public init() {}

    /// The registered method names, sorted.
    public var names: [String] { self.implementations.keys.sorted() }

    /// Registers (or replaces) a method answered synchronously on the event loop.
    ///
    /// Errors thrown by `handler` that are not ``JSONRPCError`` are logged and answered with -32603, never leaked.
    ///
    /// - Parameters:
    ///   - method: The method name. Names starting with `rpc.` are reserved by JSON-RPC 2.0 and need
    ///     `allowReservedName`.
    ///   - allowReservedName: Set to register an `rpc.` method such as `rpc.discover`.
    ///   - handler: The implementation; it must not block.
    public mutating func registerImmediate(
        _ method: String,
        allowReservedName: Bool = false,
        _ handler: @escaping ImmediateHandler
    ) {
        Self.checkName(method, allowReservedName: allowReservedName)
        self.implementations[method] = .immediate(handler)
    }

    /// Registers (or replaces) a method answered by an asynchronous handler.
    ///
    /// Responses still go out in request order on each connection.
    ///
    /// - Parameters:
    ///   - method: The method name. Names starting with `rpc.` are reserved by JSON-RPC 2.0 and need
    ///     `allowReservedName`.
    ///   - allowReservedName: Set to register an `rpc.` method.
    ///   - handler: The implementation.
    public mutating func registerAsync(
        _ method: String,
        allowReservedName: Bool = false,
        _ handler: @escaping AsyncHandler
    ) {
        Self.checkName(method, allowReservedName: allowReservedName)
        self.implementations[method] = .async(handler)
    }

    private static func checkName(_ method: String, allowReservedName: Bool) {
        precondition(
            allowReservedName || !method.hasPrefix("rpc."),
            "method names starting with \"rpc.\" are reserved; pass allowReservedName: true"
        )
    }
}
