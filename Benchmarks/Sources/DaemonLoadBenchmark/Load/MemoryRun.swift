import Foundation
import Glibc

/// evmcsd's resident memory (`VmRSS`) idle after start, with many open idle connections, after
/// one request on each of them, and after they are closed.
struct MemoryRun {
    /// A launch whose configuration allows more than ``connections`` connections.
    var launch: DaemonLaunch
    var notifier: NotifyListener
    var connections: Int
    /// Seconds to wait before each reading, so the daemon has accepted and settled.
    var settle: Double

    /// Bytes, and what `daemon.status` counted.
    struct Result {
        var idle: Int
        var connected: Int
        var afterOneRequestEach: Int
        var afterClose: Int
        var connectionsOpen: Int
        var connectionsRejected: Int
        var threads: Int
    }

    /// - Throws: ``SystemError`` or ``BenchmarkError`` if connecting fails or evmcsd did not
    ///   accept every connection.
    func measure() throws -> Result {
        self.notifier.discardPending()
        let daemon = try DaemonProcess.spawn(self.launch)
        _ = try self.notifier.waitForReady(of: daemon, timeout: 30)
        MonotonicClock.sleep(seconds: self.settle)
        let idle = try ProcessStatistics.residentBytes(of: daemon.pid)

        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        for _ in 0..<self.connections { descriptors.append(try UnixSocket.connect(to: self.launch.socketPath)) }
        MonotonicClock.sleep(seconds: self.settle)
        let counters = try Self.counters(at: self.launch.socketPath)
        let connected = try ProcessStatistics.residentBytes(of: daemon.pid)
        guard counters.open == self.connections + 1, counters.rejected == 0 else {
            throw BenchmarkError(
                "evmcsd reports \(counters.open) open and \(counters.rejected) rejected connections; "
                    + "expected \(self.connections + 1) and 0 (is max-connections high enough?)"
            )
        }

        let request = RequestLine.make(method: "host.evmcs")
        let reader = LineReader()
        for descriptor in descriptors {
            try UnixSocket.writeAll(descriptor, request)
            guard RequestLine.isResult(reader.bytes(try reader.nextLine(from: descriptor))) else {
                throw BenchmarkError("host.evmcs on an idle connection was not answered with a result")
            }
        }
        MonotonicClock.sleep(seconds: self.settle)
        let afterOneRequestEach = try ProcessStatistics.residentBytes(of: daemon.pid)
        let threads = ProcessStatistics.threadCount(of: daemon.pid)

        descriptors.forEach { close($0) }
        descriptors.removeAll()
        MonotonicClock.sleep(seconds: self.settle)
        let afterClose = try ProcessStatistics.residentBytes(of: daemon.pid)
        try daemon.stop()
        return Result(
            idle: idle,
            connected: connected,
            afterOneRequestEach: afterOneRequestEach,
            afterClose: afterClose,
            connectionsOpen: counters.open,
            connectionsRejected: counters.rejected,
            threads: threads
        )
    }

    /// `daemon.status` → `counters.connectionsOpen` and `connectionsRejected` (the status
    /// connection itself is open too).
    static func counters(at socketPath: String) throws -> (open: Int, rejected: Int) {
        let line = try SingleCall.call("daemon.status", at: socketPath)
        let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        guard let result = object?["result"] as? [String: Any], let counters = result["counters"] as? [String: Any],
            let open = counters["connectionsOpen"] as? Int, let rejected = counters["connectionsRejected"] as? Int
        else { throw BenchmarkError("daemon.status has no counters") }
        return (open, rejected)
    }
}
