import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A task executor with a fixed number of threads of its own, for tests that block (a synchronous test that waits on a
/// child process or a socket): run on it, they leave Swift's cooperative pool, which has one thread per core, to the
/// tests that do not block.
///
/// A job runs to its end on one of the threads, so at most ``threadCount`` blocking tests run at once; the others
/// wait in order. Nothing that runs here may wait for another job of the same executor.
///
/// ```swift
/// try await withTaskExecutorPreference(BlockingTestExecutor.shared) {
///     try await body()   // its synchronous parts run on the executor's threads
/// }
/// ```
public final class BlockingTestExecutor: TaskExecutor {
    /// One executor for a test process, with two threads: as many blocking tests at once as a 2-core machine's
    /// cooperative pool used to hold.
    public static let shared = BlockingTestExecutor(threadCount: 2, label: "evmcs-testing.blocking")

    /// How many threads run jobs.
    public let threadCount: Int
    /// Jobs not yet taken by a thread, oldest first (a few at a time: one per test waiting for a thread).
    private let jobs = Mutex<[UnownedJob]>([])
    private let jobsWaiting = DispatchSemaphore(value: 0)
    private let threads = Mutex<Set<pthread_t>>([])

    /// Starts `threadCount` threads (each a serial dispatch queue's worker that never returns), which live as long
    /// as the process.
    ///
    /// - Parameters:
    ///   - threadCount: How many jobs run at once.
    ///   - label: The queues' label, as debuggers show it.
    public init(threadCount: Int, label: String) {
        precondition(threadCount > 0, "a BlockingTestExecutor needs a thread")
        self.threadCount = threadCount
        for index in 0..<threadCount {
            DispatchQueue(label: "\(label).\(index)").async { self.work() }
        }
    }

    /// Whether the calling thread is one of this executor's.
    public var isCurrentThread: Bool {
        let current = pthread_self()
        return self.threads.withLock { $0.contains(current) }
    }

    /// Queues `job` for the next free thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.jobs.withLock { $0.append(job) }
        self.jobsWaiting.signal()
    }

    private func work() -> Never {
        let current = pthread_self()
        self.threads.withLock { _ = $0.insert(current) }
        while true {
            self.jobsWaiting.wait()
            let job = self.jobs.withLock { $0.removeFirst() }
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
