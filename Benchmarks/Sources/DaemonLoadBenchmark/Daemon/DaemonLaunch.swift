/// How to start one evmcsd for a measurement.
struct DaemonLaunch: Sendable {
    /// The evmcsd executable (a release build).
    var executable: String
    var socketPath: String
    var cacheDirectory: String
    /// A recorded host profile to serve (`--profile`), or `nil` for the live probe of /dev/kvm.
    var profile: String?
    /// A configuration file (`--config`), e.g. to raise `[limits] max-connections`.
    var configurationFile: String?
    /// A datagram socket for `sd_notify` (`NOTIFY_SOCKET`), to learn when evmcsd is ready.
    var notifySocket: String?
    /// `--log-level`: warning keeps the per-start info lines out of the measurements.
    var logLevel = "warning"

    /// The command line, program name first.
    var arguments: [String] {
        var arguments = [
            self.executable, "--socket", self.socketPath, "--cache-dir", self.cacheDirectory, "--log-level",
            self.logLevel,
        ]
        if let profile { arguments += ["--profile", profile] }
        if let configurationFile { arguments += ["--config", configurationFile] }
        return arguments
    }

    /// The benchmark's environment without what systemd passes (so a benchmark run under systemd
    /// neither activates sockets nor logs to the journal), plus `NOTIFY_SOCKET` when set.
    func environment(inheriting inherited: [String]) -> [String] {
        let systemdVariables: Set<Substring> = [
            "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID",
            "JOURNAL_STREAM",
        ]
        var environment = inherited.filter { entry in
            !systemdVariables.contains(entry.prefix { $0 != "=" })
        }
        if let notifySocket { environment.append("NOTIFY_SOCKET=\(notifySocket)") }
        return environment
    }
}
