import ArgumentParser
import EVMCSClient

/// `evmcsctl status`
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the daemon's state: version, cache, fingerprint, counters."
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws { try Self.show(connection.daemon, json: output.json) }

    /// Asks `daemon` for its status and prints it: what `evmcsctl status` does once its
    /// arguments are read (by ArgumentParser or ``QuickCommandLine``).
    static func show(_ daemon: DaemonConnection, json: Bool) throws {
        let status = try daemon.withClient { try $0.call(EVMCSAPI.status) }
        if json { return try JSONOutput.print(status) }
        let style = TerminalStyle.standardOutput
        var table = Table()
        table.add([
            "daemon",
            "evmcsd \(status.version), pid \(status.pid), up \(Int(status.uptimeSeconds)) s, \(status.ready ? "ready" : "not ready")",
        ])
        table.add(["source", status.source])
        table.add(["socket", status.socket])
        table.add(
            ["eVMCS", status.evmcsSupported ? style.green("supported") : "unsupported"],
            plain: ["eVMCS", status.evmcsSupported ? "supported" : "unsupported"]
        )
        table.add(["fingerprint", status.fingerprint ?? "none"])
        let age = status.cache.profileAgeSeconds.map { "\(Int($0)) s old" } ?? "no profile"
        table.add([
            "cache",
            "\(status.cache.state.rawValue), \(age), rechecked every \(Int(status.cache.revalidateIntervalSeconds)) s"
                + (status.cache.note.map { " (\($0))" } ?? ""),
        ])
        let counters = status.counters
        table.add([
            "clients",
            "\(counters.connectionsOpen) open, \(counters.connectionsAccepted) accepted, \(counters.connectionsRejected) refused, \(counters.subscribers) subscribed",
        ])
        table.add([
            "requests",
            "\(counters.requests) (\(counters.errors) errors), \(counters.probes) probes, \(counters.profileChanges) changes",
        ])
        for line in table.render(indent: 0) { style.print(line) }
    }
}

/// `evmcsctl profile`
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Show this host's profile as the daemon serves it."
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws { try Self.show(connection.daemon, json: output.json) }

    /// Asks `daemon` for the host profile and prints it: what `evmcsctl profile` does once its
    /// arguments are read (by ArgumentParser or ``QuickCommandLine``).
    static func show(_ daemon: DaemonConnection, json: Bool) throws {
        let profile = try daemon.withClient { try $0.call(EVMCSAPI.profile) }
        if json { return try JSONOutput.print(profile) }
        ProfileSummaryRenderer(style: .standardOutput).render(profile)
    }
}

/// `evmcsctl features`: vmxcap-like table of this host, host view against the eVMCS guest view.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Show this host's VMX features (vmxcap-like): what KVM offers and what an eVMCS guest sees."
    )
    @Flag(name: .long, help: "Compare with the guest view for Hyper-V CPUID 0x4000000A.EBX bit 0 set.")
    var perfGlobalCtrl = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (profile, report) = try connection.daemon.withClient { client in
            (try client.call(EVMCSAPI.profile), try client.call(EVMCSAPI.evmcs))
        }
        if output.json { return try JSONOutput.print(report) }
        guard let host = profile.vmx?.vcpu ?? profile.vmx?.system else {
            let why = profile.vmx?[provenanceOf: .system]?.reason?.message ?? "no VMX capability MSRs reported"
            throw CommandFailure("\(profile.displayName) has no VMX features: \(why)", code: .ok)
        }
        let guest = profile.recordedGuestView(perfGlobalCtrl: perfGlobalCtrl)
        FeatureTableRenderer(style: .standardOutput).render(
            title: "\(profile.displayName): VMX features (vCPU view)",
            set: host,
            guest: guest.map {
                (
                    $0,
                    "eVMCS guest (\(profile.vmx?[provenanceOf: .guest(perfGlobalCtrl: perfGlobalCtrl)]?.method.rawValue ?? "given"))"
                )
            }
        )
        let removed = report.views[VMXViewName.guest(perfGlobalCtrl: perfGlobalCtrl).rawValue]?.removed ?? []
        let style = TerminalStyle.standardOutput
        style.print("")
        style.print(
            style.bold("eVMCS removes \(removed.count) feature\(removed.count == 1 ? "" : "s")")
                + (removed.isEmpty ? "" : ": " + removed.joined(separator: ", "))
        )
        if let era = report.effectiveEra {
            style.print("effective eVMCS era: \(EffectiveEraText(era).summary)")
        }
    }
}

/// `evmcsctl history`
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the capability changes the daemon has seen."
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let history = try connection.daemon.withClient { try $0.call(EVMCSAPI.history) }
        if output.json { return try JSONOutput.print(history) }
        let style = TerminalStyle.standardOutput
        if history.changes.isEmpty {
            return style.print("no changes since the daemon started (keeps \(history.capacity))")
        }
        for event in history.changes { ChangeRenderer(style: style).render(event) }
    }
}

/// `evmcsctl watch`: streams changes until interrupted.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print capability changes as they happen, until interrupted."
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await connection.daemon.withPipelinedClient { client in
            let changes = try await client.subscribe()
            let style = TerminalStyle.standardOutput
            if !output.json { style.print(style.dim("watching \(client.socketPath); Ctrl-C to stop")) }
            for await change in changes {
                if output.json {
                    try JSONOutput.printCompact(change)
                } else {
                    ChangeRenderer(style: style).render(change)
                }
            }
            throw CommandFailure("evmcsd closed the connection", code: .daemonUnavailable)
        }
    }
}

/// `evmcsctl refresh` (admin)
struct RefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Make the daemon re-probe now (root or the admin group)."
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let result = try connection.daemon.withClient { try $0.call(EVMCSAPI.refresh) }
        if output.json { return try JSONOutput.print(result) }
        TerminalStyle.standardOutput.print(
            "re-probed in \(result.durationMicros) µs; \(result.changed ? "capabilities changed" : "no change"); fingerprint \(result.fingerprint ?? "none")"
        )
    }
}

/// `evmcsctl reload` (admin)
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the daemon reload its configuration (root or the admin group)."
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let result = try connection.daemon.withClient { try $0.call(EVMCSAPI.reload) }
        if output.json { return try JSONOutput.print(result) }
        let style = TerminalStyle.standardOutput
        style.print(
            "configuration reloaded; applied: \(result.applied.isEmpty ? "nothing changed" : result.applied.joined(separator: ", "))"
        )
        if !result.needRestart.isEmpty {
            style.print("needs a restart to take effect: \(result.needRestart.joined(separator: ", "))")
        }
    }
}

/// Prints one `profile.changed` event.
struct ChangeRenderer {
    let style: TerminalStyle

    func render(_ event: ProfileChangedEvent) {
        let fingerprint =
            event.fingerprintChanged
            ? "fingerprint \(event.oldFingerprint.map { String($0.prefix(19)) } ?? "none") → \(event.newFingerprint.map { String($0.prefix(19)) } ?? "none")"
            : "fingerprint unchanged"
        style.print(style.bold(event.at) + "  \(event.trigger); \(fingerprint)")
        var table = Table()
        for change in event.changes {
            table.add([change.path, change.old ?? "(absent)", "→", change.new ?? "(absent)"])
            for feature in change.features ?? [] {
                table.add(["  " + feature.label, feature.old.rawValue, "→", feature.new.rawValue])
            }
        }
        for line in table.render() { style.print(line) }
    }
}
