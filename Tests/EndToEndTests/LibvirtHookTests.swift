import Foundation
import Testing

/// `evmcsctl libvirt-hook` run exactly as libvirtd runs a QEMU hook (argv DOMAIN OPERATION
/// SUBOPERATION EXTRA, the domain XML on standard input) against the real daemon serving the
/// recorded Skylake / Linux 6.8 profile.
@Suite(.enabled(if: Virsh.available, "virsh is not installed (make deps installs libvirt-clients and libvirt-daemon)"), .onBlockingThreads)
struct LibvirtHookTests {
    /// A document on one line, for the line-framed protocol.
    static func compact(_ document: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(document.utf8))
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static func hook(_ socket: String, _ argv: [String], xml: String, options: [String] = []) throws -> Program.Result {
        try Program.run("evmcsctl", ["libvirt-hook", "--socket", socket] + options + ["--"] + argv, input: Data(xml.utf8))
    }

    /// The installable entry, contrib/libvirt-hook/evmcsd, run with libvirtd's argv alone; it
    /// starts the evmcsd-libvirt-hook binary of this build.
    static func installedHook(_ socket: String, _ argv: [String], xml: String) throws -> Program.Result {
        try Program.run(
            DaemonProcess.repositoryRoot.appendingPathComponent("contrib/libvirt-hook/evmcsd").path,
            argv,
            environment: [
                "EVMCSD_SOCKET": socket,
                "EVMCSD_LIBVIRT_HOOK": DaemonProcess.productsDirectory.appendingPathComponent("evmcsd-libvirt-hook").path,
            ],
            input: Data(xml.utf8)
        )
    }

    /// The XML of a VM started on the Debian 11 host with eVMCS, its requirements put in
    /// <metadata> by virsh.
    static func debian11VM() throws -> (xml: String, document: String) {
        let make = ["requirements", "--qemu-cpu", "host,hv-vapic,hv-evmcs", "--profile", "Docs/examples/skylake-5.10.46.json"]
        let document = try Program.run("evmcsctl", make).output
        let element = try Program.run("evmcsctl", make + ["--format", "libvirt-metadata"]).output
        let xml = try Virsh.dumpXML(
            Virsh.domain("win2022-vbs", cpu: "<cpu mode='host-passthrough' check='none'/>", hyperv: LibvirtRequirementsTests.hyperv),
            name: "win2022-vbs",
            metadata: element.trimmingCharacters(in: .whitespacesAndNewlines)
        )
        return (xml, document)
    }

    static let compatibleCPU = """
        <cpu mode='custom' match='exact' check='partial'>
          <model fallback='forbid'>Skylake-Server-v4</model>
          <feature policy='require' name='vmx'/>
          <feature policy='disable' name='vmx-exit-load-perf-global-ctrl'/>
          <feature policy='disable' name='vmx-entry-load-perf-global-ctrl'/>
        </cpu>
        """

    @Test func refusesAMigrationThisHostCannotRunWithOneLinePerReason() throws {
        let daemon = try DaemonProcess()
        let (xml, document) = try Self.debian11VM()
        let run = try Self.hook(daemon.socketPath, ["win2022-vbs", "migrate", "begin", "-"], xml: xml)
        #expect(run.status == 1 && run.output.isEmpty)
        let installed = try Self.installedHook(daemon.socketPath, ["win2022-vbs", "migrate", "begin", "-"], xml: xml)
        #expect(installed.status == 1 && installed.output.isEmpty && installed.error == run.error)
        let verdict = try daemon.client().call("compat.check", params: "{\"vm\":\(try Self.compact(document))}")
        let reasons = try #require((verdict["result"] as? [String: Any])?["reasons"] as? [[String: Any]])
        let lines = run.error.split(separator: "\n")
        #expect(!reasons.isEmpty && lines.count == reasons.count, "\(run.error)")
        for (line, reason) in zip(lines, reasons) {
            #expect(line.hasPrefix("evmcsd: win2022-vbs: \(reason["code"] as? String ?? "?")"))
        }
    }

