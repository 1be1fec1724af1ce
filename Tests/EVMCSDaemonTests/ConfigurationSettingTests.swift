import Logging
import Testing

@testable import EVMCSDaemon

/// The settings table: what a reload applies, what waits for a restart, what keeps running,
/// and that the loader and `--check-config` read the same keys.
@Suite("Configuration settings")
struct ConfigurationSettingTests {
    @Test func runTimeSettingsApplyAndRestartSettingsKeepTheirRunningValues() {
        let running = DaemonConfiguration(socketPath: "/run/a.sock", cacheDirectory: "/var/cache/a")
        var loaded = running
        loaded.logLevel = .debug
        loaded.limits.maxConnections = 512
        loaded.socketPath = "/run/b.sock"
        loaded.limits.maxLineBytes = 4096
        loaded.prometheusFile = "/tmp/evmcsd.prom"
        let plan = ConfigurationSetting.reloadPlan(from: running, to: loaded)
        #expect(
            plan.applied == [
                "limits.max-connections", "log.level", "exporters.prometheus.enabled", "exporters.prometheus.path",
            ]
        )
        #expect(plan.needRestart == ["socket.path", "limits.max-line-bytes"])
        #expect(plan.effective.logLevel == .debug)
        #expect(plan.effective.limits.maxConnections == 512)
        #expect(plan.effective.prometheusFile == "/tmp/evmcsd.prom")
        #expect(plan.effective.socketPath == "/run/a.sock")
        #expect(plan.effective.limits.maxLineBytes == 1 << 20)
    }

    @Test func anUnchangedConfigurationChangesNothing() {
        let running = DaemonConfiguration(socketPath: "/run/a.sock", cacheDirectory: "/var/cache/a")
        let plan = ConfigurationSetting.reloadPlan(from: running, to: running)
        #expect(plan.applied.isEmpty && plan.needRestart.isEmpty)
        #expect(plan.effective == running)
    }

    @Test func everyKeyIsListedOnceAndReadByTheLoader() throws {
        #expect(ConfigurationSetting.byKey.count == ConfigurationSetting.all.count)
        let fileKeys = ConfigurationLoader.keys.flatMap { section, names in names.map { "\(section).\($0)" } }
        #expect(Set(fileKeys) == Set(ConfigurationSetting.all.map(\.key)))
        // Each key changes what the loader produces, so none is listed without being read.
        let base = DaemonConfiguration(socketPath: "/run/a.sock", cacheDirectory: "/var/cache/a")
        let values: [String: String] = [
            "socket.path": "\"/run/b.sock\"", "socket.mode": "\"0600\"", "socket.group": "\"kvm\"",
            "authorization.admin-group": "\"wheel\"", "cache.directory": "\"/var/cache/b\"",
            "cache.revalidate-seconds": "7", "cache.history-size": "5", "probe.device": "\"/dev/kvm2\"",
            "probe.sysfs-root": "\"/s\"", "probe.procfs-root": "\"/p\"", "probe.profile": "\"/p.json\"",
            "limits.max-line-bytes": "4096", "limits.max-batch": "3", "limits.max-connections": "9",
            "limits.max-connections-per-uid": "2", "limits.reserved-connections": "1",
            "limits.idle-timeout-seconds": "11", "limits.max-pending-requests": "4", "log.level": "\"debug\"",
            "exporters.prometheus.enabled": "true", "exporters.prometheus.path": "\"/tmp/x.prom\"",
            "exporters.nfd.enabled": "true", "exporters.nfd.path": "\"/tmp/nfd\"", "exporters.nfd.expiry-seconds": "120",
        ]
        #expect(Set(values.keys) == Set(ConfigurationSetting.all.map(\.key)))
        for setting in ConfigurationSetting.all {
            let (section, name) = setting.section
            let text = "[\(section)]\n\(name) = \(try #require(values[setting.key]))\n"
            let loaded = try ConfigurationLoader.apply(text, source: "test", to: base)
            #expect(setting.differs(base, loaded), "\(setting.key) is read")
            #expect(ConfigurationSummary.describe(loaded, file: "f").contains("\(setting.key) = "))
        }
    }

    @Test func exporterSectionsKeepTheirMeaning() throws {
        let base = DaemonConfiguration(socketPath: "/run/a.sock", cacheDirectory: "/var/cache/a")
        let onDefault = try ConfigurationLoader.apply("[exporters.nfd]\nenabled = true\n", source: "t", to: base)
        #expect(onDefault.nfdFile == "/etc/kubernetes/node-feature-discovery/features.d/evmcsd")
        let pathOnly = try ConfigurationLoader.apply("[exporters.nfd]\npath = \"/tmp/n\"\n", source: "t", to: base)
        #expect(pathOnly.nfdFile == nil)
    }
}
