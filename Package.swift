// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every Swift target: Swift 6 language mode (strict concurrency) plus
/// the upcoming features the model codebases turn on.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "evmcsd",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VMXModel", targets: ["VMXModel"]),
        .library(name: "KVMProbe", targets: ["KVMProbe"]),
        .library(name: "EVMCSClient", targets: ["EVMCSClient"]),
        .library(name: "JSONRPC", targets: ["JSONRPC"]),
        // For tests and benchmarks of evmcsd (the tests here and Benchmarks/), as HummingbirdTesting is for
        // Hummingbird: a child-process runner and a line client on the Unix socket.
        .library(name: "EVMCSTesting", targets: ["EVMCSTesting"]),
        .executable(name: "evmcsd", targets: ["evmcsd"]),
        .executable(name: "evmcsctl", targets: ["evmcsctl"]),
        .executable(name: "evmcsd-libvirt-hook", targets: ["evmcsd-libvirt-hook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // The one JSON layer, without Foundation: the strict scanner and value tree, parser, writer,
        // JSONValueDecoder and JSONValueEncoder.
        .target(name: "JSONCore", swiftSettings: strictSettings),

        // The shape of the modules' errors: a category (ErrorCode), a message and a cause (CodedError,
        // LocatedError).
        .target(name: "CodedErrors", swiftSettings: strictSettings),

        // Pure domain: MSR catalog, decoding, eVMCS filter, restore rules, documents, verdicts.
        .target(name: "VMXModel", dependencies: ["JSONCore", "CodedErrors"], swiftSettings: strictSettings),

        // C shim: linux/kvm.h request numbers and struct layouts Swift cannot import.
        .target(name: "CKVM"),

        // Talks to /dev/kvm, sysfs and procfs; produces host profiles.
        .target(name: "KVMProbe", dependencies: ["VMXModel", "CKVM"], swiftSettings: strictSettings),

        // JSON-RPC 2.0 without a transport: messages, method registration, routing, the per-connection session
        // and its state machine, limits and counters. Uses NIOCore for ByteBuffer only (no channels, no sockets).
        .target(
            name: "JSONRPCCore",
            dependencies: [
                "JSONCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Test support: ChildProcess (posix_spawn, stop, reap) and LineSocket (a blocking line client).
        .target(name: "EVMCSTesting", dependencies: ["JSONRPC"], swiftSettings: strictSettings),

        // The in-process transport: serves JSONRPCMethods to clients in the same process (tests of a service layer).
        .target(
            name: "JSONRPCInProcess",
            dependencies: [
                "JSONRPCCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // The NIO transport: JSON-RPC 2.0 over newline-delimited Unix stream sockets (server and clients);
        // knows nothing of eVMCS.
        .target(
            name: "JSONRPC",
            dependencies: [
                "JSONRPCCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // The contract between daemon and client: method names, params, results, error codes.
        .target(name: "EVMCSProtocol", dependencies: ["VMXModel"], swiftSettings: strictSettings),

        // libsystemd: sd_notify, sd_listen_fds, sd_watchdog_enabled, sd_journal_sendv.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),

        // The service: configuration, capability cache, methods, authorization, systemd, exporters.
        .target(
            name: "EVMCSDaemon",
            dependencies: [
                "VMXModel", "KVMProbe", "JSONRPC", "EVMCSProtocol", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "evmcsd",
            dependencies: [
                "EVMCSDaemon", "JSONRPC", "VMXModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // Thin async client for orchestrators; re-exports VMXModel and EVMCSProtocol.
        .target(
            name: "EVMCSClient",
            dependencies: ["JSONRPC", "EVMCSProtocol", "VMXModel"],
            swiftSettings: strictSettings
        ),

        // libvirt domain XML → requirements, and the libvirt QEMU hook; no full Foundation, so the
        // hook starts fast.
        .target(
            name: "LibvirtIntegration",
            dependencies: [
                "VMXModel", "CodedErrors", "EVMCSClient", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // The libvirt hook as its own small executable (evmcsctl libvirt-hook is the same hook),
        // with the Swift runtime linked in: libvirt starts it for every domain operation, and
        // loading the shared runtime libraries costs more than the hook's own work.
        .executableTarget(
            name: "evmcsd-libvirt-hook",
            dependencies: [
                "LibvirtIntegration", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings,
            linkerSettings: [.unsafeFlags(["-static-stdlib"]), .linkedLibrary("_FoundationCShims"), .linkedLibrary("_FoundationCollections")]
        ),

        .executableTarget(
            name: "evmcsctl",
            dependencies: [
                "VMXModel",
                "KVMProbe",
                "EVMCSClient",
                "JSONRPC",
                "LibvirtIntegration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings,
            // Release builds link evmcsctl as a static executable (glibc too, no program
            // interpreter): monitoring scripts and hooks start it often, and the dynamic loader
            // and its relocations were about 40 % of a `status` call (Docs/performance.md,
            // "evmcsctl as a static executable"; Docs/operations.md says what that costs).
            linkerSettings: [.unsafeFlags(["-static-executable"], .when(platforms: [.linux], configuration: .release))]
        ),

        // Robustness runs against a live daemon: fuzz, load, churn, slow clients (make fuzz / make soak).
        .executableTarget(
            name: "evmcsd-stress",
            dependencies: ["JSONRPC", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/Stress",
            swiftSettings: strictSettings
        ),

        // The migration-agent example of Docs/client.md, built with the package so it stays correct.
        .executableTarget(
            name: "migration-agent-example",
            dependencies: ["EVMCSClient"],
            path: "Examples/MigrationAgent",
            swiftSettings: strictSettings
        ),

        .testTarget(
            name: "VMXModelTests",
            dependencies: ["VMXModel"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EVMCSDaemonTests",
            dependencies: [
                "EVMCSDaemon", "EVMCSProtocol", "KVMProbe", "VMXModel", "JSONRPC", "JSONRPCInProcess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // (evmcsd-libvirt-hook is built with the package but not a dependency here: its static
        // runtime link must not reach the test bundle.)
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "evmcsd", "evmcsctl", "evmcsd-stress", "migration-agent-example", "EVMCSClient", "VMXModel",
                "EVMCSProtocol",
                "JSONRPC", "EVMCSTesting",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "LibvirtIntegrationTests", dependencies: ["LibvirtIntegration", "CodedErrors"], swiftSettings: strictSettings),
        .testTarget(name: "EVMCSCtlTests", dependencies: ["evmcsctl", "VMXModel"], swiftSettings: strictSettings),
        .testTarget(
            name: "KVMProbeTests",
            dependencies: ["KVMProbe", "CKVM", "VMXModel"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JSONRPCTests",
            dependencies: [
                "JSONRPC", "JSONRPCCore", "JSONRPCInProcess", "EVMCSTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
