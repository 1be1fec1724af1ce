import ArgumentParser
import EVMCSClient

/// `evmcsctl check`: can this VM run on / move to that host?
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compute the compatibility verdict of a VM and a target host.",
        discussion: """
            Either a VM requirements document and a host profile:
              evmcsctl check --vm VM.json --profile HOST.json
            or a VM started on SRC with SRC's defaults, moving to DST:
              evmcsctl check --from SRC.json --to DST.json [--evmcs] [--perf-global-ctrl] [--nested-state]
            Without --profile / --to the target is this host, as the local evmcsd measures it:
              evmcsctl check --vm VM.json        evmcsctl check --from SRC.json --evmcs
            Exit status: 0 compatible, 1 incompatible, 2 usage or document error, 3 daemon unreachable.
            """
    )

    @Option(name: .long, help: "VM requirements document (evmcsd.vm-requirements/1).")
    var vm: String?

    @Option(name: .long, help: "Target host profile (with --vm).")
    var profile: String?

    @Option(name: .long, help: "Source host profile: the VM was started there with the host's defaults.")
    var from: String?

    @Option(name: .long, help: "Target host profile (with --from).")
    var to: String?

    @Flag(name: .long, help: "The VM uses Enlightened VMCS (QEMU hv-evmcs); with --from.")
    var evmcs = false

    @OptionGroup var evmcsOptions: EVMCSOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws { try arguments.validate() }

    func run() throws { try arguments.run() }

    /// The values parsed, for the code both parsers run.
    var arguments: CheckArguments {
        CheckArguments(
            vm: vm,
            profile: profile,
            from: from,
            to: to,
            evmcs: evmcs,
            perfGlobalCtrl: evmcsOptions.perfGlobalCtrl,
            nestedState: evmcsOptions.nestedState,
            daemon: connection.daemon,
            json: output.json
        )
    }
}

/// What `evmcsctl check` does once its arguments are read, by ArgumentParser (``CheckCommand``)
/// or by ``QuickCommandLine``.
struct CheckArguments {
    // The options of ``CheckCommand``, under the same names.
    var vm: String?
    var profile: String?
    var from: String?
    var to: String?
    var evmcs: Bool
    var perfGlobalCtrl: Bool
    var nestedState: Bool
    var daemon: DaemonConnection
    var json: Bool

    func validate() throws(ValidationError) {
        switch (vm, profile, from, to) {
        case (.some, _, nil, nil), (nil, nil, .some, _): break
        default: throw ValidationError("give either --vm [--profile HOST.json], or --from [--to HOST.json]")
        }
        if vm != nil && (evmcs || perfGlobalCtrl || nestedState) {
            throw ValidationError(
                "--evmcs, --perf-global-ctrl and --nested-state apply to --from; a VM document states them itself"
            )
        }
    }

    func run() throws {
        let verdict: Verdict
        switch (vm, profile, from, to) {
        case (let vm?, let profile?, _, _):
            verdict = CompatibilityChecker.check(
                try DocumentFiles.vmRequirements(vm),
                on: try DocumentFiles.hostProfile(profile)
            )
        case (let vm?, nil, _, _):
            let requirements = try DocumentFiles.vmRequirements(vm)
            verdict = try daemon.withClient {
                try $0.call(EVMCSAPI.check, params: .requirements(requirements, target: nil))
            }
        case (nil, _, let from?, let to?):
            verdict = CompatibilityChecker.check(
                from: try DocumentFiles.hostProfile(from),
                to: try DocumentFiles.hostProfile(to),
                evmcs: evmcs,
                perfGlobalCtrl: perfGlobalCtrl,
                nestedState: nestedState
            )
        case (nil, _, let from?, nil):
            let source = try DocumentFiles.hostProfile(from)
            verdict = try daemon.withClient {
                try $0.call(
                    EVMCSAPI.check,
                    params:
                        .startedOn(
                            source,
                            evmcs: evmcs,
                            perfGlobalCtrl: perfGlobalCtrl,
                            nestedState: nestedState,
                            target: nil
                        )
                )
            }
        default:
            throw ValidationError("give either --vm [--profile HOST.json], or --from [--to HOST.json]")
        }
        if json {
            try JSONOutput.print(verdict)
        } else {
            VerdictRenderer(style: .standardOutput).render(verdict)
        }
        if !verdict.compatible { throw ExitCode(CommandFailure.Code.incompatible.rawValue) }
    }
}
