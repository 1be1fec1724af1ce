import Foundation
import KVMProbe
import Logging

@testable import EVMCSDaemon

/// What an in-process daemon test builds the daemon from: its configuration and where reloads read it, and a
/// host whose probes are `source`'s, with no socket activation and no groups beyond a user's primary one.
struct TestDaemonSetup {
    let configuration: DaemonConfiguration
    let configurationSource: ConfigurationSource
    let environment: DaemonEnvironment
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    init(socketPath: String, cacheDirectory: String, configurationFile: String, source: GatedProbeSource) {
        self.configuration = DaemonConfiguration(socketPath: socketPath, cacheDirectory: cacheDirectory)
        var configurationSource = ConfigurationSource(file: configurationFile, environment: [:])
        configurationSource.overrides.socketPath = socketPath
        configurationSource.overrides.cacheDirectory = cacheDirectory
        self.configurationSource = configurationSource
        self.environment = DaemonEnvironment(
            listeningDescriptor: nil,
            groups: GroupResolver(gid: { _ in nil }, groupsOfUser: { _, primary in [primary] }),
            probeSource: { _ in source }
        )
    }
}
