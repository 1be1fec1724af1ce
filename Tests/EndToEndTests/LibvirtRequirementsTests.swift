import Foundation
import Testing

/// `evmcsctl requirements --libvirt-xml` on XML written by real virsh (test:///default).
@Suite(.enabled(if: Virsh.available, "virsh is not installed (make deps installs libvirt-clients and libvirt-daemon)"), .onBlockingThreads)
struct LibvirtRequirementsTests {
    static let customCPU = """
        <cpu mode='custom' match='exact' check='partial'>
          <model fallback='forbid'>Skylake-Server-v4</model>
          <feature policy='require' name='vmx'/>
          <feature policy='disable' name='vmx-posted-intr'/>
          <feature policy='require' name='avx512f'/>
        </cpu>
        """
    static let hyperv = "<hyperv mode='custom'><relaxed state='on'/><vapic state='on'/><evmcs state='on'/></hyperv>"

    static func requirements(_ xml: String, _ extra: [String] = []) throws -> Program.Result {
        try Program.run("evmcsctl", ["requirements", "--libvirt-xml", "-"] + extra, input: Data(xml.utf8))
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Sorted-key JSON, to compare documents.
    static func canonical(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func aCustomCPUGivesTheSameDocumentAsItsQEMUCPU() throws {
        let xml = try Virsh.dumpXML(Virsh.domain("win2022-vbs", cpu: Self.customCPU, hyperv: Self.hyperv), name: "win2022-vbs")
        #expect(xml.contains("<evmcs state='on'/>") && xml.contains("name='vmx-posted-intr'"))
        let profile = ["--profile", "Docs/examples/skylake-6.8.json"]
        let fromXML = try Self.requirements(xml, profile)
        #expect(fromXML.status == 0, "\(fromXML.error)")
        let fromQEMU = try Program.run(
            "evmcsctl",
            ["requirements", "--qemu-cpu", "Skylake-Server-v4,+vmx,-vmx-posted-intr,hv-vapic,hv-evmcs", "--name", "win2022-vbs"] + profile
        )
        var expected = try Self.json(fromQEMU.output)
        expected["uuid"] = "6f1c2b1e-8f0a-4a53-9d55-3b1f6b0c9a11"
        #expect(try Self.canonical(Self.json(fromXML.output)) == Self.canonical(expected))
        let report = try Self.json(try Self.requirements(xml, profile + ["--format", "report"]).output)
        #expect(report["origin"] as? String == "cpu-definition")
    }

    @Test func hostPassthroughNeedsTheSourceProfile() throws {
        let xml = try Virsh.dumpXML(
            Virsh.domain("pt", cpu: "<cpu mode='host-passthrough' check='none'/>", hyperv: Self.hyperv),
            name: "pt"
        )
        let missing = try Self.requirements(xml)
        #expect(missing.status == 2 && missing.error.contains("host-passthrough") && missing.error.contains("--profile"))
        let given = try Self.requirements(xml, ["--profile", "Docs/examples/skylake-5.10.json"])
        #expect(given.status == 0)
        let document = try Self.json(given.output)
        #expect((document["evmcs"] as? [String: Any])?["enabled"] as? Bool == true)
        #expect((document["source"] as? [String: Any])?["host"] as? String == "skylake-debian11")
    }

    /// A document put in <metadata> with virsh comes back unchanged and wins over <cpu>.
    @Test func theMetadataElementRoundTripsThroughVirsh() throws {
        let make = ["requirements", "--qemu-cpu", "host,hv-vapic,hv-evmcs", "--profile", "Docs/examples/skylake-5.10.json"]
        let document = try Program.run("evmcsctl", make)
        let element = try Program.run("evmcsctl", make + ["--format", "libvirt-metadata"])
        #expect(element.status == 0 && element.output.hasPrefix("<requirements>"))
        let xml = try Virsh.dumpXML(
            Virsh.domain("meta", cpu: Self.customCPU),
            name: "meta",
            metadata: element.output.trimmingCharacters(in: .whitespacesAndNewlines)
        )
        #expect(xml.contains("<evmcsd:requirements xmlns:evmcsd=\"urn:evmcsd:vm-requirements:1\">"))
        let read = try Self.requirements(xml, ["--format", "report"])
        let report = try Self.json(read.output)
        #expect(report["origin"] as? String == "metadata")
        let roundTrip = try #require(report["requirements"] as? [String: Any])
        #expect(try Self.canonical(roundTrip) == Self.canonical(Self.json(document.output)))
    }

    @Test func unknownVMXFeaturesAndNonDomainsAreErrors() throws {
        let typo = Self.customCPU.replacingOccurrences(of: "vmx-posted-intr", with: "vmx-posted-intrr")
        let bad = try Self.requirements(try Virsh.dumpXML(Virsh.domain("typo", cpu: typo), name: "typo"))
        #expect(bad.status == 2 && bad.error.contains("vmx-posted-intrr"))
        let notDomain = try Self.requirements("<network/>")
        #expect(notDomain.status == 2 && notDomain.error.contains("not a libvirt domain"))
    }
}
