import Glibc
import Synchronization

/// Requests per second over several connections, pipelined or ping-pong, from a fixed, small
/// number of client threads (``LoadClient``) so the client does not starve the server of the
/// machine's cores.
struct ThroughputRun {
    var socketPath: String
    var request: [UInt8]
    var connections: Int
    /// Outstanding requests per connection; 1 is ping-pong.
    var window: Int
    var clientThreads: Int
    /// CPUs for the client threads, or `nil` for no pinning.
    var clientCPUs: UInt64?
    /// Seconds of load before counting.
    var warmup: Double
    /// Seconds counted.
    var duration: Double

    /// One counted interval.
    struct Sample {
        var requestsPerSecond: Double
        /// Server CPU time per answer, in microseconds.
        var serverCPUPerRequest: Double
        /// Client CPU time per answer, in microseconds.
        var clientCPUPerRequest: Double
        /// Cores' worth of CPU other processes used during the interval.
        var otherActivity: Double
        /// Cores' worth of CPU time the hypervisor stole during the interval.
        var stolen: Double
    }

    /// Connects, loads, counts, stops, drains and closes.
    ///
    /// - Parameter serverCPUNanoseconds: The server's CPU time so far (evmcsd's threads, or the
    ///   reference server's).
    /// - Throws: ``SystemError`` or ``BenchmarkError`` when a connection or a client fails.
    func measure(serverCPUNanoseconds: () -> UInt64) throws -> Sample {
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        for _ in 0..<self.connections {
            let descriptor = try UnixSocket.connect(to: self.socketPath)
            descriptors.append(descriptor)
            try UnixSocket.setNonBlocking(descriptor)
        }
        let threadCount = max(1, min(self.clientThreads, self.connections))
        let stopSignal = LoadStopSignal()
        let progress = (0..<threadCount).map { _ in LoadClientProgress() }
        var threads: [PosixThread<String?>] = []
        defer {
            stopSignal.stop()
            threads.forEach { _ = $0.join() }
        }
        for index in 0..<threadCount {
            let client = LoadClient(
                connections: stride(from: index, to: descriptors.count, by: threadCount).map { descriptors[$0] },
                request: self.request,
                window: self.window,
                progress: progress[index],
                stopSignal: stopSignal
            )
            let cpus = self.clientCPUs
            threads.append(
                try PosixThread(name: "load-client-\(index)") {
                    if let cpus { try? CPUSet.pinCurrentThread(to: cpus) }
                    return client.run()
                }
            )
        }
        let clientCPU = {
            ProcessStatistics.cpuNanoseconds(of: getpid(), threads: progress.compactMap { $0.threadID.withLock { $0 } })
        }
        let answered = { progress.reduce(0) { $0 + $1.completed.load(ordering: .relaxed) } }

        MonotonicClock.sleep(seconds: self.warmup)
        let (startCount, startTime) = (answered(), MonotonicClock.nanoseconds())
        let (startServer, startClient, startMachine) = (serverCPUNanoseconds(), clientCPU(), MachineActivity.now())
        MonotonicClock.sleep(seconds: self.duration)
        let (endCount, endTime) = (answered(), MonotonicClock.nanoseconds())
        let (endServer, endClient, endMachine) = (serverCPUNanoseconds(), clientCPU(), MachineActivity.now())
        let activity = endMachine.since(
            startMachine,
            accounted: (endServer - startServer) + (endClient - startClient),
            interval: endTime - startTime
        )

        stopSignal.stop()
        let problems = threads.compactMap { $0.join() }
        threads.removeAll()
        if let problem = problems.first { throw BenchmarkError(problem) }
        let count = endCount - startCount
        guard count > 0 else { throw BenchmarkError("no request was answered in \(self.duration) s") }
        return Sample(
            requestsPerSecond: Double(count) / (Double(endTime - startTime) / 1e9),
            serverCPUPerRequest: Double(endServer - startServer) / 1000 / Double(count),
            clientCPUPerRequest: Double(endClient - startClient) / 1000 / Double(count),
            otherActivity: activity.other,
            stolen: activity.stolen
        )
    }
}
