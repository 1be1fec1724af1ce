import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A `socat UNIX-LISTEN:PATH…` server standing in for a peer (a silent socket, a scripted QMP
/// server), killed and its socket removed when released.
final class SocatListener {
    let path: String
    private let process = Process()

    /// Listens on `path` (`UNIX-LISTEN:path` plus `listenOptions`) and runs `peer` per connection.
    init(path: String, listenOptions: String = "", peer: String) throws {
        self.path = path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
        process.arguments = ["UNIX-LISTEN:\(path)\(listenOptions)", peer]
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: path) {
            guard process.isRunning, Date() < deadline else { throw DaemonFailure(message: "socat did not listen on \(path)") }
            usleep(10_000)
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }
}
