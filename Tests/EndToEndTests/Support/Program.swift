import Foundation

/// Runs a program to completion and captures what it printed.
enum Program {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs a built product (or an absolute path) with `arguments`.
    /// - Parameters:
    ///   - environment: added to this process's environment (`EVMCSD_SOCKET` is removed).
    ///   - directory: the working directory (default: the repository).
    ///   - input: standard input (default: none, /dev/null).
    static func run(
        _ program: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        directory: URL = DaemonProcess.repositoryRoot,
        input: Data? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL =
            program.hasPrefix("/")
            ? URL(fileURLWithPath: program) : DaemonProcess.productsDirectory.appendingPathComponent(program)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var variables = ProcessInfo.processInfo.environment
        variables.removeValue(forKey: "EVMCSD_SOCKET")
        variables.merge(environment) { $1 }
        process.environment = variables
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out")
        let err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        if let input {
            let source = scratch.appendingPathComponent("in")
            try input.write(to: source)
            process.standardInput = try FileHandle(forReadingFrom: source)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            output: try String(contentsOf: out, encoding: .utf8),
            error: try String(contentsOf: err, encoding: .utf8)
        )
    }
}
