import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real `qemu-system-x86_64` (Debian package) with a QMP socket in a scratch directory,
/// stopped (SIGKILL) and cleaned up when released: nothing is left running.
final class QEMUProcess {
    static let binary = "/usr/bin/qemu-system-x86_64"
    let directory: URL
    let qmpPath: String
    let process = Process()
    private let errorPath: String

    /// Starts QEMU paused (`-S`), without devices or display.
    /// - Throws: ``DaemonFailure`` with QEMU's standard error when it exits or no socket appears.
    init(accelerator: String, cpu: String, extra: [String] = []) throws {
        directory = URL(fileURLWithPath: "/tmp/evmcsd-qemu-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        qmpPath = directory.appendingPathComponent("qmp.sock").path
        errorPath = directory.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments =
            [
                "-machine", "q35,accel=\(accelerator)", "-cpu", cpu, "-S", "-nodefaults", "-display", "none",
                "-m", "64", "-qmp", "unix:\(qmpPath),server,nowait",
            ] + extra
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: qmpPath) {
            guard process.isRunning else {
                process.waitUntilExit()
                throw DaemonFailure(message: "qemu-system-x86_64 exited with \(process.terminationStatus): \(standardError)")
            }
            guard Date() < deadline else { throw DaemonFailure(message: "no QMP socket within 20 s: \(standardError)") }
            usleep(20_000)
        }
        // QEMU listens before it sets the vCPU's MSRs; a KVM that refuses one ends it then.
        usleep(300_000)
        guard process.isRunning else {
            process.waitUntilExit()
            throw DaemonFailure(message: "qemu-system-x86_64 exited with \(process.terminationStatus): \(standardError)")
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// What QEMU printed on standard error (its feature warnings).
    var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// A QMP session of the test's own, after the capabilities negotiation.
    func qmp() throws -> TestQMP { try TestQMP(path: qmpPath) }
}

/// The test's own QMP client, independent of evmcsctl's, on the line client of the other tests.
final class TestQMP {
    private let client: LineClient

    init(path: String) throws {
        client = try LineClient(path: path)
        _ = try client.readJSON()
        _ = try execute("qmp_capabilities")
    }

    /// Runs a command; returns `return`, skipping events.
    func execute(_ command: String, _ arguments: [String: Any]? = nil) throws -> Any {
        var message: [String: Any] = ["execute": command]
        if let arguments { message["arguments"] = arguments }
        try client.send(String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self))
        while true {
            let reply = try client.readJSON()
            if reply["event"] != nil { continue }
            guard let value = reply["return"] else { throw DaemonFailure(message: "\(command): \(reply)") }
            return value
        }
    }
}
