import Glibc

/// The `NOTIFY_SOCKET` a service manager would own: a datagram socket that receives evmcsd's
/// `sd_notify` messages, used to time start-up to `READY=1`.
final class NotifyListener {
    let path: String
    private let descriptor: Int32

    /// Binds the datagram socket at `path`.
    init(path: String) throws(SystemError) {
        self.path = path
        self.descriptor = try UnixSocket.datagram(boundTo: path)
    }

    /// Discards messages left by a previous daemon (e.g. its `STOPPING=1`).
    func discardPending() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ recv(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) })
            > 0
        {}
    }

    /// Waits for a message with a `READY=1` line.
    ///
    /// - Parameters:
    ///   - process: The daemon; its early exit ends the wait with an error.
    ///   - timeout: Seconds to wait.
    /// - Returns: `CLOCK_MONOTONIC` nanoseconds when the message was received.
    /// - Throws: ``BenchmarkError`` if the daemon exits first or the time runs out.
    func waitForReady(of process: DaemonProcess, timeout: Double) throws -> UInt64 {
        let deadline = MonotonicClock.nanoseconds() + UInt64(timeout * 1e9)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var request = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, 5)
            let now = MonotonicClock.nanoseconds()
            if ready > 0 {
                let count = buffer.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    let message = String(decoding: buffer[..<count], as: UTF8.self)
                    if message.split(separator: "\n").contains("READY=1") { return now }
                }
            }
            if let status = process.exitStatusIfEnded() {
                throw BenchmarkError("evmcsd exited (\(status)) before READY=1")
            }
            guard now < deadline else { throw BenchmarkError("evmcsd sent no READY=1 within \(timeout) s") }
        }
    }

    deinit {
        close(self.descriptor)
        unlink(self.path)
    }
}
