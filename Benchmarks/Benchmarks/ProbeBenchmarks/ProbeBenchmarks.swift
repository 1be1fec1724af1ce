import Benchmark
import KVMProbe

/// The live probe on this host's /dev/kvm, whole and by step (issue: ≤ 5 ms median).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        maxDuration: .seconds(5)
    )

    Benchmark("live probe (whole profile)") { benchmark in
        let probe = LiveProbe()
        for _ in benchmark.scaledIterations { blackHole(probe.probe()) }
    }

    Benchmark("invalidation key (procfs, sysfs, /dev/kvm stat+open)") { benchmark in
        let probe = LiveProbe()
        for _ in benchmark.scaledIterations { blackHole(probe.currentKey()) }
    }

    Benchmark("host facts read") { benchmark in
        let reader = HostFactsReader()
        for _ in benchmark.scaledIterations { blackHole(reader.read()) }
    }

    Benchmark("guest-view run (VM + vCPU + RDMSR guest, 25 MSRs)") { benchmark in
        let system = try KVMSystem()
        let cpuid = HyperVCPUID.entries(
            supported: try system.supportedCPUID(),
            evmcsVersionRange: 0x0101,
            perfGlobalCtrl: false
        )
        let indices: [UInt32] = Array(0x480...0x492) + [0x1B, 0x10A, 0x1A0, 0x277, 0xC000_0080, 0xC000_0103]
        for _ in benchmark.scaledIterations {
            blackHole(try GuestMSRReader.read(indices: indices, on: system, cpuid: cpuid, enableEnlightenedVMCS: true))
        }
    }
}
