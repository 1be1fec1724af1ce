#if canImport(Glibc)
    import Glibc
#endif

/// A program started with `posix_spawn` for a test or a benchmark: signalled, waited for and reaped
/// here, and killed when released, so no child outlives its owner.
///
/// ```swift
/// let daemon = try ChildProcess.spawn("/usr/sbin/evmcsd", arguments: ["--config", path], outputFile: log)
/// defer { daemon.kill() }
/// let status = daemon.stop(timeout: 10)   // SIGTERM, then SIGKILL after the timeout
/// ```
public final class ChildProcess {
    /// How a process ended.
    public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
        /// It called `exit` with this code.
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)

        init(waitStatus status: Int32) {
            // The W* macros are not imported into Swift.
            self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        }

        /// `exit status N` or `signal N`.
        public var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    /// A failed `posix_spawn`.
    public struct SpawnError: Error, Sendable, CustomStringConvertible {
        /// The program that could not be started.
        public let executable: String
        /// The error `posix_spawn` returned.
        public let errno: Int32

        /// `cannot start <program>: <strerror>`.
        public var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
    }

    /// The process id.
    public let pid: pid_t
    private var status: ExitStatus?

    private init(pid: pid_t) {
        self.pid = pid
    }

    deinit { self.kill() }

    /// Starts `executable`.
    ///
    /// - Parameters:
    ///   - executable: The program's path.
    ///   - arguments: Its arguments (without the program name, which is `executable`).
    ///   - environment: Its whole environment, as `NAME=value`.
    ///   - outputFile: Where its standard output and error go (appended), or `nil` for the caller's.
    /// - Returns: The running process.
    /// - Throws: ``SpawnError`` when it cannot be started.
    public static func spawn(
        _ executable: String,
        arguments: [String],
        environment: [String],
        outputFile: String? = nil
    ) throws(SpawnError) -> ChildProcess {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let outputFile {
            posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw SpawnError(executable: executable, errno: result) }
        return ChildProcess(pid: pid)
    }

    /// The calling process's environment, as `NAME=value`.
    public static var currentEnvironment: [String] {
        var variables: [String] = []
        var entry = environ
        while let variable = entry.pointee {
            variables.append(String(cString: variable))
            entry += 1
        }
        return variables
    }

    /// Whether the process is still running (reaping it if it has ended).
    public var isRunning: Bool { self.exitStatusIfEnded() == nil }

    /// How the process ended, reaping it; `nil` while it runs.
    public func exitStatusIfEnded() -> ExitStatus? {
        if let status { return status }
        var raw: Int32 = 0
        guard waitpid(self.pid, &raw, WNOHANG) == self.pid else { return nil }
        self.status = ExitStatus(waitStatus: raw)
        return self.status
    }

    /// Sends `signal` if the process still runs.
    public func signal(_ signal: Int32) {
        guard self.status == nil else { return }
        Glibc.kill(self.pid, signal)
    }

    /// Waits until the process ends.
    @discardableResult
    public func wait() -> ExitStatus {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(self.pid, &raw, 0) == -1 && errno == EINTR {}
        let status = ExitStatus(waitStatus: raw)
        self.status = status
        return status
    }

    /// SIGTERM, then waits up to `timeout` seconds before SIGKILL.
    ///
    /// - Parameter timeout: Seconds to wait for a clean exit.
    /// - Returns: How it ended, and whether it had to be killed.
    @discardableResult
    public func stop(timeout: Double) -> (status: ExitStatus, killed: Bool) {
        self.signal(SIGTERM)
        let deadline = Self.now() + timeout
        while Self.now() < deadline {
            if let status = self.exitStatusIfEnded() { return (status, false) }
            usleep(1_000)
        }
        self.kill()
        return (self.wait(), true)
    }

    /// SIGKILL and reap (nothing if it already ended).
    public func kill() {
        guard self.exitStatusIfEnded() == nil else { return }
        Glibc.kill(self.pid, SIGKILL)
        self.wait()
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
