import ArgumentParser
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// `evmcsctl`: decode host profiles and MSR dumps, and compute compatibility verdicts,
/// baselines and pools — offline from documents, or through the local evmcsd.
@main
struct EVMCSCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evmcsctl",
        abstract: "Inspect KVM nested/eVMCS capabilities and check VM compatibility.",
        discussion: """
            Exit status: 0 ok or compatible, 1 incompatible, 2 usage or document error,
            3 daemon unreachable or not authorized.
            """,
        version: EVMCSVersion.current,
        subcommands: [
            StatusCommand.self, ProfileCommand.self, FeaturesCommand.self, CheckCommand.self, BaselineCommand.self,
            PoolsCommand.self, HistoryCommand.self, WatchCommand.self, RefreshCommand.self, ReloadCommand.self,
            RequirementsCommand.self, LibvirtHookCommand.self,
            ProbeCommand.self, DecodeCommand.self, CatalogCommand.self,
        ]
    )

    /// Runs the command line with evmcsctl's exit statuses (ArgumentParser alone would use 64
    /// for usage errors).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch let failure as CommandFailure {
            TerminalStyle.standardError.print(failure.message)
            Glibc.exit(failure.status.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                self.exit(withError: error)
            }
            TerminalStyle.standardError.print(fullMessage(for: error))
            Glibc.exit(ExitStatus.usageOrDocumentError.rawValue)
        }
    }
}

/// evmcsctl's exit statuses (documented in `--help` and Docs/operations.md).
enum ExitStatus: Int32 {
    case ok = 0
    case incompatible = 1
    case usageOrDocumentError = 2
    case daemonUnavailable = 3
}

/// An error that ends the command with a message and a specific exit status.
struct CommandFailure: Error {
    var message: String
    var status: ExitStatus

    init(_ message: String, status: ExitStatus = .usageOrDocumentError) {
        self.message = message
        self.status = status
    }
}
