import ArgumentParser
import EVMCSDaemon
import JSONRPC
import Logging
import ServiceLifecycle
import UnixSignals
import VMXModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `evmcsd`: the daemon. Flags override the configuration file.
@main
struct EVMCSD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evmcsd",
        abstract: "Measure this host's KVM nested/eVMCS capabilities and answer JSON-RPC queries on a Unix socket.",
        discussion: """
            Configuration: defaults, then the file (--config, default /etc/evmcsd/evmcsd.toml if present), then flags.

            Signals: SIGHUP reloads the configuration and re-checks the capabilities; SIGTERM/SIGINT stop \
            gracefully (every request already read is answered).

            Under systemd it uses socket activation, sd_notify (READY, RELOADING, STOPPING, STATUS, WATCHDOG) \
            and the journal; without it, it runs the same.
            """,
        version: EVMCSVersion.current
    )

    @Option(name: .long, help: "Configuration file (TOML; see config/evmcsd.toml).")
    var config: String?

    @Option(
        name: .long,
        help:
            "Unix socket path (default /run/evmcsd/evmcsd.sock as root, $XDG_RUNTIME_DIR/evmcsd/evmcsd.sock otherwise)."
    )
    var socket: String?

    @Option(name: .long, help: "Socket file mode, octal (default 0660).")
    var socketMode: String?

    @Option(name: .long, help: "Directory for the persisted profile cache.")
    var cacheDir: String?

    @Option(name: .long, help: "Serve this recorded host profile instead of probing /dev/kvm.")
    var profile: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Flag(name: .long, help: "Validate the configuration, print the effective settings and exit.")
    var checkConfig = false

    @Flag(name: .long, help: "Print the OpenRPC document (Docs/openrpc.json) and exit.")
    var printOpenrpc = false

    func run() async throws {
        if printOpenrpc {
            print(OpenRPCDocument.make().prettyPrintedString())
            return
        }
        var source = ConfigurationSource(file: config, environment: ProcessInfo.processInfo.environment)
        do {
            source.overrides = try overrides()
        } catch {
            throw ValidationError(error.description)
        }
        let configuration: DaemonConfiguration
        do {
            configuration = try source.load()
        } catch {
            let message = Array("evmcsd: configuration error: \(error)\n".utf8)
            _ = message.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            throw ExitCode(2)
        }
        if checkConfig {
            print(ConfigurationSummary.describe(configuration, file: source.describedFile))
            return
        }
        let levels = LogLevelControl(configuration.logLevel)
        let journal = JournalLogHandler.standardErrorIsJournal
        LoggingSystem.bootstrap { label in
            let handler: any LogHandler =
                journal ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            return LevelControlledLogHandler(handler, control: levels)
        }
        let logger = Logger(label: "evmcsd")
        let service: DaemonService
        do {
            service = try DaemonService(
                configurationSource: source,
                configuration: configuration,
                environment: .host(),
                logLevel: levels,
                logger: logger
            )
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            logger.critical("stopped with an error", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    private func overrides() throws(ConfigurationError) -> ConfigurationSource.Overrides {
        var overrides = ConfigurationSource.Overrides()
        overrides.socketPath = socket
        overrides.cacheDirectory = cacheDir
        overrides.profileFile = profile
        if let socketMode { overrides.socketMode = try ConfigurationSource.Overrides.socketMode(commandLine: socketMode) }
        if let logLevel { overrides.logLevel = try ConfigurationSource.Overrides.logLevel(commandLine: logLevel) }
        return overrides
    }
}
