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
        let verdict = try JSONDecoder().decode(Verdict.self, from: Data(check.standardOutput.utf8))
        if profile.restoreReference.isEmpty {
            #expect(verdict.compatible, "a VM without VMX values runs on its own host")
        } else {
            #expect(verdict.level == .identical)
        }
        let decode = try CommandRunner.run("evmcsctl", ["decode", file.path])
        if profile.vmx?.system == nil {
            #expect(decode.status == 2)
            #expect(decode.standardError.contains("has no system view"))
            if let reason = profile.vmx?.obtained?["system"]?.reason {
                #expect(decode.standardError.contains(reason.code), "says why: \(decode.standardError)")
            }
            // The guest view the probe measured decodes, whatever it holds.
            #expect(try CommandRunner.run("evmcsctl", ["decode", file.path, "--view", "guest"]).status == 0)
        } else {
            #expect(decode.status == 0)
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
