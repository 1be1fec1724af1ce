import EVMCSTesting
import Foundation
import JSONRPC
import KVMProbe
import Logging
import ServiceLifecycleTestKit
import Testing
import VMXModel

@testable import EVMCSDaemon

/// The whole ``DaemonService`` in process, on a real socket: swift-service-lifecycle's test kit triggers its
/// graceful shutdown as a `ServiceGroup` does on SIGTERM, without a signal or a process.
@Suite("DaemonService graceful shutdown")
struct DaemonServiceShutdownTests {
    @Test(
        "graceful shutdown answers the request in flight, then run() returns and the socket is gone",
        .enabled(if: geteuid() == 0, "cache.refresh, the request held in flight, needs root or the admin group"),
        .timeLimit(.minutes(1))
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
        let configuration = DaemonConfiguration(socketPath: socket, cacheDirectory: "\(directory)/cache")
        var configurationSource = ConfigurationSource(file: "\(directory)/evmcsd.toml", environment: [:])
        configurationSource.overrides.socketPath = socket
        configurationSource.overrides.cacheDirectory = configuration.cacheDirectory
        return try DaemonService(
            configurationSource: configurationSource,
            configuration: configuration,
            environment: DaemonEnvironment(
                listeningDescriptor: nil,
                groups: GroupResolver(gid: { _ in nil }, groupsOfUser: { _, primary in [primary] }),
                probeSource: { _ in source }
            ),
            logLevel: LogLevelControl(.info),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
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
