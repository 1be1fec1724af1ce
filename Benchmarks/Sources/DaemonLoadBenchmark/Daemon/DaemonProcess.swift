import Glibc

/// A running evmcsd started by the benchmark; stopped with SIGTERM by ``stop(timeout:)`` and
/// killed by `deinit` if a failed measurement left it running, or by ``InterruptCleanup`` if the
/// benchmark is interrupted, so no daemon outlives the run.
final class DaemonProcess {
    let pid: pid_t
    private var exited = false

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts evmcsd with `posix_spawn` (stdout and stderr are the benchmark's).
    ///
    /// - Parameters:
    ///   - launch: What to run.
    ///   - cpus: CPUs for every thread of the daemon (it inherits the spawning thread's mask), or
    ///     `nil` for the benchmark's own.
    /// - Throws: ``SystemError`` when the program cannot be started.
    static func spawn(_ launch: DaemonLaunch, cpus: UInt64? = nil) throws -> DaemonProcess {
        try CPUSet.withCurrentThread(pinnedTo: cpus) { () throws(SystemError) in try Self.spawn(launch) }
    }

    private static func spawn(_ launch: DaemonLaunch) throws(SystemError) -> DaemonProcess {
        var inherited: [String] = []
        var entry = environ
        while let variable = entry.pointee {
            inherited.append(String(cString: variable))
            entry += 1
        }
        let arguments = launch.arguments.map { strdup($0) } + [nil]
        let environment = launch.environment(inheriting: inherited).map { strdup($0) } + [nil]
        defer {
            arguments.forEach { free($0) }
            environment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, launch.executable, nil, nil, arguments, environment)
        guard result == 0 else { throw SystemError("posix_spawn(\(launch.executable))", code: result) }
        InterruptCleanup.daemonStarted(pid)
        return DaemonProcess(pid: pid)
    }

    /// The exit status if the process has ended (reaping it), else `nil`.
    func exitStatusIfEnded() -> Int32? {
        guard !self.exited else { return 0 }
        var status: Int32 = 0
        guard waitpid(self.pid, &status, WNOHANG) == self.pid else { return nil }
        self.exited = true
        InterruptCleanup.daemonEnded(self.pid)
        return status
    }

    /// Sends SIGTERM and waits for a clean exit.
    ///
    /// - Parameter timeout: Seconds to wait before SIGKILL.
    /// - Throws: ``BenchmarkError`` if evmcsd did not exit 0 in time (it is killed then).
    func stop(timeout: Double = 10) throws {
        guard !self.exited else { return }
        Glibc.kill(self.pid, SIGTERM)
        let deadline = MonotonicClock.nanoseconds() + UInt64(timeout * 1e9)
        while MonotonicClock.nanoseconds() < deadline {
            if let status = self.exitStatusIfEnded() {
                guard Self.exitedNormally(status) && Self.exitCode(status) == 0 else {
                    throw BenchmarkError("evmcsd (pid \(self.pid)) stopped with \(Self.describe(status))")
                }
                return
            }
            MonotonicClock.sleep(seconds: 0.001)
        }
        self.kill()
        throw BenchmarkError("evmcsd (pid \(self.pid)) did not stop within \(timeout) s of SIGTERM; killed")
    }

    /// SIGKILL and reap.
    func kill() {
        guard !self.exited else { return }
        Glibc.kill(self.pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(self.pid, &status, 0) == -1 && errno == EINTR {}
        self.exited = true
        InterruptCleanup.daemonEnded(self.pid)
    }

    deinit { self.kill() }

    // The W* macros are not imported into Swift.
    static func exitedNormally(_ status: Int32) -> Bool { status & 0x7f == 0 }
    static func exitCode(_ status: Int32) -> Int32 { (status >> 8) & 0xff }

    static func describe(_ status: Int32) -> String {
        exitedNormally(status) ? "exit status \(exitCode(status))" : "signal \(status & 0x7f)"
    }
}
