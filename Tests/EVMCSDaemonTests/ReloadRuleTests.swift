import Logging
import Testing

@testable import EVMCSDaemon

/// The reload table: what a reload applies, what waits for a restart, and what keeps running.
@Suite("Reload rules")
struct ReloadRuleTests {
    @Test func runTimeSettingsApplyAndRestartSettingsKeepTheirRunningValues() {
        let running = DaemonConfiguration(socketPath: "/run/a.sock", cacheDirectory: "/var/cache/a")
        var loaded = running
        loaded.logLevel = .debug
        loaded.limits.maxConnections = 512
        loaded.socketPath = "/run/b.sock"
        loaded.limits.maxLineBytes = 4096
        let plan = ReloadRule.plan(from: running, to: loaded)
        #expect(plan.applied == ["log.level", "limits.max-connections"])
        #expect(plan.needRestart == ["socket.path", "limits.max-line-bytes"])
        #expect(plan.effective.logLevel == .debug)
        #expect(plan.effective.limits.maxConnections == 512)
        #expect(plan.effective.socketPath == "/run/a.sock")
        #expect(plan.effective.limits.maxLineBytes == 1 << 20)
    }

    @Test func anUnchangedConfigurationChangesNothing() {
        let running = DaemonConfiguration(socketPath: "/run/a.sock", cacheDirectory: "/var/cache/a")
        let plan = ReloadRule.plan(from: running, to: running)
        #expect(plan.applied.isEmpty && plan.needRestart.isEmpty)
        #expect(plan.effective == running)
    }

    @Test func everyKeyIsAConfigurationKeyAndListedOnce() {
        let keys = ReloadRule.all.map(\.key)
        #expect(Set(keys).count == keys.count)
        let fileKeys = Set(
            ConfigurationLoader.keys.flatMap { section, names in names.map { "\(section).\($0)" } }
        )
        for key in keys where !key.hasPrefix("exporters.") {
            #expect(fileKeys.contains(key), "\(key)")
        }
    }
}
