import Foundation
import Testing
import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// `evmcsctl requirements --qmp` against a real qemu-system-x86_64.
@Suite(.enabled(if: TestMachine.hasExecutable(QEMUProcess.binary), "qemu-system-x86_64 is not installed (make deps installs qemu-system-x86)"), .onBlockingThreads)
struct QMPRequirementsTests {
    static let cpu = "Skylake-Server-v4,+vmx,hv-vapic,hv-evmcs,-vmx-posted-intr,vmx-pml=off"
    static let uuid = "6f1c2b1e-8f0a-4a53-9d55-3b1f6b0c9a11"

    static func report(_ path: String, _ extra: [String] = []) throws -> [String: Any] {
        let run = try Program.run("evmcsctl", ["requirements", "--qmp", path, "--format", "report"] + extra)
        #expect(run.status == 0, "\(run.error)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
    }

    /// Under TCG QEMU filters the VMX features it cannot emulate; whatever they are, what
    /// evmcsctl reads equals what the same QEMU reports through QOM, and equals the model
    /// expansion minus the model's unavailable features.
    @Test func readsWhatTheSameQEMUReportsAboutItself() throws {
        let qemu = try QEMUProcess(accelerator: "tcg", cpu: Self.cpu, extra: ["-name", "e2e-vm", "-uuid", Self.uuid])
        let report = try Self.report(qemu.qmpPath)
        let read = try #require(report["qmp"] as? [String: Any])
        let properties = try #require(read["properties"] as? [String: Bool])
        let requirements = try #require(report["requirements"] as? [String: Any])
        #expect(read["model"] as? String == "Skylake-Server-v4")
        #expect(requirements["name"] as? String == "e2e-vm" && requirements["uuid"] as? String == Self.uuid)

        let qmp = try qemu.qmp()
        let cpus = try #require(try qmp.execute("query-cpus-fast") as? [[String: Any]])
        let path = try #require(cpus.first?["qom-path"] as? String)
        #expect(read["vcpus"] as? [String] == cpus.compactMap { $0["qom-path"] as? String })
        let listed = try #require(try qmp.execute("qom-list", ["path": path]) as? [[String: Any]])
        let booleans = Set(
            listed.filter { $0["type"] as? String == "bool" }.compactMap { $0["name"] as? String }
                .filter { $0 == "vmx" || $0.hasPrefix("vmx-") || $0.hasPrefix("hv-") || ["xsaves", "rdrand", "invpcid", "mpx", "rdseed", "rdtscp"].contains($0) }
        )
        #expect(Set(properties.keys) == booleans)
        for name in booleans.sorted() {
            #expect(try qmp.execute("qom-get", ["path": path, "property": name]) as? Bool == properties[name], "\(name)")
        }
        let expansion = try #require(
            try qmp.execute("query-cpu-model-expansion", ["type": "full", "model": ["name": "Skylake-Server-v4"]])
                as? [String: Any]
        )
        let expanded = try #require((expansion["model"] as? [String: Any])?["props"] as? [String: Any])
        let definitions = try #require(try qmp.execute("query-cpu-definitions") as? [[String: Any]])
        let unavailable = Set(
            definitions.first { $0["name"] as? String == "Skylake-Server-v4" }?["unavailable-features"] as? [String] ?? []
        )
        for name in booleans where name == "vmx" || name.hasPrefix("vmx-") {
            let expected = (expanded[name] as? Bool ?? false) && !unavailable.contains(name)
            #expect(properties[name] == expected, "\(name): expansion \(expanded[name] ?? "-"), unavailable \(unavailable.contains(name))")
        }
        #expect(properties["hv-evmcs"] == true && properties["vmx-posted-intr"] == false)
        let evmcs = try #require(requirements["evmcs"] as? [String: Any])
        #expect(evmcs["enabled"] as? Bool == true && evmcs["perfGlobalCtrl"] as? Bool == false)
        let vmx = try #require(requirements["vmx"] as? [String: String])
        #expect(vmx.isEmpty == (properties["vmx"] == false))
        print("TCG vCPU \(read["type"] ?? ""): vmx=\(properties["vmx"] ?? false), \(properties.filter { $0.key.hasPrefix("vmx-") && $0.value }.count) vmx-* on; QEMU said: \(qemu.standardError.split(separator: "\n").first ?? "")")
    }

    /// Every named model both know: the VMX features QEMUCPURequirements gives `MODEL,+vmx`
    /// are the ones this QEMU's `query-cpu-model-expansion` (vmx on) reports, for the
    /// properties this QEMU has.
    @Test func modelTablesAgreeWithTheRealQEMU() throws {
        let qemu = try QEMUProcess(accelerator: "tcg", cpu: "qemu64")
        let qmp = try qemu.qmp()
        let definitions = try #require(try qmp.execute("query-cpu-definitions") as? [[String: Any]])
        let names = Set(definitions.compactMap { $0["name"] as? String })
        var compared = 0
        for model in QEMUCPUModel.table where !model.vmx.isEmpty && names.contains(model.name) {
            let expansion = try #require(
                try qmp.execute(
                    "query-cpu-model-expansion",
                    ["type": "full", "model": ["name": model.name, "props": ["vmx": true]]]
                ) as? [String: Any]
            )
            let props = try #require((expansion["model"] as? [String: Any])?["props"] as? [String: Any])
            let built = try QEMUCPURequirements(qemuCPU: "\(model.name),+vmx", on: nil)
            // Without a host profile BASIC and MISC are left out: compare the MSRs built. A
            // feature is one the VM may set or clear: `yes`, or `default` for a default1 control
            // QEMU lists (a default1 control it does not list stays forced to 1).
            let decoded = VMXDecoder.decode(built.requirements.vmx).features.filter { built.requirements.vmx[MSRIndex(hex: $0.msr)!] != nil }
            let known = Set(props.keys.filter { $0.hasPrefix("vmx-") })
            let inBuiltMSRs = Set(decoded.compactMap(\.qemuProperty))
            let fromQEMU = Set(known.filter { props[$0] as? Bool == true && inBuiltMSRs.contains($0) })
            let ours = Set(
                decoded.filter { $0.state == .yes || $0.state == .default }.compactMap(\.qemuProperty).filter(known.contains)
            )
            #expect(ours == fromQEMU, "\(model.name): only ours \(ours.subtracting(fromQEMU).sorted()), only QEMU's \(fromQEMU.subtracting(ours).sorted())")
            compared += 1
        }
        #expect(compared >= 19)
        print("model tables: \(compared) models compared with qemu-system-x86_64's own expansion")
    }

    @Test func absentBusyAndNonQMPSocketsAreClearErrors() throws {
        let absent = try Program.run("evmcsctl", ["requirements", "--qmp", "/tmp/evmcsd-no-such.qmp"])
        #expect(absent.status == 3 && absent.error.contains("no such socket"))

        let qemu = try QEMUProcess(accelerator: "tcg", cpu: "qemu64")
        let holder = try qemu.qmp()
        let started = Date()
        let busy = try Program.run("evmcsctl", ["requirements", "--qmp", qemu.qmpPath, "--timeout", "1"])
        #expect(busy.status == 3 && busy.error.contains("busy"), "\(busy.error)")
        #expect(Date().timeIntervalSince(started) < 5)
        _ = holder

        let other = try SocatListener(path: qemu.directory.appendingPathComponent("other.sock").path, peer: "SYSTEM:echo hello; sleep 2")
        let notQMP = try Program.run("evmcsctl", ["requirements", "--qmp", other.path, "--timeout", "3"])
        #expect(notQMP.status == 3 && notQMP.error.contains("not QMP"), "\(notQMP.error)")
    }

    /// A scripted QMP server that sends an event before every reply: the client skips the
    /// events, and the properties it reads (and only those) override the model's.
    @Test func skipsEventsAndAppliesWhatItReads() throws {
        let directory = URL(fileURLWithPath: "/tmp/evmcsd-fakeqmp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            printf '%s\\n' '{"QMP":{"version":{"qemu":{"major":9,"minor":2,"micro":0}},"capabilities":["oob"]}}'
            while read -r line; do
              printf '%s\\n' '{"event":"RESUME","data":{},"timestamp":{"seconds":1,"microseconds":2}}'
              case "$line" in
                *query-cpus-fast*) r='[{"qom-path":"/machine/unattached/device[0]","cpu-index":0}]' ;;
                *qom-list*) r='[{"name":"type","type":"string"},{"name":"vmx","type":"bool"},{"name":"vmx-posted-intr","type":"bool"},{"name":"hv-vapic","type":"bool"},{"name":"hv-evmcs","type":"bool"}]' ;;
                *'"property":"type"'*) r='"Skylake-Server-v4-x86_64-cpu"' ;;
                *'"property":"vmx-posted-intr"'*) r='false' ;;
                *'"property":'*) r='true' ;;
                *query-name*) r='{"name":"scripted"}' ;;
                *query-uuid*) r='{"UUID":"00000000-0000-0000-0000-000000000000"}' ;;
                *) r='{}' ;;
              esac
              printf '{"return":%s}\\n' "$r"
            done
            """
        let scriptPath = directory.appendingPathComponent("qmp.sh").path
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let server = try SocatListener(path: directory.appendingPathComponent("qmp.sock").path, peer: "EXEC:/bin/sh \(scriptPath)")
        let report = try Self.report(server.path, ["--profile", "Docs/examples/skylake-6.8.json"])
        let read = try #require(report["qmp"] as? [String: Any])
        #expect(read["properties"] as? [String: Bool] == ["vmx": true, "vmx-posted-intr": false, "hv-vapic": true, "hv-evmcs": true])
        #expect(read["qemuVersion"] as? String == "9.2.0" && read["uuid"] == nil)
        let requirements = try #require(report["requirements"] as? [String: Any])
        #expect(requirements["name"] as? String == "scripted")
        let vmx = try #require(requirements["vmx"] as? [String: String])
        #expect(vmx["0x48d"] == "0x0000007f00000016")  // the model's pin-based controls, posted interrupts off
        #expect((requirements["evmcs"] as? [String: Any])?["enabled"] as? Bool == true)
    }

    /// With KVM: this host's /dev/kvm, whatever it offers (an AMD host has no VMX: then the
    /// vCPU has vmx off and the requirements no VMX MSRs). The test prints what it saw.
    @Test(.enabled(if: TestMachine.hasKVM, "/dev/kvm is absent or not writable"))
    func readsAKVMGuest() throws {
        // The richest -cpu first; QEMU gives up where KVM refuses a feature (no eVMCS on AMD;
        // this AMD PVM host also refuses IA32_ARCH_CAPABILITIES), so say so and try the next.
        var started: QEMUProcess?
        for cpu in ["max,hv-vapic,hv-evmcs", "max", "max,-arch-capabilities"] where started == nil {
            do {
                started = try QEMUProcess(accelerator: "kvm", cpu: cpu)
                print("KVM: QEMU runs -cpu \(cpu)")
            } catch {
                print("KVM: QEMU cannot run -cpu \(cpu) here: \(error)")
            }
        }
        let qemu = try #require(started, "QEMU ran none of the -cpu values under KVM")
        let scratch = qemu.directory.appendingPathComponent("host.json").path
        let probe = try Program.run("evmcsctl", ["probe", "--json"])
        #expect(probe.status == 0)
        try probe.output.write(toFile: scratch, atomically: true, encoding: .utf8)
        let report = try Self.report(qemu.qmpPath, ["--profile", scratch])
        let read = try #require(report["qmp"] as? [String: Any])
        let properties = try #require(read["properties"] as? [String: Bool])
        let qmp = try qemu.qmp()
        let path = try #require((try qmp.execute("query-cpus-fast") as? [[String: Any]])?.first?["qom-path"] as? String)
        for name in ["vmx", "hv-evmcs", "vmx-posted-intr", "vmx-ept"] {
            #expect(try qmp.execute("qom-get", ["path": path, "property": name]) as? Bool == properties[name], "\(name)")
        }
        let vmx = try #require((report["requirements"] as? [String: Any])?["vmx"] as? [String: String])
        #expect(vmx.isEmpty == (properties["vmx"] != true))
        print("KVM vCPU \(read["type"] ?? ""): vmx=\(properties["vmx"] ?? false), hv-evmcs=\(properties["hv-evmcs"] ?? false), \(vmx.count) VMX MSRs in the requirements; warnings: \((report["warnings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })")
    }
}
