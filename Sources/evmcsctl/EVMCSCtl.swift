import ArgumentParser
import Dispatch
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// The entry point. The plain `status`, `profile`, `check` and `--version` lines that monitoring
/// and hooks run (``QuickCommandLine``) run here, synchronously, before anything of Swift
/// concurrency starts: an `async` main would start libdispatch's threads and hand the work to
/// one of them, which costs more than the call on a busy machine. Every other line goes to
/// ArgumentParser on the main actor, as the compiler's `async` main would run it: one task on
/// the main queue, then `dispatchMain()`, which does not return (``EVMCSCtl/main()`` ends the
/// process).
@main
enum EVMCSCtlMain {
    static func main() {
        do {
            if try QuickCommandLine.run(Array(CommandLine.arguments.dropFirst())) { return }
        } catch {
            EVMCSCtl.exit(reporting: error)
        }
        Task { @MainActor in
            await EVMCSCtl.main()
            Glibc.exit(CommandFailure.Code.ok.rawValue)
        }
        dispatchMain()
    }
}

/// `evmcsctl`: decode host profiles and MSR dumps, and compute compatibility verdicts,
/// baselines and pools — offline from documents, or through the local evmcsd.
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

    /// Parses and runs the command line with evmcsctl's exit statuses (ArgumentParser alone
    /// would use 64 for usage errors).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(reporting: error)
        }
    }

    /// Ends the process for `error` as every command does: its exit status, its message on
    /// standard error (ArgumentParser's own for usage errors, `--help` and `--version`).
    static func exit(reporting error: any Error) -> Never {
        switch error {
        case let exit as ExitCode:
            Glibc.exit(exit.rawValue)
        case let failure as CommandFailure:
            TerminalStyle.standardError.print(failure.message)
            Glibc.exit(failure.code.rawValue)
        default:
            if exitCode(for: error) == .success {
                self.exit(withError: error)
            }
            TerminalStyle.standardError.print(fullMessage(for: error))
            Glibc.exit(CommandFailure.Code.usageOrDocumentError.rawValue)
        }
    }
}

/// An error that ends the command with a message and a specific exit status (documented in
/// `--help` and Docs/operations.md).
struct CommandFailure: Error, Sendable, CustomStringConvertible {
    /// The exit status the failure ends the process with.
    struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        var rawValue: Int32
        init(rawValue: Int32) { self.rawValue = rawValue }
        var description: String { String(rawValue) }

        /// 0: done, or compatible (also for a report that has nothing to show).
        static let ok = Code(rawValue: 0)
        /// 1: the verdict is incompatible.
        static let incompatible = Code(rawValue: 1)
        /// 2: a usage or document error.
        static let usageOrDocumentError = Code(rawValue: 2)
        /// 3: evmcsd (or QEMU's QMP) unreachable, or the caller not authorized.
        static let daemonUnavailable = Code(rawValue: 3)
    }

    let code: Code
    let message: String
    let cause: (any Error & Sendable)?

    init(_ message: String, code: Code = .usageOrDocumentError, cause: (any Error & Sendable)? = nil) {
        self.message = message
        self.code = code
        self.cause = cause
    }

    var description: String { message }
}
