import CSystemd

#if canImport(Glibc)
    import Glibc
#endif

/// Sends service state to systemd with `sd_notify(3)`. Without `NOTIFY_SOCKET` (not
/// started by systemd) every call is a no-op, so the daemon behaves the same either way.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// `READY=1` with a status line: startup or a reload is complete.
    public func ready(status: String) { send("READY=1\nSTATUS=\(Self.sanitize(status))") }

    /// `RELOADING=1` with `MONOTONIC_USEC` (required by `Type=notify-reload`).
    public func reloading() { send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())") }

    /// `STOPPING=1`: graceful shutdown has begun.
    public func stopping() { send("STOPPING=1\nSTATUS=stopping") }

    /// `STATUS=`: a short human summary.
    public func status(_ text: String) { send("STATUS=\(Self.sanitize(text))") }

    /// `WATCHDOG=1`: the service is healthy.
    public func watchdog() { send("WATCHDOG=1") }

    /// The watchdog interval systemd expects pings within, or `nil` when none is set.
    public func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }

    /// Status lines are single lines.
    private static func sanitize(_ text: String) -> String {
        text.replacingNewlines()
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
