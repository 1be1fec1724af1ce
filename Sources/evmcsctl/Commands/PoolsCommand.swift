import ArgumentParser
import EVMCSClient

/// `evmcsctl pools P*.json`
struct PoolsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pools",
        abstract: "Group hosts by capability fingerprint and show which groups a VM can move between."
    )

    @OptionGroup var fleet: FleetOptions

    @Flag(name: .long, help: "VMs use Enlightened VMCS (QEMU hv-evmcs).")
    var evmcs = false

    @OptionGroup var evmcsOptions: EVMCSOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let pools = try fleet.result(
            of: "pools",
            by: EVMCSAPI.pools,
            evmcs: evmcs,
            perfGlobalCtrl: evmcsOptions.perfGlobalCtrl,
            nestedState: evmcsOptions.nestedState
        ) { (hosts: [HostProfile]) throws(FleetError) -> Pools in
            try Pools(
                of: hosts,
                evmcs: evmcs,
                perfGlobalCtrl: evmcsOptions.perfGlobalCtrl,
                nestedState: evmcsOptions.nestedState
            )
        }
        if output.json {
            try JSONOutput.print(pools)
            return
        }
        let style = TerminalStyle.standardOutput
        let hostCount = pools.groups.reduce(0) { $0 + $1.hosts.count }
        style.print(
            style.bold(
                "\(pools.groups.count) group\(pools.groups.count == 1 ? "" : "s") of \(hostCount) host\(hostCount == 1 ? "" : "s")"
            ) + " (eVMCS \(evmcs ? "on" : "off"))"
        )
        var groups = Table()
        for group in pools.groups {
            let era = group.evmcsEra.map { "era \($0.span)" } ?? "era unknown"
            groups.add([
                group.id, String(group.fingerprint.prefix(19)), era, "eVMCS \(group.evmcsSupported ? "yes" : "no")",
                group.hosts.joined(separator: ", "),
            ])
        }
        for line in groups.render() { style.print(line) }
        style.print("")
        style.print(style.bold("Migrations (from → to)"))
        var matrix = Table()
        matrix.add(["from \\ to"] + pools.groups.map(\.id))
        for source in pools.groups {
            var cells = [source.id]
            var plain = [source.id]
            for target in pools.groups {
                let edge = pools.migrations.first { $0.from == source.id && $0.to == target.id }
                let text = edge.map { $0.compatible ? "ok (\($0.level.rawValue))" : "no (\($0.reasons.count))" } ?? "?"
                cells.append(edge?.compatible == true ? style.green(text) : style.red(text))
                plain.append(text)
            }
            matrix.add(cells, plain: plain)
        }
        for line in matrix.render() { style.print(line) }
        let failing = pools.migrations.filter { !$0.compatible }
        if !failing.isEmpty {
            style.print("")
            style.print(style.bold("Why not"))
            for edge in failing {
                let first = edge.reasons.prefix(3).map { $0.label ?? $0.field ?? $0.code.rawValue }.joined(
                    separator: ", "
                )
                style.print(
                    "  \(edge.from) → \(edge.to): \(edge.reasons.count) reason\(edge.reasons.count == 1 ? "" : "s"): \(first)\(edge.reasons.count > 3 ? ", …" : "")"
                )
            }
        }
    }
}
