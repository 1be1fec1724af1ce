import Foundation
import Testing

@testable import VMXModel

/// Access to the recorded VMX MSR dumps in Tests/Fixtures and the example documents in
/// Docs/examples.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let dumpNames = [
        "cloudhv-profile-skylake", "gcp-nested-kvm-l1-a", "vboxcpudb-i7-5600u", "vmware-fusion-intel-mac-l1-a",
        "vmxcaps-10110u", "vmxcaps-2320", "vmxcaps-4770", "vmxcaps-6500", "vmxcaps-9980xe",
    ]

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: repositoryRoot.appendingPathComponent(relativePath))
    }

    /// A raw dump loaded as a host profile.
    static func dump(_ name: String) throws -> HostProfile {
        try DocumentLoader.hostProfile(from: data("Tests/Fixtures/vmx-dumps/\(name).json"))
    }

    /// The system view of a dump.
    static func msrs(_ name: String) throws -> VMXMSRSet {
        try #require(try dump(name).vmx?.system)
    }

    /// A host profile for tests: the given VMX values as the system view of an Intel KVM host
    /// running `kernel`, with eVMCS 1..1 and the nested-migration capabilities.
    static func host(
        _ name: String,
        kernel: String?,
        vmx: VMXMSRSet,
        capabilities: [String: Int] = ["HYPERV_ENLIGHTENED_VMCS": 1, "NESTED_STATE": 8320, "EXCEPTION_PAYLOAD": 1]
    ) -> HostProfile {
        var profile = HostProfile()
        profile.host = HostProfile.Host(name: name)
        profile.kernel = HostProfile.Kernel(release: kernel)
        profile.cpu = HostProfile.CPU(vendor: HostProfile.intelVendor)
        var kvm = HostProfile.KVM()
        kvm.capabilities = capabilities
        profile.kvm = kvm
        profile.evmcs = HostProfile.EVMCS(versionLow: 1, versionHigh: 1)
        profile.vmx = HostProfile.VMXViews(system: vmx)
        return profile
    }

    static func json(_ text: String) -> Data { Data(text.utf8) }

    /// `profile` as a probe without the guest-view measurement would have made it: no guest
    /// views, no effective era, and optionally without `uname -v` (the ABI name alone).
    static func withoutGuestMeasurement(_ profile: HostProfile, keepingKernelVersion: Bool = true) -> HostProfile {
        var copy = profile
        copy.vmx?.guest = nil
        copy.vmx?.guestPerfGlobalCtrl = nil
        copy.vmx?.obtained?["guest"] = nil
        copy.vmx?.obtained?["guestPerfGlobalCtrl"] = nil
        copy.evmcs?.effectiveEra = nil
        if !keepingKernelVersion { copy.kernel?.version = nil }
        return copy
    }
}
