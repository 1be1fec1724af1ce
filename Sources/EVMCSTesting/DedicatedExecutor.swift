import Dispatch

/// A task executor with its own thread (a serial dispatch queue), for tests whose tasks must make
/// progress while other tests block the cooperative pool, which on a 2-core machine has 2 threads.
///
/// ```swift
/// try await withTaskExecutorPreference(DedicatedExecutor.shared) {
///     try await body()   // its child tasks and resumptions run on the executor's thread
/// }
/// ```
public final class DedicatedExecutor: TaskExecutor {
    /// One executor for a test process.
    public static let shared = DedicatedExecutor(label: "evmcs-testing.executor")

    private let queue: DispatchQueue

    /// Creates an executor on a new serial queue.
    ///
    /// - Parameter label: The queue's label, as debuggers show it.
    public init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    /// Runs `job` on the executor's queue.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.queue.async {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