    @Test func allowsACompatibleMigrationAndEveryOtherOperation() throws {
        let daemon = try DaemonProcess()
        let xml = try Virsh.dumpXML(Virsh.domain("linux-nested", cpu: Self.compatibleCPU), name: "linux-nested")
        let allowed = try Self.hook(daemon.socketPath, ["linux-nested", "migrate", "begin", "-"], xml: xml)
        #expect(allowed.status == 0 && allowed.error.isEmpty && allowed.output.isEmpty, "\(allowed.error)")
        let installed = try Self.installedHook(daemon.socketPath, ["linux-nested", "migrate", "begin", "-"], xml: xml)
        #expect(installed.status == 0 && installed.error.isEmpty && installed.output.isEmpty, "\(installed.error)")
        let odd = try Program.run("evmcsd-libvirt-hook", ["a", "b", "c", "d", "e"])
        #expect(odd.status == 0 && odd.error.contains("arguments not understood, allowed"), "\(odd.error)")
        let (refused, _) = try Self.debian11VM()
        // Other operations pass at once, without asking anyone: even a refusing policy and an
        // absent daemon do not matter.
        for argv in [
            ["prepare", "begin", "-"], ["start", "begin", "-"], ["started", "begin", "-"], ["stopped", "end", "-"],
            ["release", "end", "-"], ["restore", "begin", "-"], ["reconnect", "begin", "-"], ["attach", "begin", "-"],
        ] {
            let run = try Self.hook("/tmp/evmcsd-absent.sock", ["win2022-vbs"] + argv, xml: refused, options: ["--on-error", "refuse"])
            #expect(run.status == 0 && run.error.isEmpty, "\(argv): \(run.error)")
        }
    }

    @Test func theConfiguredPolicyAppliesWhenTheCheckCannotBeMade() throws {
        let (xml, _) = try Self.debian11VM()
        let argv = ["win2022-vbs", "migrate", "begin", "-"]
        let allow = try Self.hook("/tmp/evmcsd-absent.sock", argv, xml: xml)
        #expect(allow.status == 0 && allow.error.contains("migration allowed without a check"))
        let refuse = try Self.hook("/tmp/evmcsd-absent.sock", argv, xml: xml, options: ["--on-error", "refuse"])
        #expect(refuse.status == 2 && refuse.error.contains("migration refused"))
        // A socket that accepts and never answers: the hook still ends within its time.
        let silent = try SocatListener(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("silent-\(UUID().uuidString.prefix(8)).sock").path,
            listenOptions: ",fork",
            peer: "SYSTEM:sleep 30"
        )
        let started = Date()
        let hung = try Self.hook(silent.path, argv, xml: xml, options: ["--on-error", "refuse", "--timeout", "1"])
        #expect(hung.status == 2 && hung.error.contains("migration refused"), "\(hung.error)")
        #expect(Date().timeIntervalSince(started) < 4)

        let daemon = try DaemonProcess()
        let garbage = try Self.hook(daemon.socketPath, argv, xml: "<domain><cpu mode='sideways'/></domain>", options: ["--on-error", "refuse"])
        #expect(garbage.status == 2 && garbage.error.contains("unknown <cpu mode='sideways'>"))
    }

    /// The documents built from QEMU's -cpu and from libvirt XML load in compat.check and get
    /// the verdict the same VM described by hand gets.
    @Test func producedDocumentsGetTheHandDescribedVerdicts() throws {
        let daemon = try DaemonProcess()
        let client = try daemon.client()
        let source = try Self.compact(
            String(contentsOf: DaemonProcess.repositoryRoot.appendingPathComponent("Docs/examples/skylake-5.10.46.json"), encoding: .utf8)
        )
        func reasons(_ params: String) throws -> [String] {
            let answer = try client.call("compat.check", params: params)
            let result = try #require(answer["result"] as? [String: Any], "\(answer)")
            return (result["reasons"] as? [[String: Any]] ?? []).map { "\($0["code"] ?? "") \($0["label"] ?? $0["field"] ?? "")" }
        }
        let byHand = try reasons("{\"from\":\(source),\"evmcs\":true,\"nestedState\":true}")
        #expect(!byHand.isEmpty)
        let (_, document) = try Self.debian11VM()
        #expect(try reasons("{\"vm\":\(Self.compact(document))}") == byHand)
        #expect(try reasons("{\"qemuCPU\":\"host,hv-vapic,hv-evmcs\",\"from\":\(source)}") == byHand)

        let xml = try Virsh.dumpXML(Virsh.domain("linux-nested", cpu: Self.compatibleCPU), name: "linux-nested")
        let fromXML = try Program.run("evmcsctl", ["requirements", "--libvirt-xml", "-"], input: Data(xml.utf8)).output
        let handWritten = try Program.run(
            "evmcsctl",
            ["requirements", "--qemu-cpu", "Skylake-Server-v4,+vmx,-vmx-exit-load-perf-global-ctrl,-vmx-entry-load-perf-global-ctrl"]
        ).output
        #expect(try reasons("{\"vm\":\(Self.compact(fromXML))}") == reasons("{\"vm\":\(Self.compact(handWritten))}"))
    }
}
