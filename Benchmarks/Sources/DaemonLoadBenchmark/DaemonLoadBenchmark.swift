import ArgumentParser
import Foundation
import Glibc

/// Measures the running evmcsd against a minimal reference server, in one run: cached-query
/// latency, throughput with 1–64 connections, start-up time to `READY=1`, and resident memory
/// idle and with many connections. Prints tables and checks the issue's targets; exits non-zero
/// only when something could not be measured (a missed target is reported, not fatal).
///
/// ```sh
/// cd /work/main && swift build -c release --product evmcsd
/// cd Benchmarks && swift run -c release DaemonLoadBenchmark --runs 3
/// ```
@main
struct DaemonLoadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "DaemonLoadBenchmark",
        abstract: "Load-test a release evmcsd against a minimal reference server on the same kind of socket.",
        discussion: """
            Every daemon gets a temporary socket and cache directory and is stopped with SIGTERM; the
            temporary directory is removed at the end. The load client is a fixed number of threads
            (--client-threads, default 1) running a poll loop over all their connections, so on a small
            machine the client does not take more cores than it must.
            """
    )

    @Option(help: "The evmcsd executable (a release build).")
    var evmcsd = "../.build/release/evmcsd"

    @Option(help: "The recorded host profile the daemon serves.")
    var profile = "../Docs/examples/skylake-6.8.json"

    @Flag(help: "Probe this host's /dev/kvm instead of serving --profile.")
    var live = false

    @Option(help: "Phases to run, comma-separated: startup, latency, throughput, memory.")
    var phases = "startup,latency,throughput,memory"

    @Option(help: "Methods to query, comma-separated.")
    var methods = "daemon.status,host.evmcs,host.profile"

    @Option(help: "Latency: requests answered before recording, per method and server.")
    var latencyWarmup = 2_000

    @Option(help: "Latency: requests recorded per method and server.")
    var latencySamples = 20_000

    @Option(help: "Latency: requests per turn; evmcsd and the reference take turns in blocks of this many.")
    var latencyBlock = 1_000

    @Option(help: "Throughput: connection counts, comma-separated.")
    var connections = "1,8,64"

    @Option(help: "Throughput: outstanding requests per connection when pipelined (evmcsd holds up to 128).")
    var window = 64

    @Option(help: "Throughput: load-client threads (each polls its share of the connections).")
    var clientThreads = 1

    @Option(help: "Reference server threads (default: online cores, as evmcsd's event loops).")
    var referenceThreads = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    @Option(
        help: """
            Latency and throughput: where client and servers run. same-core: all on the first CPU \
            (no cross-CPU wake-ups); split: client on the first CPU, servers on the others; none: no pinning.
            """
    )
    var placement = Placement.sameCore

    @Option(help: "Throughput: counted trials per configuration and server.")
    var trials = 3

    @Option(help: "Throughput: seconds of load before each counted interval.")
    var warmup = 0.3

    @Option(help: "Throughput: seconds counted per trial.")
    var duration = 1.0

    @Option(help: "Start-up: cold+warm start pairs.")
    var startupRepetitions = 10

    @Option(help: "Memory: idle connections to open.")
    var idleConnections = 1_000

    @Option(help: "Memory: seconds to let the daemon settle before each RSS reading.")
    var settle = 0.5

    @Option(help: "Whole runs; figures are the medians over them.")
    var runs = 1

    @Option(help: "Also write every sample as JSON to this file.")
    var json: String?

    func validate() throws {
        guard (1...100_000).contains(self.window) else { throw ValidationError("--window must be 1…100000") }
        guard self.clientThreads >= 1, self.referenceThreads >= 1 else {
            throw ValidationError("--client-threads and --reference-threads must be at least 1")
        }
        guard self.trials >= 1, self.runs >= 1, self.latencySamples >= 1, self.latencyBlock >= 1,
            self.startupRepetitions >= 1
        else {
            throw ValidationError("--trials, --runs, --latency-samples, --latency-block and --startup-repetitions must be at least 1")
        }
        guard self.duration > 0, self.warmup >= 0, self.settle >= 0 else {
            throw ValidationError("--duration must be positive, --warmup and --settle not negative")
        }
        _ = try self.parsedPhases()
        _ = try self.parsedConnections()
    }

    func run() throws {
        let plan = try self.makePlan()
        InterruptCleanup.install()
        Progress.log("evmcsd: \(plan.executable)")
        Progress.log("serving: \(plan.profile.map { "recorded \($0)" } ?? "live /dev/kvm")")
        var figures = FigureSet()
        do {
            for run in 1...self.runs {
                Progress.log("run \(run) of \(self.runs)")
                figures.merge(try Measurement(plan: plan).run())
            }
        } catch {
            Progress.log("DaemonLoadBenchmark: could not measure: \(error)")
            throw ExitCode(1)
        }
        print(MachineDescription.current(plan: plan, runs: self.runs))
        let printer = ReportPrinter(
            figures: figures,
            methods: plan.methods,
            connections: plan.connections,
            window: plan.window,
            idleConnections: plan.idleConnections,
            targets: Targets()
        )
        for table in printer.tables() { print(table.render()) }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(figures).write(to: URL(fileURLWithPath: json))
        }
    }

    private func makePlan() throws -> MeasurementPlan {
        let executable = Self.absolute(self.evmcsd)
        guard access(executable, X_OK) == 0 else {
            throw ValidationError("no executable evmcsd at \(executable): build it with swift build -c release")
        }
        let profile = self.live ? nil : Self.absolute(self.profile)
        if let profile, access(profile, R_OK) != 0 { throw ValidationError("cannot read the profile \(profile)") }
        return MeasurementPlan(
            executable: executable,
            profile: profile,
            phases: try self.parsedPhases(),
            methods: Self.list(self.methods),
            latencyWarmup: self.latencyWarmup,
            latencySamples: self.latencySamples,
            latencyBlock: self.latencyBlock,
            connections: try self.parsedConnections(),
            window: self.window,
            clientThreads: self.clientThreads,
            referenceThreads: self.referenceThreads,
            placement: self.placement,
            trials: self.trials,
            warmup: self.warmup,
            duration: self.duration,
            startupRepetitions: self.startupRepetitions,
            idleConnections: self.idleConnections,
            settle: self.settle
        )
    }

    private func parsedPhases() throws -> Set<MeasurementPlan.Phase> {
        Set(
            try Self.list(self.phases).map { name in
                guard let phase = MeasurementPlan.Phase(rawValue: name) else {
                    throw ValidationError("unknown phase \(name)")
                }
                return phase
            }
        )
    }

    private func parsedConnections() throws -> [Int] {
        try Self.list(self.connections).map { text in
            guard let count = Int(text), count >= 1 else { throw ValidationError("bad connection count \(text)") }
            return count
        }
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func absolute(_ path: String) -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }
}
