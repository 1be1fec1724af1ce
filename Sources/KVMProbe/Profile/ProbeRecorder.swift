import VMXModel

/// Times the steps of one probe and collects them into the profile's `probe` report.
struct ProbeRecorder {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private(set) var steps: [HostProfile.ProbeReport.Step] = []

    init() {
        start = clock.now
    }

    /// Runs `body` as the step `name`; its result (`nil` = ok) is the step's outcome.
    mutating func step<T>(_ name: String, _ body: () -> (T, outcome: String?)) -> T {
        let began = clock.now
        let (result, outcome) = body()
        steps.append(
            HostProfile.ProbeReport.Step(name: name, micros: Self.micros(clock.now - began), outcome: outcome ?? "ok")
        )
        return result
    }

    var totalMicros: Int { Self.micros(clock.now - start) }

    static func micros(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000 + Int(duration.components.attoseconds / 1_000_000_000_000)
    }
}
