import EVMCSTesting
import Foundation
import JSONRPC
import JSONRPCInProcess
import KVMProbe
import Logging
import NIOPosix
import VMXModel

@testable import EVMCSDaemon

/// The daemon's parts (``DaemonAssembly``, exactly as the service builds them) served over the in-process
/// transport: its methods, refresher, reloader and subscriptions, without a socket or a process.
struct InProcessDaemon {
    let parts: DaemonAssembly
    let server: InProcessJSONRPCServer
    let source: GatedProbeSource
    let directory: String
    let configurationFile: String

    static let root = JSONRPCPeerCredentials(uid: 0, gid: 0, pid: 1)
    static let user = JSONRPCPeerCredentials(uid: 1000, gid: 1000, pid: 2)

    /// Builds the parts on a recorded profile, serves them for `body`, then shuts down and removes its files.
    static func with(_ body: (InProcessDaemon) async throws -> Void) async throws {
        let directory = "/tmp/evmcsd-inprocess-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configurationFile = "\(directory)/evmcsd.toml"
        try "".write(toFile: configurationFile, atomically: true, encoding: .utf8)
        let source = GatedProbeSource(profile: try ExporterTests.profile(), key: .recorded(path: "p", sha256: "1"))
        let setup = TestDaemonSetup(
            socketPath: "\(directory)/unused.sock",
            cacheDirectory: directory,
            configurationFile: configurationFile,
            source: source
        )
        let logger = setup.logger
        let parts = try DaemonAssembly(
            configurationSource: setup.configurationSource,
            configuration: setup.configuration,
            environment: setup.environment,
            logLevel: LogLevelControl(.info),
            notifier: SystemdNotifier(),
            logger: logger
        )
        _ = try await parts.refresher.start()
        let server = InProcessJSONRPCServer(
            methods: parts.methods,
            configuration: parts.serverConfiguration,
            statistics: parts.statistics,
            logger: logger,
            eventLoop: MultiThreadedEventLoopGroup.singleton.next()
        )
        let daemon = InProcessDaemon(
            parts: parts,
            server: server,
            source: source,
            directory: directory,
            configurationFile: configurationFile
        )
        // On a thread of its own: blocking tests elsewhere in the process may hold the cooperative pool.
        try await withTaskExecutorPreference(DedicatedExecutor.shared) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await server.run() }
                defer { group.cancelAll() }
                try await body(daemon)
                await server.shutdown()
                try await group.waitForAll()
            }
        }
    }

    /// A client connection with `peer`'s credentials.
    func connect(_ peer: JSONRPCPeerCredentials = Self.user) -> InProcessCaller {
        InProcessCaller(self.server.connect(peer: peer))
    }
}

/// Calls methods one at a time on an in-process connection and keeps the notifications that arrive meanwhile.
final class InProcessCaller {
    let connection: InProcessJSONRPCConnection
    private var lines: AsyncStream<[UInt8]>.Iterator
    private var nextID = 0
    /// Notifications received so far, in order.
    private(set) var notifications: [JSONValue] = []

    init(_ connection: InProcessJSONRPCConnection) {
        self.connection = connection
        self.lines = connection.lines.makeAsyncIterator()
    }

    /// Sends a request and returns its whole response object.
    func call(_ method: String, params: String? = nil) async throws -> JSONValue {
        self.nextID += 1
        let id = self.nextID
        let paramsText = params.map { #","params":\#($0)"# } ?? ""
        self.connection.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)"\#(paramsText)}"# + "\n")
        while let line = await self.lines.next() {
            let message = try JSONParser().parse(line)
            if message["id"] == nil {
                self.notifications.append(message)
            } else if message["id"] == .number(JSONNumber(id)) {
                return message
            }
        }
        throw CancellationError()
    }

    /// Waits for the next notification (or the one already received).
    func nextNotification() async throws -> JSONValue? {
        if !self.notifications.isEmpty { return self.notifications.removeFirst() }
        guard let line = await self.lines.next() else { return nil }
        return try JSONParser().parse(line)
    }
}
