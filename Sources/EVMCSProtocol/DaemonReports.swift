import VMXModel

/// The answer of `daemon.status`.
public struct DaemonStatus: Codable, Hashable, Sendable {
    public var version: String
    public var pid: Int
    public var startedAt: String
    public var uptimeSeconds: Double
    /// `live /dev/kvm` or `recorded FILE`.
    public var source: String
    public var ready: Bool
    public var cache: Cache
    public var fingerprint: String?
    public var evmcsSupported: Bool
    public var counters: Counters
    /// The enabled exporters and whether their last write failed (absent from older daemons).
    public var exporters: Exporters?
    public var socket: String

    public init(
        version: String,
        pid: Int,
        startedAt: String,
        uptimeSeconds: Double,
        source: String,
        ready: Bool,
        cache: Cache,
        fingerprint: String?,
        evmcsSupported: Bool,
        counters: Counters,
        exporters: Exporters? = nil,
        socket: String
    ) {
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.source = source
        self.ready = ready
        self.cache = cache
        self.fingerprint = fingerprint
        self.evmcsSupported = evmcsSupported
        self.counters = counters
        self.exporters = exporters
        self.socket = socket
    }

    public struct Cache: Codable, Hashable, Sendable {
        public var state: CacheState
        public var file: String
        /// Seconds since the served profile was measured.
        public var profileAgeSeconds: Double?
        public var lastRevalidation: String?
        public var revalidateIntervalSeconds: Double
        /// Why the last persisted cache was not used, or the last source failure.
        public var note: String?

        public init(
            state: CacheState,
            file: String,
            profileAgeSeconds: Double?,
            lastRevalidation: String?,
            revalidateIntervalSeconds: Double,
            note: String?
        ) {
            self.state = state
            self.file = file
            self.profileAgeSeconds = profileAgeSeconds
            self.lastRevalidation = lastRevalidation
            self.revalidateIntervalSeconds = revalidateIntervalSeconds
            self.note = note
        }
    }

    public struct Counters: Codable, Hashable, Sendable {
        public var connectionsOpen: Int
        public var connectionsAccepted: Int
        /// Every connection refused, over a limit or while shutting down.
        public var connectionsRejected: Int
        /// Connections refused over a limit, by the limit (absent from older daemons).
        public var connectionsRefused: ConnectionRefusals?
        public var requests: Int
        public var errors: Int
        public var probes: Int
        public var profileChanges: Int
        public var subscribers: Int

        public init(
            connectionsOpen: Int,
            connectionsAccepted: Int,
            connectionsRejected: Int,
            requests: Int,
            errors: Int,
            probes: Int,
            profileChanges: Int,
            subscribers: Int,
            connectionsRefused: ConnectionRefusals? = nil
        ) {
            self.connectionsOpen = connectionsOpen
            self.connectionsAccepted = connectionsAccepted
            self.connectionsRejected = connectionsRejected
            self.connectionsRefused = connectionsRefused
            self.requests = requests
            self.errors = errors
            self.probes = probes
            self.profileChanges = profileChanges
            self.subscribers = subscribers
        }
    }
}

extension DaemonStatus {
    /// Connections refused by each limit; the keys are the `data.reason` of the -32000 error.
    public struct ConnectionRefusals: Codable, Hashable, Sendable {
        /// The uid held `limits.max-connections-per-uid` connections.
        public var perUIDLimit: Int
        /// Only the `limits.reserved-connections` slots for root and the admin group were left.
        public var reserved: Int
        /// `limits.max-connections` connections were open.
        public var totalLimit: Int

        private enum CodingKeys: String, CodingKey {
            case perUIDLimit = "per-uid limit"
            case reserved
            case totalLimit = "total limit"
        }

        public init(perUIDLimit: Int, reserved: Int, totalLimit: Int) {
            self.perUIDLimit = perUIDLimit
            self.reserved = reserved
            self.totalLimit = totalLimit
        }
    }

    /// The enabled exporters; a disabled one is absent.
    public struct Exporters: Codable, Hashable, Sendable {
        public var nfd: Exporter?
        public var prometheus: Exporter?

        public init(nfd: Exporter? = nil, prometheus: Exporter? = nil) {
            self.nfd = nfd
            self.prometheus = prometheus
        }
    }

    /// One exporter's file and, while its writes fail, why.
    public struct Exporter: Codable, Hashable, Sendable {
        /// The file it writes.
        public var file: String
        /// Why the last write failed; absent once a write succeeds.
        public var error: String?
        /// When the writes started failing (RFC 3339); absent once a write succeeds.
        public var failingSince: String?

        public init(file: String, error: String? = nil, failingSince: String? = nil) {
            self.file = file
            self.error = error
            self.failingSince = failingSince
        }
    }
}

/// A change of what the host offers, as `host.history` keeps it and `profile.changed`
/// notifications deliver it: any difference a re-probe finds (kernel, microcode, KVM
/// capabilities and module parameters, eVMCS, VMX views), with or without a new fingerprint.
public struct ProfileChangedEvent: Codable, Hashable, Sendable {
    /// RFC 3339.
    public var at: String
    public var oldFingerprint: String?
    public var newFingerprint: String?
    /// Whether the capability fingerprint changed (hosts moved between pools).
    public var fingerprintChanged: Bool
    /// What made evmcsd look again: `invalidation key changed: …`, `cache.refresh`, `SIGHUP`.
    public var trigger: String
    public var changes: [ProfileChange]

    public init(at: String, oldFingerprint: String?, newFingerprint: String?, trigger: String, changes: [ProfileChange])
    {
        self.at = at
        self.oldFingerprint = oldFingerprint
        self.newFingerprint = newFingerprint
        self.fingerprintChanged = oldFingerprint != newFingerprint
        self.trigger = trigger
        self.changes = changes
    }
}

/// The answer of `host.history`: changes seen, oldest first.
public struct ProfileHistory: Codable, Hashable, Sendable {
    public var changes: [ProfileChangedEvent]
    /// The history keeps at most this many entries.
    public var capacity: Int

    public init(changes: [ProfileChangedEvent], capacity: Int) {
        self.changes = changes
        self.capacity = capacity
    }
}

/// The answer of `events.subscribe`.
public struct SubscriptionResult: Codable, Hashable, Sendable {
    public var subscribed: Bool
    public var fingerprint: String?
    public init(subscribed: Bool, fingerprint: String?) {
        self.subscribed = subscribed
        self.fingerprint = fingerprint
    }
}

/// The answer of `cache.refresh`.
public struct RefreshResult: Codable, Hashable, Sendable {
    public var fingerprint: String?
    public var changed: Bool
    public var durationMicros: Int
    public init(fingerprint: String?, changed: Bool, durationMicros: Int) {
        self.fingerprint = fingerprint
        self.changed = changed
        self.durationMicros = durationMicros
    }
}

/// The answer of `daemon.reload`.
public struct ReloadResult: Codable, Hashable, Sendable {
    public var reloaded: Bool
    /// Settings that changed and took effect.
    public var applied: [String]
    /// Settings that changed but need a restart (socket path, mode, the limits other than the connection limits).
    public var needRestart: [String]
    public init(reloaded: Bool, applied: [String], needRestart: [String]) {
        self.reloaded = reloaded
        self.applied = applied
        self.needRestart = needRestart
    }
}
