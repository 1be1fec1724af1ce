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
    ]
)
