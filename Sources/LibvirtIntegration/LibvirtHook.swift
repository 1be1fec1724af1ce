import ArgumentParser
import Dispatch
import EVMCSClient
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// libvirt's QEMU hook (`/etc/libvirt/hooks/qemu` or a `qemu.d/` entry): on `migrate begin`,
/// on the destination, it checks the incoming VM against this host through the local evmcsd
/// before QEMU starts; every other operation passes at once (Docs/integration.md).
///
/// The arguments are those of `evmcsctl libvirt-hook` and of the fast-starting
/// `evmcsd-libvirt-hook` alike:
///
/// ```
/// evmcsd-libvirt-hook [--socket S] [--on-error allow|refuse] [--timeout SECONDS] -- DOMAIN OPERATION SUBOPERATION EXTRA
/// ```
public struct LibvirtHookArguments: ParsableArguments {
    @Argument(help: "The domain name.") public var domain: String
    @Argument(help: "prepare, start, started, stopped, release, migrate, restore, reconnect, attach.")
    public var operation: String
    @Argument(help: "begin, end or -.") public var suboperation: String
    @Argument(help: "Extra argument (- when none).") public var extra: String = "-"

    @Option(name: .long, help: "evmcsd's socket (default: $EVMCSD_SOCKET, else the system or user socket).")
    public var socket: String?

    @Option(name: .customLong("on-error"), help: "allow or refuse when the check cannot be made.")
    public var onError: LibvirtHookPolicy = .allow

    @Option(name: .long, help: "Seconds the whole check may take, reading the XML included; then --on-error applies.")
    public var timeout: Double = 5

    public init() {}

    /// Runs the hook and ends the process: 0 allows, 1 refuses (one line per reason on
    /// standard error), 2 refuses by `--on-error refuse`.
    public func run() async -> Never {
        guard operation == "migrate" && suboperation == "begin" else { Glibc.exit(0) }
        let (policy, domain, limit) = (onError, domain, timeout)
        DispatchQueue.global().asyncAfter(deadline: .now() + limit) {
            policy.apply(domain: domain, problem: "no answer within \(limit) s")
        }
        let requirements: VMRequirements
        do {
            let parsed = try LibvirtDomainXML(xml: Self.readStandardInput(), source: "domain XML")
            requirements = try LibvirtRequirements.build(parsed, profile: nil, source: "domain XML").requirements
        } catch {
            policy.apply(domain: domain, problem: error.message)
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
        guard !verdict.compatible else { Glibc.exit(0) }
        for reason in verdict.reasons {
            LibvirtHookPolicy.printError(
                "evmcsd: \(domain): \(reason.code.rawValue) \(reason.label ?? reason.field ?? ""): \(reason.message)"
            )
        }
        Glibc.exit(1)
    }

    /// Standard input to its end (the domain XML, a few KiB; at most 16 MiB).
    static func readStandardInput() throws(LibvirtError) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(0, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw LibvirtError(.unreadable, "standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
            guard data.count <= 16 << 20 else {
                throw LibvirtError(.unreadable, "standard input: more than 16 MiB; not a domain XML")
            }
        }
    }
}

/// What the hook does when it cannot check.
public enum LibvirtHookPolicy: String, ExpressibleByArgument, CaseIterable, Sendable {
    case allow, refuse

    /// Ends the process: 0 with a warning (standard error and syslog), or 2 with the problem.
    public func apply(domain: String, problem: String) -> Never {
        switch self {
        case .allow:
            let message = "evmcsd: \(domain): migration allowed without a check: \(problem)"
            Self.printError(message)
            openlog("evmcsd-libvirt-hook", LOG_PID, LOG_DAEMON)
            message.withCString { text in withVaList([text]) { vsyslog(LOG_WARNING, "%s", $0) } }
            Glibc.exit(0)
        case .refuse:
            Self.printError("evmcsd: \(domain): migration refused: \(problem)")
            Glibc.exit(2)
        }
    }

    /// Writes one line to standard error.
    public static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

extension Error {
    fileprivate var message: String {
        switch self {
        case let error as LibvirtError: error.message
        case let error as EVMCSClientError: error.message
        default: "\(self)"
        }
    }
}
