import Foundation
import Testing
import VMXModel

/// `evmcsctl` offline subcommands, end to end: the real binary on the fixture documents.
@Suite("evmcsctl offline commands")
struct OfflineCommandTests {
    /// Debian 11.0's 5.10.46: 5.6-level, before the eVMCS backports.
    let old = "Docs/examples/skylake-5.10.46.json"
    /// Debian 11's 5.10.0-28 (5.10.209): 5.17-level by its backports.
    let debian11 = "Docs/examples/skylake-5.10.json"
    let new = "Docs/examples/skylake-6.8.json"

    func evmcsctl(_ arguments: String...) throws -> CommandRunner.Result {
        try CommandRunner.run("evmcsctl", arguments)
    }

    @Test(arguments: [
        "cloudhv-profile-skylake", "gcp-nested-kvm-l1-a", "vboxcpudb-i7-5600u", "vmware-fusion-intel-mac-l1-a",
        "vmxcaps-10110u", "vmxcaps-2320", "vmxcaps-4770", "vmxcaps-6500", "vmxcaps-9980xe",
    ])
    func decodesEveryFixtureDump(name: String) throws {
        let result = try evmcsctl("decode", "Tests/Fixtures/vmx-dumps/\(name).json")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("pin-based controls  MSR(48DH)"))
        #expect(result.standardOutput.contains("vmx-posted-intr"))
        #expect(!result.standardOutput.contains("\u{1B}["), "no colour when stdout is not a terminal")
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a terminal")
    )
    func colourOnATerminalUnlessNO_COLOR() throws {
        let binary = CommandRunner.productsDirectory.appendingPathComponent("evmcsctl").path
        let command = "\(binary) decode \(new) --evmcs"
        let terminal = try CommandRunner.run(
            "/usr/bin/script",
            ["-qec", command, "/dev/null"],
            environment: ["NO_COLOR": ""]
        )
        #expect(terminal.standardOutput.contains("\u{1B}[1m"), "bold headings on a terminal")
        let plain = try CommandRunner.run(
            "/usr/bin/script",
            ["-qec", command, "/dev/null"],
            environment: ["NO_COLOR": "1"]
        )
        #expect(plain.standardOutput.contains("eVMCS removes 11 features"))
        #expect(!plain.standardOutput.contains("\u{1B}["), "NO_COLOR wins over the terminal")
    }

    @Test func decodeShowsWhatEVMCSRemoves() throws {
        let result = try evmcsctl("decode", new, "--evmcs")
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("no (removed)"))
        #expect(
            result.standardOutput.contains(
                "eVMCS removes 11 features (kernel era 6.3 and later, PERF_GLOBAL_CTRL bit clear)"
            )
        )
        #expect(result.standardOutput.contains("MSR(48DH).vmx-posted-intr [bit 7]"))
    }

    @Test func decodeJSONIsTheDecodedView() throws {
        let result = try evmcsctl(
            "decode",
            "Tests/Fixtures/vmx-dumps/vmxcaps-6500.json",
            "--evmcs",
            "--kernel",
            "6.1.0-27-amd64",
            "--json"
        )
        #expect(result.status == 0)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        )
        let decoded = try #require(object["decoded"] as? [String: Any])
        #expect((decoded["features"] as? [Any])?.count == VMXCatalog.features.count)
        let evmcs = try #require(object["evmcs"] as? [String: Any])
        #expect(evmcs["era"] as? String == "6.1")
        #expect((evmcs["removed"] as? [String])?.contains("vmx-pml") == true)
    }

    @Test func decodeGuestViewFollowsTheKernelAndThePerfGlobalCtrlBit() throws {
        let dump = "Tests/Fixtures/vmx-dumps/vmxcaps-6500.json"
        func state(_ feature: String, _ arguments: String...) throws -> String? {
            let result = try CommandRunner.run("evmcsctl", ["decode", dump, "--view", "guest", "--json"] + arguments)
            #expect(result.status == 0, "\(result.standardError)")
            let report = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
            #expect(report?["view"] as? String == "guest")
            let features = (report?["decoded"] as? [String: Any])?["features"] as? [[String: Any]] ?? []
            return features.first { $0["name"] as? String == feature }?["state"] as? String
        }
        // 6.1+: PERF_GLOBAL_CTRL is hidden unless the guest's Hyper-V CPUID sets EBX[0].
        #expect(try state("vmx-exit-load-perf-global-ctrl", "--kernel", "6.8.0") == "no")
        #expect(try state("vmx-exit-load-perf-global-ctrl", "--kernel", "6.8.0", "--perf-global-ctrl") == "yes")
        // ≤ 6.0 it is hidden either way. 5.6–5.14 hide only APIC-access virtualisation of the
        // secondary controls; 5.15 brings back the full list (PML among it).
        #expect(try state("vmx-exit-load-perf-global-ctrl", "--kernel", "5.10.0", "--perf-global-ctrl") == "no")
        #expect(try state("vmx-apicv-xapic", "--kernel", "5.10.0") == "no")
        #expect(try state("vmx-pml", "--kernel", "5.10.0") == "yes")
        #expect(try state("vmx-pml", "--kernel", "5.15.0") == "no")
        let withoutKernel = try CommandRunner.run("evmcsctl", ["decode", dump, "--view", "guest"])
        #expect(withoutKernel.status == 2)
        #expect(withoutKernel.standardError.contains("give --kernel RELEASE"))
    }

    @Test func decodeOfAMissingViewExitsWithTwo() throws {
        let result = try evmcsctl("decode", new, "--view", "vcpu")
        #expect(result.status == 2)
        #expect(result.standardError.contains("has no vCPU view (vmx.vcpu)"))
    }

    @Test func decodeOfARawDumpNeedsAKernelForEVMCS() throws {
        let result = try evmcsctl("decode", "Tests/Fixtures/vmx-dumps/vmxcaps-6500.json", "--evmcs")
        #expect(result.status == 2)
        #expect(result.standardError.contains("give --kernel RELEASE"))
    }

    @Test func checkFailsWhenANewerKernelHidesControls() throws {
        let result = try evmcsctl("check", "--from", old, "--to", new, "--evmcs")
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("INCOMPATIBLE (subset)"))
        #expect(result.standardOutput.contains("evmcs-guest-view-lost  MSR(48DH).vmx-posted-intr [bit 7]"))
    }

    /// The same ABI series, another point release: 5.10.209 already hides what 6.8 hides.
    @Test func checkPassesFromADebian11KernelWithTheBackports() throws {
        let result = try evmcsctl("check", "--from", debian11, "--to", new, "--evmcs", "--json")
        #expect(result.status == 0)
        let verdict = try JSONDecoder().decode(Verdict.self, from: Data(result.standardOutput.utf8))
        #expect(verdict.compatible)
        #expect(verdict.context.sourceEra == .v5_17 && verdict.context.sourceBasis == .derived)
        #expect(verdict.warnings.isEmpty, "uname -v names the sublevel: \(verdict.warnings)")
        let withoutVersion = try evmcsctl("check", "--from", old, "--to", debian11, "--evmcs")
        #expect(withoutVersion.status == 1, "5.10.46 → 5.10.209 loses the backported controls")
    }

    @Test func checkJSONIsTheVerdictDocument() throws {
        let result = try evmcsctl("check", "--from", old, "--to", new, "--evmcs", "--nested-state", "--json")
        #expect(result.status == 1)
        let verdict = try JSONDecoder().decode(Verdict.self, from: Data(result.standardOutput.utf8))
        #expect(!verdict.compatible)
        #expect(verdict.reasons.count == 10)
        #expect(verdict.context.nestedState)
    }

    @Test func checkPassesTheOtherWayAndWithoutEVMCS() throws {
        #expect(try evmcsctl("check", "--from", new, "--to", old, "--evmcs").status == 0)
        let plain = try evmcsctl("check", "--from", old, "--to", new)
        #expect(plain.status == 0)
        #expect(plain.standardOutput.contains("COMPATIBLE (identical)"))
    }

    @Test func checkAcceptsAVMDocument() throws {
        let result = try evmcsctl("check", "--vm", "Docs/examples/vm-windows-evmcs.json", "--profile", new)
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("win2022-vbs → skylake-ubuntu2404"))
    }

    /// Plain `check`, `status`, `profile` and `--version` lines skip ArgumentParser (`QuickCommandLine`);
    /// the same line with one of its flags given twice goes through ArgumentParser. Both must print
    /// and exit alike.
    @Test(arguments: [
        ["check", "--from", "Docs/examples/skylake-5.10.46.json", "--to", "Docs/examples/skylake-6.8.json", "--evmcs"],
        [
            "check", "--from=Docs/examples/skylake-5.10.json", "--to", "Docs/examples/skylake-6.8.json", "--evmcs",
            "--json",
        ],
        [
            "check", "--vm", "Docs/examples/vm-windows-evmcs.json", "--profile", "Docs/examples/skylake-6.8.json",
            "--json",
        ],
        ["check", "--from", "Docs/examples/skylake-6.8.json", "--to", "Docs/examples/absent.json", "--nested-state"],
        ["status", "--socket", "/nonexistent/evmcsd.sock", "--timeout", "1", "--json"],
        ["profile", "--socket=/nonexistent/evmcsd.sock", "--json"],
        ["--version"],
    ])
    func quickLinesAndArgumentParserAgree(arguments: [String]) throws {
        let quick = try CommandRunner.run("evmcsctl", arguments)
        let parsed = try CommandRunner.run("evmcsctl", arguments + [arguments.last!])
        #expect(quick.status == parsed.status)
        #expect(quick.standardOutput == parsed.standardOutput)
        #expect(quick.standardError == parsed.standardError)
        #expect(!quick.standardOutput.isEmpty || !quick.standardError.isEmpty)
    }

    @Test func badInputExitsWithTwo() throws {
        let usage = try evmcsctl("check", "--profile", "x.json")
        #expect(usage.status == 2)
        #expect(usage.standardError.contains("give either --vm [--profile HOST.json], or --from [--to HOST.json]"))
        let missing = try evmcsctl("check", "--from", "/nonexistent.json", "--to", new)
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("/nonexistent.json: cannot read: No such file or directory"))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        try #"{"schema":"evmcsd.host-profile/1","vmx":{"system":{"0x48d":"nope"}}}"#.write(
            to: scratch,
            atomically: true,
            encoding: .utf8
        )
        defer { try? FileManager.default.removeItem(at: scratch) }
        let malformed = try evmcsctl("check", "--from", scratch.path, "--to", new)
        #expect(malformed.status == 2)
        #expect(malformed.standardError.contains("vmx.system.0x48d: \"nope\" is not a 0x-prefixed hex number"))
        #expect(try evmcsctl("frobnicate").status == 2)
        // A member twice: other tools would read the last value, JSONDecoder the first; evmcsctl reads neither.
        try #"{"schema":"evmcsd.host-profile/1","vmx":{"system":{"0x48d":"0xff00000016","0x48d":"0x3f00000016"}}}"#
            .write(to: scratch, atomically: true, encoding: .utf8)
        let duplicate = try evmcsctl("check", "--from", scratch.path, "--to", new)
        #expect(duplicate.status == 2)
        #expect(duplicate.standardError.contains("vmx.system.0x48d: duplicate member \"0x48d\""), "\(duplicate)")
        #expect(try evmcsctl("--help").status == 0)
    }

    @Test func baselineOfTwoKernels() throws {
        let result = try evmcsctl("baseline", old, new, "--json")
        #expect(result.status == 0)
        let baseline = try JSONDecoder().decode(Baseline.self, from: Data(result.standardOutput.utf8))
        #expect(baseline.hosts == 2)
        #expect(baseline.qemuCPUFlags.starts(with: ["hv-vapic", "hv-evmcs", "-vmx-preemption-timer"]))
        let human = try evmcsctl("baseline", old, new)
        #expect(human.standardOutput.contains("QEMU -cpu flags: hv-vapic,hv-evmcs,-vmx-preemption-timer"))
        let impossible = try evmcsctl("baseline", new, "Tests/Fixtures/vmx-dumps/vmxcaps-6500.json", "--evmcs")
        #expect(impossible.status == 2)
        #expect(impossible.standardError.contains("eVMCS was required"))
    }

    @Test func poolsGroupIdenticalHosts() throws {
        let result = try evmcsctl("pools", old, new, new, "--evmcs", "--json")
        #expect(result.status == 0)
        let pools = try JSONDecoder().decode(Pools.self, from: Data(result.standardOutput.utf8))
        #expect(pools.groups.count == 2)
        #expect(pools.groups[1].hosts.count == 2)
        #expect(pools.migrations.count == 4)
        let human = try evmcsctl("pools", old, new, "--evmcs")
        #expect(human.standardOutput.contains("G1 → G2: 10 reasons"))
    }

    @Test func featuresDocumentIsCurrent() throws {
        let result = try evmcsctl("catalog", "--markdown")
        let file = try String(
            contentsOf: CommandRunner.repositoryRoot.appendingPathComponent("Docs/features.md"),
            encoding: .utf8
        )
        #expect(
            result.standardOutput == file,
            "regenerate with: swift run evmcsctl catalog --markdown > Docs/features.md"
        )
    }
}
