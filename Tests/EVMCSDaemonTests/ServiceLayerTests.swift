import Foundation
import JSONRPC
import JSONRPCInProcess
import KVMProbe
import Logging
import NIOCore
import Testing
import VMXModel

@testable import EVMCSDaemon

/// The service layer in process: the methods, refresh, reload, subscriptions and authorization of the parts
/// the daemon is built from, served over the in-process transport (no socket, no process, no systemd).
@Suite("Service layer in process")
struct ServiceLayerTests {
    @Test("cached methods answer from the store the refresher filled")
    func cachedMethods() async throws {
        try await InProcessDaemon.with { daemon in
            let client = daemon.connect()
            let fingerprint = try #require(daemon.parts.store.serving?.profile.fingerprint)
            let evmcs = try await client.call("host.evmcs")
            #expect(evmcs["result"]?["fingerprint"]?.string == fingerprint)
            let status = try await client.call("daemon.status")
            #expect(status["result"]?["cache"]?["state"]?.string == "fresh")
            #expect(status["result"]?["fingerprint"]?.string == fingerprint)
            let unknown = try await client.call("host.nothing")
            #expect(unknown["error"]?["code"] == .number(JSONNumber(-32601)))
        }
    }

    @Test("admin methods are refused to an unprivileged peer and served to root")
    func authorization() async throws {
        try await InProcessDaemon.with { daemon in
            let refused = try await daemon.connect(InProcessDaemon.user).call("cache.refresh")
            #expect(refused["error"]?["code"] == .number(JSONNumber(-32011)))
            #expect(refused["error"]?["data"]?["uid"] == .number(JSONNumber(1000)))
            let served = try await daemon.connect(InProcessDaemon.root).call("cache.refresh")
            #expect(served["result"] != nil, "\(served)")
        }
    }

    @Test("a subscriber gets profile.changed when cache.refresh finds a new profile; others get nothing")
    func subscriptionsAfterARefresh() async throws {
        try await InProcessDaemon.with { daemon in
            let subscriber = daemon.connect()
            let bystander = daemon.connect()
            let before = try #require(daemon.parts.store.serving?.profile.fingerprint)
            let initial = try await bystander.call("daemon.status")
            #expect(initial["result"]?["fingerprint"]?.string == before)
            let subscribed = try await subscriber.call("events.subscribe")
            #expect(subscribed["result"]?["subscribed"]?.bool == true)

            var changed = try ExporterTests.profile()
            changed.kernel?.release = "6.8.0-changed"
            daemon.source.serve(changed.fingerprinted(), key: .recorded(path: "p", sha256: "2"))
            let refreshed = try await daemon.connect(InProcessDaemon.root).call("cache.refresh")
            #expect(refreshed["result"] != nil, "\(refreshed)")

            let notification = try #require(try await subscriber.nextNotification())
            #expect(notification["method"]?.string == "profile.changed")
            #expect(notification["params"]?["oldFingerprint"]?.string == before)
            #expect(notification["params"]?["trigger"]?.string?.contains("cache.refresh") == true)
            // The status template kept before the change is not served after it.
            let status = try await bystander.call("daemon.status")
            #expect(status["result"]?["fingerprint"]?.string == daemon.parts.store.serving?.profile.fingerprint)
            #expect(initial["result"]?["cache"]?["lastRevalidation"] == nil)
            #expect(status["result"]?["cache"]?["lastRevalidation"]?.string != nil)
            #expect(status["result"]?["counters"]?["profileChanges"] == .number(JSONNumber(1)))
            #expect(bystander.notifications.isEmpty)
        }
    }

    @Test("daemon.reload applies the file's run-time settings and names those that need a restart")
    func reload() async throws {
        try await InProcessDaemon.with { daemon in
            try "[log]\nlevel = \"debug\"\n[limits]\nmax-line-bytes = 4096\n"
                .write(toFile: daemon.configurationFile, atomically: true, encoding: .utf8)
            let answer = try await daemon.connect(InProcessDaemon.root).call("daemon.reload")
            let result = try #require(answer["result"], "\(answer)")
            #expect(result["applied"] == .array([.string("log.level")]))
            #expect(result["needRestart"] == .array([.string("limits.max-line-bytes")]))
            #expect(daemon.parts.settings.current.configuration.logLevel == .debug)

            try "[log]\nlevel = \"loud\"\n".write(toFile: daemon.configurationFile, atomically: true, encoding: .utf8)
            let failed = try await daemon.connect(InProcessDaemon.root).call("daemon.reload")
            #expect(failed["error"]?["code"] == .number(JSONNumber(-32015)))
            #expect(daemon.parts.settings.current.configuration.logLevel == .debug)
        }
    }

    @Test("requests sent before shutdown are answered; the connection then closes")
    func shutdownDrains() async throws {
        try await InProcessDaemon.with { daemon in
            let client = daemon.connect()
            _ = try await client.call("daemon.status")
            #expect(daemon.server.openConnections == 1)
            await daemon.server.shutdown(gracePeriod: .seconds(5))
            await client.connection.closed()
            #expect(daemon.server.openConnections == 0)
        }
    }
}
