import Synchronization

/// Hands asynchronous requests from event loops to the task group owned by `JSONRPCServer.run()`.
package final class AsyncJobQueue: Sendable {
    package typealias Job = @Sendable () async -> Void

    package enum Submission {
        case accepted
        /// The server-wide limit of pending asynchronous requests is reached.
        case overloaded
        /// The queue no longer runs jobs (the server is stopping).
        case closed
    }

    private let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    private let limit: Int
    private let statistics: StatisticsCollector

    package init(limit: Int, statistics: StatisticsCollector) {
        (self.stream, self.continuation) = AsyncStream.makeStream(of: Job.self)
        self.limit = limit
        self.statistics = statistics
    }

    /// Queues `job`; safe from any thread.
    package func submit(_ job: @escaping Job) -> Submission {
        let statistics = self.statistics
        guard statistics.asyncRequestsInFlight.wrappingAdd(1, ordering: .relaxed).newValue <= self.limit else {
            statistics.asyncRequestsInFlight.wrappingSubtract(1, ordering: .relaxed)
            return .overloaded
        }
        let wrapped: Job = {
            await job()
            statistics.asyncRequestsInFlight.wrappingSubtract(1, ordering: .relaxed)
        }
        if case .terminated = self.continuation.yield(wrapped) {
            statistics.asyncRequestsInFlight.wrappingSubtract(1, ordering: .relaxed)
            return .closed
        }
        return .accepted
    }

    /// Runs queued jobs as child tasks until ``finish()`` (or cancellation), then waits for the running ones.
    package func run() async {
        await withDiscardingTaskGroup { group in
            for await job in self.stream {
                group.addTask { await job() }
            }
        }
    }

    /// Stops accepting jobs; ``run()`` returns once the running ones are done.
    package func finish() {
        self.continuation.finish()
    }
}
