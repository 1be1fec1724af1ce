import EVMCSTesting
import Foundation
import JSONRPC
import KVMProbe
import Logging
import ServiceLifecycleTestKit
import Testing

@testable import EVMCSDaemon

/// The whole ``DaemonService`` in process, on a real socket: swift-service-lifecycle's test kit triggers its
/// graceful shutdown as a `ServiceGroup` does on SIGTERM, without a signal or a process.
@Suite("DaemonService graceful shutdown")
struct DaemonServiceShutdownTests {
    @Test(
        "graceful shutdown answers the request in flight, then run() returns and the socket is gone",
        .enabled(if: geteuid() == 0, "cache.refresh, the request held in flight, needs root or the admin group"),
        // Its refresher and the in-flight call run on the cooperative pool, which the synchronous end-to-end tests
        // can hold for over 40 s in a full run (this suite took 38 s there, 0.05 s alone).
        .timeLimit(.minutes(3))
    )
    func gracefulShutdownAnswersTheRequestInFlight() async throws {
        let directory = "/tmp/evmcsd-service-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = "\(directory)/evmcsd.sock"
        let source = GatedProbeSource(profile: try ExporterTests.profile(), key: .recorded(path: "p", sha256: "1"))
        let service = try Self.service(socket: socket, directory: directory, source: source)

        // On a thread of its own: blocking tests elsewhere in the process may hold the cooperative pool.
        try await withTaskExecutorPreference(DedicatedExecutor.shared) {
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    let client = try await Self.connect(socket)
                    let status = try await client.call("daemon.status")
                    #expect(status["ready"]?.bool == true)

                    // A refresh whose probe hangs: read by the daemon before the shutdown begins.
                    let probeStarts = source.probeStarts()
                    source.close()
                    let refresh = Task { try await client.call("cache.refresh", timeout: .seconds(60)) }
                    var started = probeStarts.makeAsyncIterator()
                    _ = await started.next()

                    trigger.triggerGracefulShutdown()
                    source.open()
                    let refreshed = try await refresh.value
                    #expect(refreshed["fingerprint"]?.string != nil, "\(refreshed)")
                    await client.close()
                    try await group.waitForAll()
                }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: socket), "the service removes the socket it created")
    }

    private static func service(socket: String, directory: String, source: GatedProbeSource) throws -> DaemonService {
        let setup = TestDaemonSetup(
            socketPath: socket,
            cacheDirectory: "\(directory)/cache",
            configurationFile: "\(directory)/evmcsd.toml",
            source: source
        )
        return try DaemonService(
            configurationSource: setup.configurationSource,
            configuration: setup.configuration,
            environment: setup.environment,
            logLevel: LogLevelControl(.info),
            logger: setup.logger
        )
    }

    /// Connects once the service listens (it binds the socket after its first probe).
    private static func connect(_ socket: String) async throws -> JSONRPCClient {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try await JSONRPCClient.connect(unixSocketPath: socket)
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
