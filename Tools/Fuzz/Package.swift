// swift-tools-version:6.1
// libFuzzer targets for the parsers that read untrusted input. Their own package, so that
// building evmcsd does not build them: run Tools/fuzz-parsers.sh (Docs/reliability.md).
import Foundation
import PackageDescription

/// A path dependency is named after its directory, which depends on where evmcsd was cloned.
let evmcsd = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "evmcsd-fuzz",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "JSONParserFuzz",
            dependencies: [.product(name: "JSONRPC", package: evmcsd)],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "DocumentFuzz",
            dependencies: [.product(name: "VMXModel", package: evmcsd)],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
