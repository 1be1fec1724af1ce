import JSONRPC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// A client of the local evmcsd: typed calls for every method over one pipelined
/// connection, safe to share between tasks.
///
/// ```swift
/// let evmcsd = try await EVMCSClient.connect()
/// let verdict = try await evmcsd.check(.startedOn(sourceProfile, evmcs: true, perfGlobalCtrl: false, nestedState: true, target: nil))
/// if !verdict.compatible { print(verdict.reasons.map(\.message)) }
/// for try await change in try await evmcsd.subscribe() { print(change.newFingerprint ?? "") }
/// ```
public final class EVMCSClient: Sendable {
    /// How a client talks to evmcsd.
    public enum Transport: Sendable {
        /// One pipelined connection on SwiftNIO's event loops: calls from many tasks are in
        /// flight together and ``EVMCSClient/subscribe()`` delivers changes. The default.
        case pipelined
        /// One blocking connection: each call writes its request and reads its answer on the
        /// calling thread, with no event-loop threads started — for a process that makes a call
        /// or two and exits. Calls take turns; ``EVMCSClient/subscribe()`` is not available.
        case blocking
    }

    private enum Connection: Sendable {
        case pipelined(JSONRPCClient)
        case blocking(EVMCSBlockingClient)
    }

    private let connection: Connection
    /// The socket this client talks to.
    public let socketPath: String
    /// How long each call waits for its answer.
    public let timeout: Duration

