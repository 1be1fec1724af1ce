/// Every measured value, by name. A name holds one sample per trial, start or run, so a figure is
/// reported as the median of its samples with their minimum and maximum.
struct FigureSet: Codable {
    private(set) var samples: [String: [Double]] = [:]

    mutating func add(_ value: Double, for key: String) {
        self.samples[key, default: []].append(value)
    }

    mutating func add(_ values: [Double], for key: String) {
        self.samples[key, default: []] += values
    }

    /// Adds every sample of `other`.
    mutating func merge(_ other: FigureSet) {
        for (key, values) in other.samples { self.add(values, for: key) }
    }

    func spread(_ key: String) -> Spread? {
        Spread(self.samples[key] ?? [])
    }

    func median(_ key: String) -> Double? {
        self.spread(key)?.median
    }
}

/// Minimum, median and maximum of some samples.
struct Spread {
    let minimum: Double
    let median: Double
    let maximum: Double
    let count: Int

    /// `nil` for no samples. The median of an even count is the mean of the middle two.
    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        self.minimum = sorted[0]
        self.maximum = sorted[sorted.count - 1]
        self.median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        self.count = sorted.count
    }
}

/// The two servers every request-level figure is measured on.
enum ServerKind: String, CaseIterable {
    case evmcsd
    case reference
}

/// How a throughput client uses its connections.
enum LoadMode: String, CaseIterable {
    /// One request outstanding per connection.
    case pingPong = "ping-pong"
    /// A window of requests outstanding per connection.
    case pipelined
}

/// The names figures are stored under.
enum FigureKey {
    static func responseBytes(_ method: String) -> String { "response-bytes/\(method)" }

    /// `percentile` is `p50`, `p99`, `p999` or `max`; microseconds.
    static func latency(_ method: String, _ server: ServerKind, _ percentile: String) -> String {
        "latency/\(method)/\(server.rawValue)/\(percentile)"
    }

    /// `measure` is `rps` (requests per second), `server-cpu` or `client-cpu` (µs per request).
    static func throughput(
        _ method: String,
        connections: Int,
        _ mode: LoadMode,
        _ server: ServerKind,
        _ measure: String
    ) -> String {
        "throughput/\(method)/\(connections)/\(mode.rawValue)/\(server.rawValue)/\(measure)"
    }

    /// Cores' worth of CPU used by other processes, and stolen by the hypervisor, during the
    /// counted throughput intervals (one sample per interval).
    static let otherActivity = "machine/other-activity-cores"
    static let stolen = "machine/stolen-cores"

    /// Milliseconds from spawn to READY=1.
    static let startupCold = "startup/cold-ms"
    static let startupWarm = "startup/warm-ms"

    /// Bytes.
    static let memoryIdleAfterStart = "memory/idle-after-start"
    static let memoryAfterLoad = "memory/after-load"
    static let memoryIdle = "memory/connections-instance/idle"
    static let memoryConnected = "memory/connections-instance/connected"
    static let memoryAfterOneRequestEach = "memory/connections-instance/after-one-request-each"
    static let memoryAfterClose = "memory/connections-instance/after-close"
    static let memoryThreads = "memory/threads"
}
