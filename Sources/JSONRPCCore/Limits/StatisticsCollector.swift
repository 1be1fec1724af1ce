import Synchronization

/// A snapshot of the server's counters.
public struct JSONRPCServerStatistics: Sendable, Hashable {
    /// Connections currently open.
    public var connectionsOpen: Int
    /// Connections accepted and served since start.
    public var connectionsAccepted: UInt64
    /// Connections refused (over a connection limit or while shutting down).
    public var connectionsRejected: UInt64
    /// Connections refused over a limit, by the limit (every reason present, zeros included).
    public var connectionsRefused: [JSONRPCConnectionLimits.Refusal: UInt64]
    /// Request objects read (batch elements and notifications included, invalid ones too).
    public var requests: UInt64
    /// Asynchronous requests currently running or queued, server-wide.
    public var asyncRequestsInFlight: Int
    /// Error responses sent, by code.
    public var errorsByCode: [JSONRPCError.Code: UInt64]
    /// Bytes received from clients.
    public var bytesIn: UInt64
    /// Bytes sent to clients.
    public var bytesOut: UInt64
}

/// A server's counters, updated from every event loop and job and readable from any thread.
///
/// Create one and pass it to ``JSONRPCServer/init(address:configuration:methods:logger:eventLoopGroup:statistics:connectionLimits:)``
/// when something built before the server (a `daemon.status` handler, an exporter) reports the counters.
public final class StatisticsCollector: Sendable {
    package let connectionsOpen = Atomic<Int>(0)
    package let connectionsAccepted = Atomic<UInt64>(0)
    package let connectionsRejected = Atomic<UInt64>(0)
    package let requests = Atomic<UInt64>(0)
    package let asyncRequestsInFlight = Atomic<Int>(0)
    package let bytesIn = Atomic<UInt64>(0)
    package let bytesOut = Atomic<UInt64>(0)
    private let errors = Mutex<[JSONRPCError.Code: UInt64]>([:])
    private let refusals = Mutex<[JSONRPCConnectionLimits.Refusal: UInt64]>(
        Dictionary(uniqueKeysWithValues: JSONRPCConnectionLimits.Refusal.allCases.map { ($0, 0) })
    )

    package func recordRefusal(_ refusal: JSONRPCConnectionLimits.Refusal) {
        self.refusals.withLock { $0[refusal, default: 0] += 1 }
    }

    package func recordError(_ code: JSONRPCError.Code) {
        self.errors.withLock { $0[code, default: 0] += 1 }
    }

    /// Creates a collector with every counter at zero.
    public init() {}

    /// The counters now.
    public func snapshot() -> JSONRPCServerStatistics {
        JSONRPCServerStatistics(
            connectionsOpen: self.connectionsOpen.load(ordering: .relaxed),
            connectionsAccepted: self.connectionsAccepted.load(ordering: .relaxed),
            connectionsRejected: self.connectionsRejected.load(ordering: .relaxed),
            connectionsRefused: self.refusals.withLock { $0 },
            requests: self.requests.load(ordering: .relaxed),
            asyncRequestsInFlight: self.asyncRequestsInFlight.load(ordering: .relaxed),
            errorsByCode: self.errors.withLock { $0 },
            bytesIn: self.bytesIn.load(ordering: .relaxed),
            bytesOut: self.bytesOut.load(ordering: .relaxed)
        )
    }
}
