import Foundation
import Testing

@testable import VMXModel

@Suite struct QEMUCPUSpecTests {
    @Test func appliesAssignmentsThenPlusThenMinusAsQEMUDoes() throws {
        let spec = try QEMUCPUSpec(parsing: "Skylake-Server-v4,-vmx-pml,+vmx-pml,vmx_posted_intr=off,+vmx,hv-evmcs,hv-spinlocks=0x1fff")
        #expect(spec.model == "Skylake-Server-v4")
        #expect(
            spec.settings == [
                .init("vmx-posted-intr", false), .init("hv-evmcs", true), .init("vmx-pml", true), .init("vmx", true),
                .init("vmx-pml", false),
            ]
        )
        #expect(!spec.enforce)
        #expect(try QEMUCPUSpec(parsing: "host,enforce").enforce)
    }

    @Test func unknownFeaturesAreOneErrorNamingEachOfThem() {
        #expect(throws: QEMUCPUError(.unknownFeatures, "unknown CPU features vmx-posted-intrr, hv-evmc (not properties of QEMU's x86 CPUs)")) {
            try QEMUCPUSpec(parsing: "Skylake-Server,+vmx-posted-intrr,avx2,hv-evmc=on")
        }
    }

    @Test(arguments: ["", ",vmx", "host,,vmx", "host,vmx=maybe", "host,+vmx=on"])
    func malformedStringsAreErrors(_ text: String) {
        #expect(throws: QEMUCPUError.self) { try QEMUCPUSpec(parsing: text) }
    }

    @Test func modelsResolveAliasesVersionsAndAdditions() throws {
        #expect(try QEMUCPUModel.resolve("Skylake-Server").versionedName == "Skylake-Server-v1")
        #expect(try QEMUCPUModel.resolve("Skylake-Server-noTSX-IBRS").versionedName == "Skylake-Server-v3")
        let eptpSwitching = try #require(VMXCatalog.feature(named: "vmx-eptp-switching"))
        #expect(!(try QEMUCPUModel.resolve("Skylake-Server-v3").vmx.contains(eptpSwitching)))
        #expect(try QEMUCPUModel.resolve("Skylake-Server-v4").vmx.contains(eptpSwitching))
        let pageWalk5 = try #require(VMXCatalog.feature(named: "vmx-page-walk-5"))
        #expect(try QEMUCPUModel.resolve("Icelake-Server-v6").vmx.contains(pageWalk5))
        #expect(!(try QEMUCPUModel.resolve("Icelake-Server-v5").vmx.contains(pageWalk5)))
        #expect(throws: QEMUCPUError(.unknownModel, "unknown CPU model \"Skylake-Desktop\" (not one of QEMU's x86 models)")) {
            try QEMUCPUModel.resolve("Skylake-Desktop")
        }
        #expect(throws: QEMUCPUError(.unknownModel, "unknown CPU model version Skylake-Server-v9: Skylake-Server has versions v1–v5")) {
            try QEMUCPUModel.resolve("Skylake-Server-v9")
        }
        #expect(try QEMUCPUModel.resolve("EPYC-IBPB").vmx.isEmpty)
    }

    /// The generated table holds exactly the masks of the shared QEMU notes (a copy in
    /// Tests/Fixtures/qemu): a stale or hand-edited table fails here.
    @Test func tableMatchesTheQEMUNotes() throws {
        let text = String(decoding: try Fixtures.data("Tests/Fixtures/qemu/qemu-vmx-models.md"), as: UTF8.self)
        let words: [String: VMXFeatureGroup] = [
            "FEAT_VMX_BASIC": .basic, "FEAT_VMX_PINBASED_CTLS": .pinBased, "FEAT_VMX_PROCBASED_CTLS": .primaryProcBased,
            "FEAT_VMX_SECONDARY_CTLS": .secondaryProcBased, "FEAT_VMX_EXIT_CTLS": .exit, "FEAT_VMX_ENTRY_CTLS": .entry,
            "FEAT_VMX_MISC": .misc, "FEAT_VMX_EPT_VPID_CAPS": .eptVPID, "FEAT_VMX_VMFUNC": .vmFunctions,
        ]
        var checked = 0
        for block in text.components(separatedBy: "\n## ").dropFirst() {
            let name = String(block.prefix { $0 != " " })
            guard let model = QEMUCPUModel.table.first(where: { $0.name == name }) else {
                #expect(block.hasPrefix("Cross-checks"), "model \(name) of the notes is missing from the table")
                continue
            }
            for line in block.split(separator: "\n") where line.hasPrefix("| FEAT_VMX_") {
                let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                let group = try #require(words[cells[0]])
                let mask = cells[2] == "-" ? 0 : try #require(UInt64(cells[2].dropFirst(2), radix: 16))
                #expect(model.vmx[group] == mask, "\(name) \(cells[0])")
                checked += 1
            }
        }
        #expect(checked == 23 * 9)
    }
}
