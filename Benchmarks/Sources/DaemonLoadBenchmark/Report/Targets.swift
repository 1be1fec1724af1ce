/// The targets, checked against the medians of a ``FigureSet``.
struct Targets {
    /// evmcsd p50 latency at most this many times the reference's.
    var latencyP50Ratio = 2.0
    /// evmcsd p99 latency at most this many times the reference's.
    var latencyP99Ratio = 5.0
    /// evmcsd requests per second, client included, on this machine.
    var requestsPerSecond = 50_000.0
    /// Median start-up to READY=1 with a warm cache, in milliseconds.
    var warmStartMilliseconds = 20.0
    /// Resident memory idle after start.
    var idleResidentBytes = 40.0 * 1_048_576
    /// Extra resident memory for the idle connections.
    var connectionsResidentBytes = 30.0 * 1_048_576

    /// One target, measured.
    struct Check {
        var target: String
        var limit: String
        var measured: String
        var met: Bool
        /// How far from the limit, e.g. `1.6× over` or `38% under`.
        var margin: String
    }

    func check(_ figures: FigureSet, methods: [String], connections: [Int], idleConnections: Int) -> [Check] {
        var checks: [Check] = []
        for method in methods {
            for (percentile, limit) in [("p50", self.latencyP50Ratio), ("p99", self.latencyP99Ratio)] {
                guard let evmcsd = figures.median(FigureKey.latency(method, .evmcsd, percentile)),
                    let reference = figures.median(FigureKey.latency(method, .reference, percentile))
                else { continue }
                checks.append(
                    Self.atMost(
                        "\(method) latency \(percentile) evmcsd/reference",
                        evmcsd / reference,
                        limit,
                        format: { Format.decimal($0, 2) + "×" }
                    )
                )
            }
        }
        for method in methods {
            for count in connections {
                for mode in LoadMode.allCases {
                    let key = FigureKey.throughput(method, connections: count, mode, .evmcsd, "rps")
                    guard let rate = figures.median(key) else { continue }
                    checks.append(
                        Self.atLeast(
                            "\(method) throughput, \(count) conn., \(mode.rawValue)",
                            rate,
                            self.requestsPerSecond,
                            format: { Format.grouped($0) + "/s" }
                        )
                    )
                }
            }
        }
        if let warm = figures.median(FigureKey.startupWarm) {
            checks.append(
                Self.atMost("start to READY=1, warm cache (median)", warm, self.warmStartMilliseconds) {
                    Format.decimal($0) + " ms"
                }
            )
        }
        if let idle = figures.median(FigureKey.memoryIdle) ?? figures.median(FigureKey.memoryIdleAfterStart) {
            checks.append(
                Self.atMost("RSS idle after start", idle, self.idleResidentBytes) { Format.mebibytes($0) + " MiB" }
            )
        }
        if let idle = figures.median(FigureKey.memoryIdle), let connected = figures.median(FigureKey.memoryConnected),
            let used = figures.median(FigureKey.memoryAfterOneRequestEach)
        {
            checks.append(
                Self.atMost(
                    "RSS growth with \(Format.grouped(Double(idleConnections))) idle connections",
                    max(connected, used) - idle,
                    self.connectionsResidentBytes
                ) { "+" + Format.mebibytes($0) + " MiB" }
            )
        }
        return checks
    }

    private static func atMost(_ target: String, _ value: Double, _ limit: Double, format: (Double) -> String)
        -> Check
    {
        let met = value <= limit
        let margin =
            met
            ? "\(Format.decimal((1 - value / limit) * 100, 0))% under"
            : "\(Format.decimal(value / limit, 2))× over"
        return Check(target: target, limit: "≤ " + format(limit), measured: format(value), met: met, margin: margin)
    }

    private static func atLeast(_ target: String, _ value: Double, _ limit: Double, format: (Double) -> String)
        -> Check
    {
        let met = value >= limit
        let margin =
            met
            ? "\(Format.decimal((value / limit - 1) * 100, 0))% over"
            : "\(Format.decimal(value / limit * 100, 0))% of it"
        return Check(target: target, limit: "≥ " + format(limit), measured: format(value), met: met, margin: margin)
    }
}
