import ArgumentParser
import EVMCSClient
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `evmcsctl libvirt-hook`: libvirt's QEMU hook (`/etc/libvirt/hooks/qemu` or a `qemu.d/`
/// entry, see contrib/libvirt-hook). On `migrate begin` on the destination it checks the
/// incoming VM against this host through the local evmcsd before QEMU starts; every other
/// operation passes at once.
struct LibvirtHookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "libvirt-hook",
        abstract: "libvirt QEMU hook: refuse an incoming migration this host cannot run.",
        discussion: """
            Called as libvirtd calls hooks: evmcsctl libvirt-hook [options] -- DOMAIN OPERATION SUBOPERATION EXTRA,
            with the domain XML on standard input. On "migrate begin" the requirements come from
            evmcsd's <metadata> element, else from the CPU definition, and the local evmcsd
            answers compat.check. Exit 0 allows; 1 refuses, one line per reason on standard
            error (libvirt puts them in the migration error); 2 refuses by --on-error.
            --on-error (XML not understood, daemon unreachable, time up): allow (default; a
            warning goes to syslog and standard error) or refuse.
            """
    )

    @Argument(help: "The domain name.") var domain: String
    @Argument(help: "prepare, start, started, stopped, release, migrate, restore, reconnect, attach.")
    var operation: String
    @Argument(help: "begin, end or -.") var suboperation: String
    @Argument(help: "Extra argument (- when none).") var extra: String = "-"

    @Option(name: .long, help: "evmcsd's socket (default as for every command).")
    var socket: String?

    @Option(name: .customLong("on-error"), help: "allow or refuse when the check cannot be made.")
    var onError: HookPolicy = .allow

    @Option(name: .long, help: "Seconds the whole check may take; then --on-error applies.")
    var timeout: Double = 5

    func run() async throws {
        guard operation == "migrate" && suboperation == "begin" else { return }
        let policy = onError
        let domainName = domain
        let limit = timeout
        DispatchQueue.global().asyncAfter(deadline: .now() + limit) {
            policy.apply(domain: domainName, problem: "no answer within \(limit) s")
        }
        let requirements: VMRequirements
        do {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            let parsed = try LibvirtDomainXML(data: data, source: "domain XML")
            requirements = try LibvirtRequirements.build(parsed, profile: nil, source: "domain XML").1
        } catch let failure as CommandFailure {
            policy.apply(domain: domain, problem: failure.message)
        }
        let client: EVMCSClient
        do {
            client = try await EVMCSClient.connect(
                socketPath: socket ?? EVMCSClient.defaultSocketPath,
                timeout: .milliseconds(Int(limit * 1000))
            )
        } catch {
            policy.apply(domain: domain, problem: "evmcsd: \(error.message)")
        }
        let verdict: Verdict
        do {
            verdict = try await client.check(.requirements(requirements, target: nil))
        } catch {
            await client.close()
            policy.apply(domain: domain, problem: "evmcsd: \(error.message)")
        }
        await client.close()
        guard verdict.compatible else {
            for reason in verdict.reasons {
                TerminalStyle.standardError.print(
                    "evmcsd: \(domain): \(reason.code.rawValue) \(reason.label ?? reason.field ?? ""): \(reason.message)"
                )
            }
            throw ExitCode(ExitStatus.incompatible.rawValue)
        }
    }
}

/// What the hook does when it cannot check.
enum HookPolicy: String, ExpressibleByArgument, CaseIterable, Sendable {
    case allow, refuse

    /// Ends the process: 0 with a warning (standard error and syslog), or 2 with the problem.
    func apply(domain: String, problem: String) -> Never {
        switch self {
        case .allow:
            let message = "evmcsd: \(domain): migration allowed without a check: \(problem)"
            TerminalStyle.standardError.print(message)
            openlog("evmcsctl-libvirt-hook", LOG_PID, LOG_DAEMON)
            withVaList([]) { vsyslog(LOG_WARNING, message.replacingOccurrences(of: "%", with: "%%"), $0) }
            exit(0)
        case .refuse:
            TerminalStyle.standardError.print("evmcsd: \(domain): migration refused: \(problem)")
            exit(ExitStatus.usageOrDocumentError.rawValue)
        }
    }
}
