import Benchmark
import EVMCSClient
import Foundation
import JSONRPC

/// The per-request work of the daemon's answers, without the socket: `Encodable` encoding
/// (JSONValueEncoder) of a `daemon.status` answer and of the cached reports (encoded once per
/// profile), and parsing a request line. (The daemon writes `daemon.status` member by member
/// with JSONObjectWriter instead; DaemonLoadBenchmark measures that end to end.)
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(3))

    let status = Answers.status
    Benchmark("encode a daemon.status answer through Encodable") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try JSONRPCResult(encoding: status)) }
    }
    let profile = Answers.profile
    Benchmark("encode host.profile answer (once per profile)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try JSONRPCResult(encoding: profile)) }
    }
    let evmcs = HostEVMCSReport(profile)
    Benchmark("encode host.evmcs answer (once per profile)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try JSONRPCResult(encoding: evmcs)) }
    }
    let line = Array(#"{"jsonrpc":"2.0","id":12345,"method":"daemon.status"}"#.utf8)
    Benchmark("parse request line") { benchmark in
        let parser = JSONParser()
        for _ in benchmark.scaledIterations { blackHole(try parser.parse(line)) }
    }

    // The one decoder: compat.check params ({"from": <profile>, "evmcs": true}) from their bytes,
    // parsed once and decoded from the tree, against Foundation's JSONDecoder on the same bytes.
    let checkParams = try! JSONRPCResult(encoding: Answers.checkParams).jsonText
    Benchmark("decode compat.check params: JSONParser + JSONValueDecoder") { benchmark in
        let parser = JSONParser()
        for _ in benchmark.scaledIterations {
            blackHole(try JSONValueDecoder().decode(CompatCheckRequest.self, from: try parser.parse(checkParams)))
        }
    }
    Benchmark("decode compat.check params: Foundation JSONDecoder") { benchmark in
        let data = Data(checkParams)
        for _ in benchmark.scaledIterations { blackHole(try JSONDecoder().decode(CompatCheckRequest.self, from: data)) }
    }

    // The encoder kept (JSONValueEncoder, behind JSONRPCResult(encoding:)) against JSONEncoder with
    // sorted keys, the output it must equal.
    Benchmark("encode host.profile answer: Foundation JSONEncoder (sorted keys)") { benchmark in
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for _ in benchmark.scaledIterations { blackHole(try encoder.encode(profile)) }
    }
}

enum Answers {
    static let profile: HostProfile = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "Docs/examples/skylake-6.8.json"
            )
        return try! DocumentLoader.hostProfile(from: Data(contentsOf: path))
    }()

    /// `compat.check` params: a VM started on this profile with eVMCS.
    static let checkParams = CompatCheckRequest.startedOn(
        profile,
        evmcs: true,
        perfGlobalCtrl: false,
        nestedState: false,
        target: nil
    )

    /// A status as a busy daemon reports it.
    static let status = DaemonStatus(
        version: "0.1.0",
        pid: 4133,
        startedAt: "2026-11-25T18:37:21Z",
        uptimeSeconds: 86_412.25,
        source: "live /dev/kvm",
        ready: true,
        cache: DaemonStatus.Cache(
            state: .verified,
            file: "/var/cache/evmcsd/profile.json",
            profileAgeSeconds: 1_812.5,
            lastRevalidation: "2026-11-26T18:36:51Z",
            revalidateIntervalSeconds: 30,
            note: nil
        ),
        fingerprint: profile.fingerprint,
        evmcsSupported: true,
        counters: DaemonStatus.Counters(
            connectionsOpen: 12,
            connectionsAccepted: 123_456,
            connectionsRejected: 3,
            requests: 98_765_432,
            errors: 17,
            probes: 2_881,
            profileChanges: 2,
            subscribers: 4
        ),
        socket: "/run/evmcsd/evmcsd.sock"
    )
}