    /// The socket evmcsd listens on by default: `$EVMCSD_SOCKET`, else the system daemon's
    /// `/run/evmcsd/evmcsd.sock` when it exists (or when running as root), else the per-user
    /// `$XDG_RUNTIME_DIR/evmcsd/evmcsd.sock`.
    public static var defaultSocketPath: String {
        if let explicit = getenv("EVMCSD_SOCKET").map({ String(cString: $0) }), !explicit.isEmpty { return explicit }
        let system = "/run/evmcsd/evmcsd.sock"
        if getuid() == 0 || access(system, F_OK) == 0 { return system }
        if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), !runtime.isEmpty {
            return runtime + "/evmcsd/evmcsd.sock"
        }
        return "/tmp/evmcsd-\(getuid())/evmcsd.sock"
    }

    private init(connection: Connection, socketPath: String, timeout: Duration) {
        self.connection = connection
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// Connects to evmcsd.
    /// - Parameters:
    ///   - socketPath: The daemon's socket.
    ///   - timeout: How long each call waits for its answer.
    ///   - transport: ``Transport/pipelined`` (the default) or ``Transport/blocking``.
    /// - Throws: ``EVMCSClientError`` (`daemonNotRunning`, `permissionDenied`).
    public static func connect(
        socketPath: String = EVMCSClient.defaultSocketPath,
        timeout: Duration = .seconds(30),
        transport: Transport = .pipelined
    ) async throws(EVMCSClientError) -> EVMCSClient {
        let connection: Connection
        switch transport {
        case .pipelined:
            do {
                connection = .pipelined(try await JSONRPCClient.connect(unixSocketPath: socketPath))
            } catch {
                throw EVMCSClientError(error, socketPath: socketPath)
            }
        case .blocking:
            connection = .blocking(try EVMCSBlockingClient(socketPath: socketPath, timeout: timeout))
        }
        return EVMCSClient(connection: connection, socketPath: socketPath, timeout: timeout)
    }

    /// Closes the connection; calls in flight fail with `connectionLost`.
    public func close() async {
        switch connection {
        case .pipelined(let client): await client.close()
        case .blocking(let client): client.close()
        }
    }

    // MARK: Methods

    /// Calls `method` with `params` and decodes its result as the contract's type.
    ///
    /// ```swift
    /// let status = try await evmcsd.call(EVMCSAPI.status)
    /// ```
    public func call<Params, Result>(
        _ method: MethodDescriptor<Params, Result>,
        params: Params? = nil
    ) async throws(EVMCSClientError) -> Result {
        do {
            let name = method.method.rawValue
            return try await raw(method.method, params: params).decodedResult(of: name, as: Result.self)
        } catch {
            throw EVMCSClientError(error, socketPath: socketPath)
        }
    }

    /// The daemon's version, cache state, fingerprint and counters.
    public func status() async throws(EVMCSClientError) -> DaemonStatus { try await call(EVMCSAPI.status) }
    /// The host profile.
    public func profile() async throws(EVMCSClientError) -> HostProfile { try await call(EVMCSAPI.profile) }
    /// eVMCS support and the guest views with what eVMCS removes.
    public func evmcs() async throws(EVMCSClientError) -> HostEVMCSReport { try await call(EVMCSAPI.evmcs) }
    /// The VMX views (or only `view`) with values, provenance, feature states and fields.
    public func vmx(view: VMXViewName? = nil) async throws(EVMCSClientError) -> HostVMXReport {
        try await call(EVMCSAPI.vmx, params: view.map { VMXRequest(view: $0) })
    }
    /// The capability changes this daemon has seen, oldest first.
    public func history() async throws(EVMCSClientError) -> ProfileHistory { try await call(EVMCSAPI.history) }

    /// The verdict for a VM on this host (or on the request's target).
    public func check(_ request: CompatCheckRequest) async throws(EVMCSClientError) -> Verdict {
        try await call(EVMCSAPI.check, params: request)
    }

    /// The baseline of the given profiles (and this host unless `includeLocal` is false).
    public func baseline(_ request: FleetRequest) async throws(EVMCSClientError) -> Baseline {
        try await call(EVMCSAPI.baseline, params: request)
    }

    /// Pools of the given profiles (and this host unless `includeLocal` is false).
    public func pools(_ request: FleetRequest) async throws(EVMCSClientError) -> Pools {
        try await call(EVMCSAPI.pools, params: request)
    }

    /// Re-probes now (admin).
    public func refresh() async throws(EVMCSClientError) -> RefreshResult { try await call(EVMCSAPI.refresh) }

    /// Reloads the daemon's configuration (admin).
    public func reload() async throws(EVMCSClientError) -> ReloadResult { try await call(EVMCSAPI.reload) }

    /// The OpenRPC document, as JSON text.
    public func discover() async throws(EVMCSClientError) -> String {
        do {
            return try await raw(.discover).serializedString
        } catch {
            throw EVMCSClientError(error, socketPath: socketPath)
        }
    }

    /// Subscribes to `profile.changed` and returns the changes as they come; the sequence
    /// ends when the connection closes.
    /// - Throws: ``EVMCSClientError`` of kind `subscriptionUnavailable` on a ``Transport/blocking`` client.
    public func subscribe() async throws(EVMCSClientError) -> ProfileChanges {
        guard case .pipelined(let client) = connection else {
            throw EVMCSClientError(
                kind: .subscriptionUnavailable,
                message: "a blocking connection receives no notifications: connect with transport .pipelined"
            )
        }
        let notifications = client.notifications()
        _ = try await call(EVMCSAPI.subscribe)
        return ProfileChanges(notifications: notifications)
    }

    /// Stops `profile.changed` notifications on this connection: a sequence from ``subscribe()``
    /// gets no more changes (it still ends when the connection closes).
    /// - Returns: `subscribed: false` and the fingerprint served.
    public func unsubscribe() async throws(EVMCSClientError) -> SubscriptionResult {
        try await call(EVMCSAPI.unsubscribe)
    }

    private func raw(
        _ method: EVMCSMethod,
        params: (some Encodable & Sendable)? = Optional<JSONRPCClient.Empty>.none
    ) async throws(JSONRPCClientError) -> JSONValue {
        switch connection {
        case .pipelined(let client): try await client.call(method.rawValue, params: params, timeout: timeout)
        case .blocking(let client): try client.raw(method, params: params)
        }
    }
}

/// `profile.changed` notifications as an `AsyncSequence`; it ends when the connection closes.
public struct ProfileChanges: AsyncSequence, Sendable {
    public typealias Element = ProfileChangedEvent
    let notifications: AsyncStream<JSONRPCNotification>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<JSONRPCNotification>.AsyncIterator

        public mutating func next() async -> ProfileChangedEvent? {
            while let notification = await base.next() {
                guard notification.method == EVMCSNotification.profileChanged, let params = notification.params else {
                    continue
                }
                if let event = try? JSONValueDecoder().decode(ProfileChangedEvent.self, from: params) {
                    return event
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: notifications.makeAsyncIterator()) }
}
