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

/// The server's counters without the per-code and per-reason breakdowns: what a status answer reads on every
/// request, taken without copying a dictionary.
public struct JSONRPCServerCounters: Sendable, Hashable {
    /// Connections currently open.
    public var connectionsOpen: Int
    /// Connections accepted and served since start.
    public var connectionsAccepted: UInt64
    /// Connections refused (over a connection limit or while shutting down).
    public var connectionsRejected: UInt64
    /// Connections refused over the per-uid limit.
    public var refusedPerUID: UInt64
    /// Connections refused because only the reserved slots were left.
    public var refusedReserved: UInt64
    /// Connections refused at the total limit.
    public var refusedTotal: UInt64
    /// Request objects read.
    public var requests: UInt64
    /// Error responses sent, all codes together.
    public var errors: UInt64
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
    private let errorsTotal = Atomic<UInt64>(0)
    private let refusedPerUID = Atomic<UInt64>(0)
    private let refusedReserved = Atomic<UInt64>(0)
    private let refusedTotal = Atomic<UInt64>(0)
    private let errors = Mutex<[JSONRPCError.Code: UInt64]>([:])

    package func recordRefusal(_ refusal: JSONRPCConnectionLimits.Refusal) {
        switch refusal {
        case .perUIDLimit: self.refusedPerUID.wrappingAdd(1, ordering: .relaxed)
        case .reserved: self.refusedReserved.wrappingAdd(1, ordering: .relaxed)
        case .totalLimit: self.refusedTotal.wrappingAdd(1, ordering: .relaxed)
        }
    }

    package func recordError(_ code: JSONRPCError.Code) {
        self.errors.withLock { $0[code, default: 0] += 1 }
        self.errorsTotal.wrappingAdd(1, ordering: .relaxed)
    }

    private func refused(_ refusal: JSONRPCConnectionLimits.Refusal) -> UInt64 {
        switch refusal {
        case .perUIDLimit: self.refusedPerUID.load(ordering: .relaxed)
        case .reserved: self.refusedReserved.load(ordering: .relaxed)
        case .totalLimit: self.refusedTotal.load(ordering: .relaxed)
        }
    }

    /// Creates a collector with every counter at zero.
    public init() {}

    /// The counters now, with the errors by code and the refusals by reason.
    public func snapshot() -> JSONRPCServerStatistics {
        JSONRPCServerStatistics(
            connectionsOpen: self.connectionsOpen.load(ordering: .relaxed),
            connectionsAccepted: self.connectionsAccepted.load(ordering: .relaxed),
            connectionsRejected: self.connectionsRejected.load(ordering: .relaxed),
            connectionsRefused: Dictionary(
                uniqueKeysWithValues: JSONRPCConnectionLimits.Refusal.allCases.map {
                    ($0, self.refused($0))
                }
            ),
            requests: self.requests.load(ordering: .relaxed),
            asyncRequestsInFlight: self.asyncRequestsInFlight.load(ordering: .relaxed),
            errorsByCode: self.errors.withLock { $0 },
            bytesIn: self.bytesIn.load(ordering: .relaxed),
            bytesOut: self.bytesOut.load(ordering: .relaxed)
        )
    }

    /// The totals now, read from atomics only.
    public func counters() -> JSONRPCServerCounters {
        JSONRPCServerCounters(
            connectionsOpen: self.connectionsOpen.load(ordering: .relaxed),
            connectionsAccepted: self.connectionsAccepted.load(ordering: .relaxed),
            connectionsRejected: self.connectionsRejected.load(ordering: .relaxed),
            refusedPerUID: self.refused(.perUIDLimit),
            refusedReserved: self.refused(.reserved),
            refusedTotal: self.refused(.totalLimit),
            requests: self.requests.load(ordering: .relaxed),
            errors: self.errorsTotal.load(ordering: .relaxed)
        )
    }
}
