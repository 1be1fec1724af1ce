import Foundation
import Testing
import VMXModel

/// `evmcsctl probe`, end to end on this machine.
@Suite("evmcsctl probe")
struct ProbeCommandTests {
    static let hasKVM = FileManager.default.isWritableFile(atPath: "/dev/kvm")
    static let canDropPrivileges = geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    @Test(.enabled(if: hasKVM, "needs read-write /dev/kvm; without it only the permission test below runs"))
    func probeJSONFeedsDecodeAndCheck() throws {
        let probe = try CommandRunner.run("evmcsctl", ["probe", "--json"])
        #expect(probe.status == 0, "\(probe.standardError)")
        let profile = try DocumentLoader.hostProfile(from: Data(probe.standardOutput.utf8))
        #expect(profile.kvm?.apiVersion == 12)
        #expect(profile.probe?.guestReadCheck?.verified == true)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("host-\(UUID().uuidString).json")
        try probe.standardOutput.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let check = try CommandRunner.run("evmcsctl", ["check", "--from", file.path, "--to", file.path, "--json"])
        #expect(check.status == 0, "a host accepts its own VMs: \(check.standardError)")
        let verdict = try JSONDecoder().decode(Verdict.self, from: Data(check.standardOutput.utf8))
        if profile.restoreReference.isEmpty {
            #expect(verdict.compatible, "a VM without VMX values runs on its own host")
        } else {
            #expect(verdict.level == .identical)
        }
        let decode = try CommandRunner.run("evmcsctl", ["decode", file.path])
        #expect(decode.status == 0, "\(decode.standardError)")
        if profile.vmx?.system == nil {
            // No VMX here (AMD, nested off): decode answers why, in text and in JSON.
            let reason = try #require(profile.vmx?.obtained?["system"]?.reason)
            #expect(
                decode.standardOutput.contains("system view unavailable: \(reason.code)"),
                "\(decode.standardOutput)"
            )
            let json = try CommandRunner.run("evmcsctl", ["decode", file.path, "--json"])
            #expect(json.status == 0)
            let report = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
            #expect((report?["unavailable"] as? [String: Any])?["code"] as? String == reason.code)
            let guest = try CommandRunner.run("evmcsctl", ["decode", file.path, "--view", "guest"])
            #expect(guest.status == 0)
            #expect(guest.standardOutput.contains("guest view unavailable"), "\(guest.standardOutput)")
        }
        let human = try CommandRunner.run("evmcsctl", ["probe"])
        #expect(human.standardOutput.contains("Guest-read mechanism: verified"))
    }

    @Test(.enabled(if: canDropPrivileges, "needs root and setpriv to run the probe as nobody"))
    func nonRootUserGetsPermissionDeniedWithAdvice() throws {
        let binary = CommandRunner.productsDirectory.appendingPathComponent("evmcsctl").path
        let result = try CommandRunner.run(
            "/usr/bin/setpriv",
            ["--reuid=nobody", "--regid=nogroup", "--clear-groups", binary, "probe", "--json"]
        )
        #expect(result.status == 0, "\(result.standardError)")
        let profile = try DocumentLoader.hostProfile(from: Data(result.standardOutput.utf8))
        let reason = try #require(profile.kvm?.obtained?.reason)
        if FileManager.default.fileExists(atPath: "/dev/kvm") {
            #expect(reason.code == "permission-denied")
            #expect(reason.errno == "EACCES")
            #expect(reason.message.contains("DeviceAllow"))
        } else {
            #expect(reason.code == "kvm-device-missing")
        }
        #expect(profile.kvm?.device?.readWrite == false)
    }
}
