import Glibc
import Histogram

/// Ping-pong latency over one connection per server: send one request, wait for its whole answer,
/// repeat.
///
/// The servers take turns in blocks of `block` requests (A's block, B's block, A's …), so a
/// change in the machine's speed during the series (this VM's latency moves between runs by
/// half) falls on every server alike instead of on whichever ran its series then.
///
/// The client is the calling thread with blocking sockets; each sample is the time from just
/// before `write` to the `read` that completes the answer line.
struct LatencyRun {
    var socketPaths: [String]
    var request: [UInt8]
    /// Requests answered before recording starts, per server (connection and caches warm).
    var warmup: Int
    /// Requests recorded per server.
    var samples: Int
    /// Requests a server answers before the next one takes its turn.
    var block: Int
    /// CPUs for the client (the calling thread, during the series), or `nil` for no pinning.
    var clientCPUs: UInt64?

    /// Percentiles of one series, in microseconds.
    struct Summary {
        var p50: Double
        var p99: Double
        var p999: Double
        var max: Double
        var samples: Int
    }

    /// Runs the series.
    ///
    /// - Returns: One summary per socket path, in order.
    /// - Throws: ``SystemError`` or ``BenchmarkError`` when a request fails or an answer is not a
    ///   result of the expected length.
    func measure() throws -> [Summary] {
        try CPUSet.withCurrentThread(pinnedTo: self.clientCPUs) { try self.series() }
    }

    private func series() throws -> [Summary] {
        var connections: [Connection] = []
        defer { for connection in connections { close(connection.descriptor) } }
        for path in self.socketPaths { connections.append(Connection(descriptor: try UnixSocket.connect(to: path))) }
        for index in connections.indices {
            for _ in 0..<self.warmup { _ = try connections[index].roundTrip(self.request) }
        }
        var recorded = 0
        while recorded < self.samples {
            let count = min(self.block, self.samples - recorded)
            for index in connections.indices {
                for _ in 0..<count { _ = connections[index].histogram.record(try connections[index].roundTrip(self.request)) }
            }
            recorded += count
        }
        return connections.map { connection in
            Summary(
                p50: Double(connection.histogram.valueAtPercentile(50)) / 1000,
                p99: Double(connection.histogram.valueAtPercentile(99)) / 1000,
                p999: Double(connection.histogram.valueAtPercentile(99.9)) / 1000,
                max: Double(connection.histogram.max) / 1000,
                samples: Int(connection.histogram.totalCount)
            )
        }
    }

    /// One server's connection, its reader and its samples.
    private struct Connection {
        let descriptor: Int32
        let reader = LineReader()
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: 60_000_000_000,
            numberOfSignificantValueDigits: .three
        )
        var expectedLength: Int?

        init(descriptor: Int32) { self.descriptor = descriptor }

        /// One request and its whole answer, in nanoseconds.
        mutating func roundTrip(_ request: [UInt8]) throws -> UInt64 {
            let start = MonotonicClock.nanoseconds()
            try UnixSocket.writeAll(self.descriptor, request)
            let line = try self.reader.nextLine(from: self.descriptor)
            let elapsed = MonotonicClock.nanoseconds() - start
            if let expectedLength {
                guard abs(line.count - expectedLength) <= 64 else {
                    throw BenchmarkError("answer length changed from \(expectedLength) to \(line.count) bytes")
                }
            } else {
                guard RequestLine.isResult(self.reader.bytes(line)) else {
                    throw BenchmarkError(
                        "the answer is not a result: \(String(decoding: self.reader.bytes(line).prefix(300), as: UTF8.self))"
                    )
                }
                self.expectedLength = line.count
            }
            return elapsed
        }
    }
}
