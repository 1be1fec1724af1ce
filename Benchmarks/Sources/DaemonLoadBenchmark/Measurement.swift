import Glibc

/// What one run measures, resolved from the command line.
struct MeasurementPlan {
    enum Phase: String, CaseIterable {
        case startup, latency, throughput, memory
    }

    var executable: String
    /// A recorded profile, or `nil` for the live probe.
    var profile: String?
    var phases: Set<Phase>
    var methods: [String]
    var latencyWarmup: Int
    var latencySamples: Int
    var latencyBlock: Int
    var connections: [Int]
    var window: Int
    var clientThreads: Int
    var referenceThreads: Int
    var placement: Placement
    var trials: Int
    var warmup: Double
    var duration: Double
    var startupRepetitions: Int
    var idleConnections: Int
    var settle: Double
}

/// One run of every phase in the plan, each on fresh daemons in a fresh temporary directory.
struct Measurement {
    var plan: MeasurementPlan

    /// Runs the phases; progress goes to standard error.
    ///
    /// - Returns: The figures of this run.
    /// - Throws: ``SystemError`` or ``BenchmarkError`` when something could not be measured.
    func run() throws -> FigureSet {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let notifier = try NotifyListener(path: directory.file("notify.sock"))
        var figures = FigureSet()
        if self.plan.phases.contains(.startup) {
            try self.measureStartup(directory, notifier, into: &figures)
        }
        if !self.plan.phases.isDisjoint(with: [.latency, .throughput]) {
            try self.measureRequests(directory, notifier, into: &figures)
        }
        if self.plan.phases.contains(.memory) {
            try self.measureConnectionMemory(directory, notifier, into: &figures)
        }
        return figures
    }

    private func launch(_ directory: TemporaryDirectory, _ name: String, notifier: NotifyListener) throws
        -> DaemonLaunch
    {
        DaemonLaunch(
            executable: self.plan.executable,
            socketPath: directory.file("\(name).sock"),
            cacheDirectory: try directory.subdirectory("\(name)-cache"),
            profile: self.plan.profile,
            notifySocket: notifier.path
        )
    }

    private func measureStartup(
        _ directory: TemporaryDirectory,
        _ notifier: NotifyListener,
        into figures: inout FigureSet
    )
        throws
    {
        let run = StartupRun(
            launch: try self.launch(directory, "startup", notifier: notifier),
            directory: directory,
            notifier: notifier,
            repetitions: self.plan.startupRepetitions
        )
        let result = try run.measure()
        figures.add(result.cold, for: FigureKey.startupCold)
        figures.add(result.warm, for: FigureKey.startupWarm)
        Progress.log(
            "start to READY=1: warm median \(Format.decimal(Spread(result.warm)!.median)) ms, "
                + "cold median \(Format.decimal(Spread(result.cold)!.median)) ms"
        )
    }

