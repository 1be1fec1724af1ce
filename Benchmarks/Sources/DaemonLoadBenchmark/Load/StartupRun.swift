import Foundation
import Glibc

/// Time from spawning evmcsd to its `READY=1` on `NOTIFY_SOCKET`, cold (empty cache directory:
/// the profile is probed, or read from the recorded file, then persisted) and warm (the cache
/// file a previous start wrote exists, so it is served at once and verified afterwards).
struct StartupRun {
    /// The launch to repeat; its socket path and cache directory are replaced per start.
    var launch: DaemonLaunch
    var directory: TemporaryDirectory
    var notifier: NotifyListener
    var repetitions: Int

    /// Milliseconds per start.
    struct Result {
        var cold: [Double] = []
        var warm: [Double] = []
    }

    /// Each repetition uses a new, empty cache directory: one cold start, SIGTERM, then one warm
    /// start on the cache file the cold start wrote, SIGTERM. After each start `daemon.status`
    /// must report the cache state of that path (`fresh` cold; `loaded` or `verified` warm).
    ///
    /// - Throws: ``BenchmarkError`` if a start fails, takes more than 30 s, reports the wrong
    ///   cache state, or does not stop cleanly.
    func measure() throws -> Result {
        var result = Result()
        for repetition in 0..<self.repetitions {
            var launch = self.launch
            launch.cacheDirectory = try self.directory.subdirectory("startup-cache-\(repetition)")
            launch.socketPath = self.directory.file("startup.sock")
            launch.notifySocket = self.notifier.path
            result.cold.append(try self.start(launch, expecting: ["fresh"]))
            result.warm.append(try self.start(launch, expecting: ["loaded", "verified"]))
        }
        return result
    }

    private func start(_ launch: DaemonLaunch, expecting states: Set<String>) throws -> Double {
        self.notifier.discardPending()
        let spawned = MonotonicClock.nanoseconds()
        let daemon = try DaemonProcess.spawn(launch)
        let ready = try self.notifier.waitForReady(of: daemon, timeout: 30)
        let state = try Self.cacheState(at: launch.socketPath)
        try daemon.stop()
        guard states.contains(state) else {
            throw BenchmarkError("after start the cache state is \(state), expected \(states.sorted())")
        }
        return Double(ready - spawned) / 1e6
    }

    /// `daemon.status` → `cache.state`.
    static func cacheState(at socketPath: String) throws -> String {
        let line = try SingleCall.call("daemon.status", at: socketPath)
        let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        guard let result = object?["result"] as? [String: Any], let cache = result["cache"] as? [String: Any],
            let state = cache["state"] as? String
        else { throw BenchmarkError("daemon.status has no cache.state") }
        return state
    }
}
