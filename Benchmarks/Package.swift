// swift-tools-version:6.1
// Benchmarks live in their own package so that building and testing evmcsd does not build
// the benchmark harness. Run them with: cd Benchmarks && swift package benchmark
import Foundation
import PackageDescription

/// A path dependency is named after its directory, which depends on where evmcsd was cloned.
let evmcsd = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let benchmark: Target.Dependency = .product(name: "Benchmark", package: "benchmark")
let plugin: Target.PluginUsage = .plugin(name: "BenchmarkPlugin", package: "benchmark")

let package = Package(
    name: "evmcsd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "ProbeBenchmarks",
            dependencies: [benchmark, .product(name: "KVMProbe", package: evmcsd)],
            path: "Benchmarks/ProbeBenchmarks",
            plugins: [plugin]
        ),
        .executableTarget(
            name: "ModelBenchmarks",
            dependencies: [benchmark, .product(name: "VMXModel", package: evmcsd)],
            path: "Benchmarks/ModelBenchmarks",
            plugins: [plugin]
        ),
        .executableTarget(
            name: "ProtocolBenchmarks",
            dependencies: [
                benchmark,
                .product(name: "JSONRPC", package: evmcsd),
                .product(name: "EVMCSClient", package: evmcsd),
            ],
            path: "Benchmarks/ProtocolBenchmarks",
            plugins: [plugin]
        ),
        // The running daemon under load, against a minimal reference server in the same run:
        // cd Benchmarks && swift run -c release DaemonLoadBenchmark (Docs/performance.md).
        // Talks to evmcsd over its socket only, so it depends on no evmcsd module. It lives in
        // Sources/, not Benchmarks/: the benchmark plugin runs every executable under Benchmarks/.
        .executableTarget(
            name: "DaemonLoadBenchmark",
            dependencies: [
                "CPUAffinity",
                .product(name: "EVMCSTesting", package: evmcsd),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/DaemonLoadBenchmark",
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
        // sched_setaffinity for DaemonLoadBenchmark (a GNU extension Swift's Glibc does not import).
        .target(name: "CPUAffinity", path: "Sources/CPUAffinity"),
    ]
)