    /// Latency and throughput, evmcsd and the reference alternating, on one daemon.
    private func measureRequests(
        _ directory: TemporaryDirectory,
        _ notifier: NotifyListener,
        into figures: inout FigureSet
    ) throws {
        let launch = try self.launch(directory, "evmcsd", notifier: notifier)
        notifier.discardPending()
        let daemon = try DaemonProcess.spawn(launch, cpus: self.plan.placement.serverCPUs)
        _ = try notifier.waitForReady(of: daemon, timeout: 30)
        MonotonicClock.sleep(seconds: self.plan.settle)
        figures.add(Double(try ProcessStatistics.residentBytes(of: daemon.pid)), for: FigureKey.memoryIdleAfterStart)

        var lengths: [String: Int] = [:]
        for method in self.plan.methods {
            lengths[method] = try SingleCall.call(method, at: launch.socketPath).count
            figures.add(Double(lengths[method]!), for: FigureKey.responseBytes(method))
        }
        let reference = try ReferenceServer(
            path: directory.file("reference.sock"),
            responses: CannedResponses(lengths: lengths, id: RequestLine.id),
            threads: self.plan.referenceThreads,
            cpus: self.plan.placement.serverCPUs
        )
        defer { reference.stop() }
        let servers: [(ServerKind, String, () -> UInt64)] = [
            (.evmcsd, launch.socketPath, { ProcessStatistics.cpuNanoseconds(of: daemon.pid) }),
            (.reference, reference.path, { reference.cpuNanoseconds() }),
        ]
        for (server, socketPath, _) in servers {
            for method in self.plan.methods where lengths[method] != nil {
                let answer = try SingleCall.call(method, at: socketPath)
                guard abs(answer.count - lengths[method]!) <= 64 else {
                    throw BenchmarkError(
                        "\(server.rawValue) answers \(method) with \(answer.count) bytes, expected \(lengths[method]!)"
                    )
                }
            }
        }
        if self.plan.phases.contains(.latency) {
            for method in self.plan.methods {
                let summaries = try LatencyRun(
                    socketPaths: servers.map(\.1),
                    request: RequestLine.make(method: method),
                    warmup: self.plan.latencyWarmup,
                    samples: self.plan.latencySamples,
                    block: self.plan.latencyBlock,
                    clientCPUs: self.plan.placement.clientCPUs
                ).measure()
                for ((server, _, _), summary) in zip(servers, summaries) {
                    figures.add(summary.p50, for: FigureKey.latency(method, server, "p50"))
                    figures.add(summary.p99, for: FigureKey.latency(method, server, "p99"))
                    figures.add(summary.p999, for: FigureKey.latency(method, server, "p999"))
                    figures.add(summary.max, for: FigureKey.latency(method, server, "max"))
                    Progress.log(
                        "latency \(method) \(server.rawValue): p50 \(Format.decimal(summary.p50)) µs, "
                            + "p99 \(Format.decimal(summary.p99)) µs, p99.9 \(Format.decimal(summary.p999)) µs"
                    )
                }
            }
        }
        if self.plan.phases.contains(.throughput) {
            for method in self.plan.methods {
                for count in self.plan.connections {
                    for mode in LoadMode.allCases {
                        // Trials alternate between the servers so drift affects both alike.
                        for _ in 0..<self.plan.trials {
                            for (server, socketPath, cpu) in servers {
                                let sample = try ThroughputRun(
                                    socketPath: socketPath,
                                    request: RequestLine.make(method: method),
                                    connections: count,
                                    window: mode == .pipelined ? self.plan.window : 1,
                                    clientThreads: self.plan.clientThreads,
                                    clientCPUs: self.plan.placement.clientCPUs,
                                    warmup: self.plan.warmup,
                                    duration: self.plan.duration
                                ).measure(serverCPUNanoseconds: cpu)
                                let key = { FigureKey.throughput(method, connections: count, mode, server, $0) }
                                figures.add(sample.requestsPerSecond, for: key("rps"))
                                figures.add(sample.serverCPUPerRequest, for: key("server-cpu"))
                                figures.add(sample.clientCPUPerRequest, for: key("client-cpu"))
                                figures.add(sample.otherActivity, for: FigureKey.otherActivity)
                                figures.add(sample.stolen, for: FigureKey.stolen)
                                Progress.log(
                                    "throughput \(method) \(count) conn. \(mode.rawValue) \(server.rawValue): "
                                        + "\(Format.grouped(sample.requestsPerSecond))/s (other processes "
                                        + "\(Format.decimal(sample.otherActivity, 2)) cores, stolen \(Format.decimal(sample.stolen, 2)))"
                                )
                            }
                        }
                    }
                }
            }
        }
        figures.add(Double(try ProcessStatistics.residentBytes(of: daemon.pid)), for: FigureKey.memoryAfterLoad)
        reference.stop()
        try daemon.stop()
    }

    /// RSS with many idle connections, on a daemon whose connection limit allows them.
    private func measureConnectionMemory(
        _ directory: TemporaryDirectory,
        _ notifier: NotifyListener,
        into figures: inout FigureSet
    ) throws {
        try OpenFileLimit.raise(atLeast: self.plan.idleConnections + 256)
        let configuration = directory.file("memory.toml")
        let limit = max(2000, self.plan.idleConnections + 16)
        try FileWriting.write("[limits]\nmax-connections = \(limit)\n", to: configuration)
        var launch = try self.launch(directory, "memory", notifier: notifier)
        launch.configurationFile = configuration
        let result = try MemoryRun(
            launch: launch,
            notifier: notifier,
            connections: self.plan.idleConnections,
            settle: self.plan.settle
        ).measure()
        figures.add(Double(result.idle), for: FigureKey.memoryIdle)
        figures.add(Double(result.connected), for: FigureKey.memoryConnected)
        figures.add(Double(result.afterOneRequestEach), for: FigureKey.memoryAfterOneRequestEach)
        figures.add(Double(result.afterClose), for: FigureKey.memoryAfterClose)
        figures.add(Double(result.threads), for: FigureKey.memoryThreads)
        Progress.log(
            "RSS: idle \(Format.mebibytes(Double(result.idle))) MiB, \(self.plan.idleConnections) connections "
                + "\(Format.mebibytes(Double(result.connected))) MiB, after one request each "
                + "\(Format.mebibytes(Double(result.afterOneRequestEach))) MiB"
        )
    }
}
