import JSONRPC

/// A synchronous client of the local evmcsd on one blocking connection: each call writes its
/// request and reads its answer on the calling thread. For a process that makes a call or two
/// and exits (`evmcsctl status`), where Swift concurrency's threads and hand-offs would cost
/// more than the call itself. ``EVMCSClient`` with ``EVMCSClient/Transport/blocking`` wraps one.
///
/// ```swift
/// let evmcsd = try EVMCSBlockingClient()
/// let status = try evmcsd.call(EVMCSAPI.status)
/// evmcsd.close()
/// ```
public final class EVMCSBlockingClient: Sendable {
    private let connection: BlockingJSONRPCClient
    /// The socket this client talks to.
    public let socketPath: String
    /// How long each call waits for its answer.
    public let timeout: Duration

    /// Connects to evmcsd.
    /// - Parameters:
    ///   - socketPath: The daemon's socket.
    ///   - timeout: How long each call waits for its answer.
    /// - Throws: ``EVMCSClientError`` (`daemonNotRunning`, `permissionDenied`, `unusableSocketPath`).
    public init(
        socketPath: String = EVMCSClient.defaultSocketPath,
        timeout: Duration = .seconds(30)
    ) throws(EVMCSClientError) {
        do {
            self.connection = try BlockingJSONRPCClient(unixSocketPath: socketPath)
        } catch {
            throw EVMCSClientError(error, socketPath: socketPath)
        }
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// Calls `method` with `params` and decodes its result as the contract's type.
    ///
    /// ```swift
    /// let verdict = try evmcsd.call(EVMCSAPI.check, params: .requirements(vm, target: nil))
    /// ```
    /// - Throws: ``EVMCSClientError``.
    public func call<Params, Result>(
        _ method: MethodDescriptor<Params, Result>,
        params: Params? = nil
    ) throws(EVMCSClientError) -> Result {
        do {
            let name = method.method.rawValue
            return try raw(method.method, params: params).decodedResult(of: name, as: Result.self)
        } catch {
            throw EVMCSClientError(error, socketPath: socketPath)
        }
    }

    /// Closes the connection; later calls fail with `connectionLost`.
    public func close() { connection.close() }

    /// The raw result of `method`.
    func raw(
        _ method: EVMCSMethod,
        params: (some Encodable & Sendable)? = Optional<JSONRPCClient.Empty>.none
    ) throws(JSONRPCClientError) -> JSONValue {
        try connection.call(method.rawValue, params: params, timeout: timeout)
    }
}
