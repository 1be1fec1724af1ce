import EVMCSTesting
import Glibc

/// A running evmcsd started by the benchmark (a ``ChildProcess``, shared with the tests): stopped
/// with SIGTERM by ``stop(timeout:)`` and killed on release if a failed measurement left it
/// running, or by ``InterruptCleanup`` if the benchmark is interrupted, so no daemon outlives the
/// run.
final class DaemonProcess {
    private let process: ChildProcess

    private init(process: ChildProcess) {
        self.process = process
        InterruptCleanup.daemonStarted(process.pid)
    }

    deinit {
        self.kill()
    }

    /// The daemon's process id.
    var pid: pid_t { self.process.pid }

    /// Starts evmcsd (stdout and stderr are the benchmark's).
    ///
    /// - Parameters:
    ///   - launch: What to run.
    ///   - cpus: CPUs for every thread of the daemon (it inherits the spawning thread's mask), or
    ///     `nil` for the benchmark's own.
    /// - Throws: ``SystemError`` when the program cannot be started.
    static func spawn(_ launch: DaemonLaunch, cpus: UInt64? = nil) throws -> DaemonProcess {
        try CPUSet.withCurrentThread(pinnedTo: cpus) { () throws(SystemError) in
            do throws(ChildProcess.SpawnError) {
                return DaemonProcess(
                    process: try ChildProcess.spawn(
                        launch.executable,
                        arguments: Array(launch.arguments.dropFirst()),
                        environment: launch.environment(inheriting: ChildProcess.currentEnvironment)
                    )
                )
            } catch {
                throw SystemError("posix_spawn(\(launch.executable))", code: error.errno)
            }
        }
    }

    /// How the process ended (reaping it), else `nil`.
    func exitStatusIfEnded() -> ChildProcess.ExitStatus? {
        guard let status = self.process.exitStatusIfEnded() else { return nil }
        InterruptCleanup.daemonEnded(self.pid)
        return status
    }

    /// Sends SIGTERM and waits for a clean exit.
    ///
    /// - Parameter timeout: Seconds to wait before SIGKILL.
    /// - Throws: ``BenchmarkError`` if evmcsd did not exit 0 in time (it is killed then).
    func stop(timeout: Double = 10) throws {
        let (status, killed) = self.process.stop(timeout: timeout)
        InterruptCleanup.daemonEnded(self.pid)
        if killed {
            throw BenchmarkError("evmcsd (pid \(self.pid)) did not stop within \(timeout) s of SIGTERM; killed")
        }
        guard status == .exited(0) else { throw BenchmarkError("evmcsd (pid \(self.pid)) stopped with \(status)") }
    }

    /// SIGKILL and reap.
    func kill() {
        self.process.kill()
        InterruptCleanup.daemonEnded(self.pid)
    }
}
