import Benchmark
import VMXModel

/// Verdict, baseline and pools (targets: verdict ≤ 10 µs; 10,000-profile baseline and pools
/// ≤ 100 ms each). Fleets are built from KVM's recorded nested view on Skylake with 20
/// distinct capability groups (differing VMCS_ENUM and kernel eras).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(5))

    let (source, target) = (Fleet.host(0, era: "5.10.0-28-amd64"), Fleet.host(0, era: "6.8.0-45-generic"))
    let vm = VMRequirements(startedOn: source, evmcs: true, nestedState: true)

    Benchmark("verdict (eVMCS, guest view lost)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(CompatibilityChecker.check(vm, on: target)) }
    }
    let compatible = VMRequirements(startedOn: target, evmcs: true, nestedState: true)
    Benchmark("verdict (eVMCS, identical)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(CompatibilityChecker.check(compatible, on: target)) }
    }

    for size in [100, 1_000, 10_000] {
        let fleet = Fleet.make(size)
        Benchmark("baseline of \(size) profiles", configuration: .init(maxIterations: 200)) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try Baseline(of: fleet)) }
        }
        Benchmark("pools of \(size) profiles (20 groups)", configuration: .init(maxIterations: 200)) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try Pools(of: fleet, evmcs: true)) }
        }
    }
}

enum Fleet {
    /// KVM's nested VMX view on Skylake (Tests/Fixtures/vmx-dumps/cloudhv-profile-skylake.json).
    static let skylake = VMXMSRSet([
        .vmxBasic: 0x00d8_1000_11e5_7ed0, .vmxCR0Fixed0: 0x8000_0021, .vmxCR4Fixed0: 0x2000, .vmxVMCSEnum: 0x32,
        .vmxTrueProcBasedControls: 0xfff9_fffe_0400_6172, .vmxVMFunc: 1, .vmxProcBasedControls2: 0x0213_7bff_0000_0000,
        .vmxEPTVPIDCap: 0xf01_0633_4041, .vmxTruePinBasedControls: 0xff_0000_0016,
        .vmxTrueExitControls: 0x007f_efff_0003_6dfb, .vmxTrueEntryControls: 0x0000_d3ff_0000_11fb,
    ])

    static func host(_ group: Int, era release: String) -> HostProfile {
        var profile = HostProfile()
        profile.host = HostProfile.Host(name: "host-\(group)")
        profile.kernel = HostProfile.Kernel(release: release)
        profile.cpu = HostProfile.CPU(vendor: HostProfile.intelVendor)
        var kvm = HostProfile.KVM()
        kvm.capabilities = ["HYPERV_ENLIGHTENED_VMCS": 1, "NESTED_STATE": 8320, "EXCEPTION_PAYLOAD": 1]
        profile.kvm = kvm
        profile.evmcs = HostProfile.EVMCS(versionLow: 1, versionHigh: 1)
        var vmx = skylake
        vmx[.vmxVMCSEnum] = UInt64(0x20 + 2 * (group % 10))
        profile.vmx = HostProfile.VMXViews(system: vmx)
        return profile
    }

    static func make(_ size: Int) -> [HostProfile] {
        (0..<size).map { index in
            var profile = host(index % 20, era: index % 20 < 10 ? "6.8.0-45-generic" : "6.1.0-27-amd64")
            profile.host?.name = "host-\(index)"
            return profile
        }
    }
}
