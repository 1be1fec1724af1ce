import ArgumentParser

/// `evmcsd-stress`: robustness runs against a running evmcsd (Docs/reliability.md).
@main
struct StressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evmcsd-stress",
        abstract: "Fuzz, load, churn and slow-client runs against a running evmcsd; exit 0 when every check holds.",
        subcommands: [Fuzz.self, Load.self, Churn.self, Slow.self]
    )
}

/// Options every run takes.
struct Target: ParsableArguments {
    @Option(name: .long, help: "The daemon's socket.")
    var socket: String

    @Option(name: .long, help: "The daemon's pid, to watch its memory and descriptors.")
    var pid: Int32?

    var probe: ProcessProbe { ProcessProbe(pid: pid) }
}

extension StressCommand {
    struct Fuzz: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generated and mutated frames; every one must get exactly its documented answer."
        )
        @OptionGroup var target: Target
        @Option(help: "Frames to send.") var frames = 100_000
        @Option(help: "Parallel connections.") var connections = 8
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "The daemon's limits.max-line-bytes.") var maxLine = 1 << 20
        @Option(help: "The daemon's limits.max-batch.") var maxBatch = 64
        @Option(help: "Fail when the daemon's RSS exceeds this many MiB.") var rssLimit = 200

        func run() throws {
            let outcome = try FuzzRun(
                socketPath: target.socket,
                frames: frames,
                connections: connections,
                seed: seed,
                maximumLine: maxLine,
                maximumBatch: maxBatch,
                daemon: target.probe
            ).run()
            print(
                "fuzz: \(outcome.framesChecked) frames in \(Int(outcome.seconds)) s (\(Int(Double(outcome.framesChecked) / outcome.seconds)) frames/s), seed \(seed)"
            )
            for (category, count) in outcome.byCategory.sorted(by: { $0.key < $1.key }) {
                print("  \(category): \(count)")
            }
            print("reconnects after a documented close: \(outcome.reconnects)")
            print("control client: \(outcome.controlChecks) checks, \(outcome.controlFailures) failures")
            print("daemon peak RSS: \(outcome.peakResidentKiB / 1024) MiB")
            print("mismatches: \(outcome.mismatches.count)")
            var shown: [String: Int] = [:]
            for mismatch in outcome.mismatches {
                let category = String(mismatch.prefix { $0 != ":" })
                shown[category, default: 0] += 1
                if shown[category]! <= 3 { print("  \(mismatch)") }
            }
            let healthy =
                outcome.mismatches.isEmpty && outcome.controlFailures == 0 && target.probe.isAlive
                && (target.pid == nil || outcome.peakResidentKiB < rssLimit * 1024)
            if !healthy { throw ExitCode.failure }
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Concurrent clients pipelining requests; nothing may be lost, duplicated or mismatched."
        )
        @OptionGroup var target: Target
        @Option(help: "Concurrent clients.") var clients = 1_000
        @Option(help: "Requests per client.") var requests = 100

        func run() throws {
            let outcome = try LoadRun(
                socketPath: target.socket,
                clients: clients,
                requests: requests,
                daemon: target.probe
            ).run()
            let total = clients * requests
            print(
                "load: \(clients) clients x \(requests) requests = \(total) in \(fixed(outcome.seconds)) s (\(Int(Double(total) / outcome.seconds)) req/s)"
            )
            print(
                "answered \(outcome.answered), lost \(outcome.lost), duplicated or mismatched \(outcome.duplicatedOrMismatched)"
            )
            print("daemon peak RSS: \(outcome.peakResidentKiB / 1024) MiB")
            if outcome.answered != total || !target.probe.isAlive { throw ExitCode.failure }
        }
    }

    struct Churn: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect/close cycles; the daemon must keep no descriptor or memory behind."
        )
        @OptionGroup var target: Target
        @Option(help: "Connections to open and close.") var connections = 100_000

        func run() throws {
            let outcome = try ChurnRun(socketPath: target.socket, connections: connections, daemon: target.probe).run()
            print(
                "churn: \(outcome.completed) connections in \(fixed(outcome.seconds)) s (\(Int(Double(outcome.completed) / outcome.seconds))/s), \(outcome.failures) failures"
            )
            print(
                "daemon descriptors \(outcome.descriptorsBefore.map(String.init) ?? "?") → \(outcome.descriptorsAfter.map(String.init) ?? "?"), RSS \((outcome.residentBeforeKiB ?? 0) / 1024) → \((outcome.residentAfterKiB ?? 0) / 1024) MiB"
            )
            let leaked = (outcome.descriptorsAfter ?? 0) > (outcome.descriptorsBefore ?? 0) + 2
            if outcome.failures > 0 || leaked || !target.probe.isAlive { throw ExitCode.failure }
        }
    }

    struct Slow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Readers that never read and writers that trickle; honest clients must stay fast."
        )
        @OptionGroup var target: Target
        @Option(help: "Clients that send requests and never read.") var readers = 20
        @Option(help: "Clients that trickle a partial line.") var trickles = 20
        @Option(help: "Seconds to run.") var seconds = 10.0
        @Option(help: "Fail when an honest request takes longer than this many milliseconds.") var latencyLimit = 500.0
        @Option(
            help:
                "The daemon's limits.idle-timeout-seconds: when the run is longer, every trickling client must have been closed."
        )
        var idleTimeout: Double?

        func run() throws {
            let outcome = try SlowRun(
                socketPath: target.socket,
                readers: readers,
                trickles: trickles,
                seconds: seconds,
                daemon: target.probe
            ).run()
            print("slow: \(readers) non-reading and \(trickles) trickling clients for \(Int(seconds)) s")
            print("control: \(outcome.controlRequests) requests, worst \(fixed(outcome.controlWorstMilliseconds)) ms")
            print("trickling clients closed by the idle timeout: \(outcome.tricklesClosed) of \(trickles)")
            print("daemon peak RSS: \(outcome.peakResidentKiB / 1024) MiB")
            let tricklesBounded = idleTimeout.map { $0 + 1 >= seconds || outcome.tricklesClosed == trickles } ?? true
            if outcome.controlWorstMilliseconds > latencyLimit || !tricklesBounded || !target.probe.isAlive {
                throw ExitCode.failure
            }
        }
    }
}

/// A number with two decimals, without Foundation.
func fixed(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = abs(hundredths % 100)
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
