import Glibc
import Synchronization

/// Kills the running daemon when the benchmark gets SIGINT, SIGTERM or SIGHUP, then lets the
/// signal end the benchmark as usual. The benchmark runs at most one daemon at a time, so one
/// atomic slot is enough, and an atomic load and `kill` are async-signal-safe.
///
/// (A crash of the benchmark itself is not covered: the Swift runtime's backtracer owns those
/// signals. The temporary directory is left behind on an interrupt.)
enum InterruptCleanup {
    private static let runningDaemon = Atomic<Int32>(0)

    /// Installs the handlers; call once at start.
    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] { signal(signalNumber, interruptHandler) }
    }

    static func daemonStarted(_ pid: pid_t) { Self.runningDaemon.store(pid, ordering: .sequentiallyConsistent) }

    static func daemonEnded(_ pid: pid_t) {
        _ = Self.runningDaemon.compareExchange(expected: pid, desired: 0, ordering: .sequentiallyConsistent)
    }

    fileprivate static func killRunningDaemon() {
        let pid = Self.runningDaemon.load(ordering: .sequentiallyConsistent)
        if pid > 0 { kill(pid, SIGKILL) }
    }
}

private func interruptHandler(_ signalNumber: Int32) {
    InterruptCleanup.killRunningDaemon()
    signal(signalNumber, SIG_DFL)
    raise(signalNumber)
}
