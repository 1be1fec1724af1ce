import ArgumentParser
import EVMCSClient

/// `evmcsctl baseline P1.json P2.json …`
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "The richest VM requirements every given host accepts, and the QEMU -cpu flags for them."
    )

    @OptionGroup var fleet: FleetOptions

    @Flag(
        inversion: .prefixedNo,
        help: "Require eVMCS (--evmcs) or leave it out (--no-evmcs); default: include it when every host supports it."
    )
    var evmcs: Bool?

    @Flag(
        name: .long,
        help: "Hyper-V CPUID 0x4000000A.EBX bit 0 (PERF_GLOBAL_CTRL) set for the guests; QEMU leaves it clear."
    )
    var perfGlobalCtrl = false

    @Flag(
        inversion: .prefixedNo,
        help: "Require nested-state migration, or leave it out; default: include it when every host can."
    )
    var nestedState: Bool?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let baseline = try fleet.result(
            of: "baseline",
            by: EVMCSAPI.baseline,
            evmcs: evmcs,
            perfGlobalCtrl: perfGlobalCtrl,
            nestedState: nestedState
        ) { (hosts: [HostProfile]) throws(FleetError) -> Baseline in
            try Baseline(
                of: hosts,
                options: BaselineOptions(evmcs: evmcs, perfGlobalCtrl: perfGlobalCtrl, nestedState: nestedState)
            )
        }
        if output.json {
            try JSONOutput.print(baseline)
            return
        }
        let style = TerminalStyle.standardOutput
        let requirements = baseline.requirements
        style.print(style.bold("Baseline of \(baseline.hosts) host\(baseline.hosts == 1 ? "" : "s")"))
        style.print("  eVMCS: \(requirements.evmcs.enabled ? "version \(requirements.evmcs.version)" : "no")")
        style.print("  nested-state migration: \(requirements.nestedState ? "yes" : "no")")
        style.print("  QEMU -cpu flags: \(baseline.qemuCPUFlagString.isEmpty ? "(none)" : baseline.qemuCPUFlagString)")
        style.print("")
        style.print(style.bold("VMX values (evmcsd.vm-requirements/1 \"vmx\")"))
        var table = Table()
        for (index, value) in requirements.vmx.entries {
            table.add([index.hex, index.vmxName ?? "", HexNumber.format64(value)])
        }
        for line in table.render() { style.print(line) }
        if !baseline.warnings.isEmpty {
            style.print("")
            style.print(style.bold("Warnings"))
            for warning in baseline.warnings { style.print("  " + style.yellow(warning.code) + "  " + warning.message) }
        }
    }
}
