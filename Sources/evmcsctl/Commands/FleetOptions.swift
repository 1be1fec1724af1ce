import ArgumentParser
import EVMCSClient

/// The hosts of `baseline` and `pools`: profile files, and with `--local` this host as the
/// local evmcsd measures it (the daemon then computes the result).
struct FleetOptions: ParsableArguments {
    @Argument(help: "Host profiles or raw MSR dumps.")
    var profiles: [String] = []

    @Flag(name: .long, help: "Include this host, as the local evmcsd measures it (the daemon computes the result).")
    var local = false

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if profiles.isEmpty && !local { throw ValidationError("give at least one host profile, or --local") }
    }

    /// Reads the profiles, then asks the daemon for `method` with them (`--local`), or computes
    /// the result here with `compute` (its failure reported as `<command>: <why>`).
    func result<Result>(
        of command: String,
        by method: MethodDescriptor<FleetRequest, Result>,
        evmcs: Bool?,
        perfGlobalCtrl: Bool,
        nestedState: Bool?,
        computedHere compute: ([HostProfile]) throws(FleetError) -> Result
    ) throws -> Result {
        let hosts = try profiles.map(DocumentFiles.hostProfile)
        guard local else {
            do {
                return try compute(hosts)
            } catch {
                throw CommandFailure("\(command): \(error.message)")
            }
        }
        let request = FleetRequest(
            profiles: hosts,
            includeLocal: true,
            evmcs: evmcs,
            perfGlobalCtrl: perfGlobalCtrl,
            nestedState: nestedState
        )
        return try connection.daemon.withClient { try $0.call(method, params: request) }
    }
}
