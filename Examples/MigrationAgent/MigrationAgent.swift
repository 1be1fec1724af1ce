// A migration agent's pre-flight check with EVMCSClient (Docs/client.md walks through it).
//
//   migration-agent-example SOURCE-PROFILE.json [--socket PATH]
//
// Asks the evmcsd on this (target) host whether a Windows VM using eVMCS, started on the
// source host with that host's defaults, can be restored here; prints go / no-go with the
// reasons, and exits 0 (go), 1 (no-go) or 2 (could not decide).

import EVMCSClient
import Foundation

@main
struct MigrationAgent {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let sourcePath = arguments.first else {
            print("usage: migration-agent-example SOURCE-PROFILE.json [--socket PATH]")
            exit(2)
        }
        let socket = arguments.firstIndex(of: "--socket").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        exit(await preflight(sourcePath: sourcePath, socket: socket ?? EVMCSClient.defaultSocketPath))
    }

    static func preflight(sourcePath: String, socket: String) async -> Int32 {
        let source: HostProfile
        let evmcsd: EVMCSClient
        do {
            // The source host's profile, e.g. fetched from the source's evmcsd with `host.profile`.
            source = try DocumentLoader.hostProfile(from: Data(contentsOf: URL(fileURLWithPath: sourcePath)))
            evmcsd = try await EVMCSClient.connect(socketPath: socket)
        } catch {
            print("cannot decide: \(error)")
            return 2
        }
        do {
            // What the VM carries: eVMCS on (QEMU hv-evmcs), Hyper-V CPUID 0x4000000A.EBX[0]
            // clear (QEMU's setting), nested state (a running L2) must move too.
            let verdict = try await evmcsd.check(
                .startedOn(source, evmcs: true, perfGlobalCtrl: false, nestedState: true, target: nil)
            )
            await evmcsd.close()
            guard !verdict.compatible else {
                print("GO: \(verdict.level.rawValue)")
                return 0
            }
            print("NO-GO (\(verdict.level.rawValue)):")
            for reason in verdict.reasons {
                print("  \(reason.code.rawValue) \(reason.label ?? reason.field ?? ""): \(reason.message)")
            }
            return 1
        } catch {
            await evmcsd.close()
            print("cannot decide: \(error.message)")
            return 2
        }
    }
}
