import Glibc
import Histogram

/// Ping-pong latency over one connection: send one request, wait for its whole answer, repeat.
///
/// The client is the calling thread with a blocking socket; each sample is the time from just
/// before `write` to the `read` that completes the answer line.
struct LatencyRun {
    var socketPath: String
    var request: [UInt8]
    /// Requests answered before recording starts (connection and caches warm).
    var warmup: Int
    var samples: Int
    /// CPUs for the client (the calling thread, during the series), or `nil` for no pinning.
    var clientCPUs: UInt64?

    /// Percentiles of one series, in microseconds.
    struct Summary {
        var p50: Double
        var p99: Double
        var p999: Double
        var max: Double
        var samples: Int
        /// CPUs for the client (the calling thread, during the series), or `nil` for no pinning.
        var clientCPUs: UInt64?
    }

    /// Runs the series.
    ///
    /// - Throws: ``SystemError`` or ``BenchmarkError`` when a request fails or an answer is not a
    ///   result of the expected length.
    func measure() throws -> Summary {
        try CPUSet.withCurrentThread(pinnedTo: self.clientCPUs) { try self.series() }
    }

    private func series() throws -> Summary {
        let descriptor = try UnixSocket.connect(to: self.socketPath)
        defer { close(descriptor) }
        let reader = LineReader()
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: 60_000_000_000,
            numberOfSignificantValueDigits: .three
        )
        var expectedLength: Int?
        for index in 0..<(self.warmup + self.samples) {
            let start = MonotonicClock.nanoseconds()
            try UnixSocket.writeAll(descriptor, self.request)
            let line = try reader.nextLine(from: descriptor)
            let elapsed = MonotonicClock.nanoseconds() - start
            if expectedLength == nil {
                guard RequestLine.isResult(reader.bytes(line)) else {
                    throw BenchmarkError(
                        "the answer is not a result: \(String(decoding: reader.bytes(line).prefix(300), as: UTF8.self))"
                    )
                }
                expectedLength = line.count
            } else if let expectedLength, abs(line.count - expectedLength) > 64 {
                throw BenchmarkError("answer length changed from \(expectedLength) to \(line.count) bytes")
            }
            if index >= self.warmup { _ = histogram.record(elapsed) }
        }
        return Summary(
            p50: Double(histogram.valueAtPercentile(50)) / 1000,
            p99: Double(histogram.valueAtPercentile(99)) / 1000,
            p999: Double(histogram.valueAtPercentile(99.9)) / 1000,
            max: Double(histogram.max) / 1000,
            samples: Int(histogram.totalCount)
        )
    }
}
