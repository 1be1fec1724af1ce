import EVMCSTesting
import Testing

/// Runs each test of a suite on ``BlockingTestExecutor/shared``, not on the cooperative pool: the end-to-end tests are
/// synchronous and block on child processes and sockets, and on a 2-core machine two of them used to hold the whole
/// pool while the asynchronous tests of other suites waited.
struct BlockingThreadsTrait: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        // The suite's own scope passes through; each test case gets the executor.
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(BlockingTestExecutor.shared) { try await function() }
    }
}

extension Trait where Self == BlockingThreadsTrait {
    /// The suite's tests block: run them on threads of their own (``BlockingTestExecutor``).
    static var onBlockingThreads: Self { BlockingThreadsTrait() }
}

/// The trait does what it says: a synchronous test of a suite with it runs on the executor's threads.
@Suite("Blocking tests run on threads of their own", .onBlockingThreads)
struct BlockingThreadsTraitTests {
    @Test func aSynchronousTestRunsOnTheBlockingExecutor() {
        #expect(BlockingTestExecutor.shared.isCurrentThread)
    }

    @Test(arguments: [1, 2, 3])
    func eachCaseOfAParameterizedTestToo(_ value: Int) {
        #expect(BlockingTestExecutor.shared.isCurrentThread, "case \(value)")
    }
}

/// Without the trait, a test runs where Swift Testing puts it (the cooperative pool).
@Suite("Tests without the trait stay on the cooperative pool")
struct WithoutBlockingThreadsTraitTests {
    @Test func aSynchronousTestWithoutTheTraitDoesNot() {
        #expect(!BlockingTestExecutor.shared.isCurrentThread)
    }
}
