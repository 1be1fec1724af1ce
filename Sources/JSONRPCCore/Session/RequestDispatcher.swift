import Logging
import NIOCore
import Synchronization

/// Routes request objects to the registered methods, for every connection of a server: runs immediate methods
/// inline, hands asynchronous ones to the job queue, and maps handler failures to JSON-RPC errors. It knows
/// nothing of transports; a ``ConnectionSession`` calls it.
package final class RequestDispatcher: Sendable {
    /// What became of one request object.
    package enum Disposition {
        /// Answered at once (`id` is `nil` for an error about an unidentifiable request).
        case answered(JSONRPCID?, Result<JSONRPCResult, JSONRPCError>)
        /// Finished without a response (a notification).
        case silent
        /// Handed to the asynchronous job queue; its response comes back through the completion.
        case submitted
    }

    /// The limits of the server and its connections.
    package let configuration: JSONRPCServerConfiguration
    /// The methods answered.
    package let methods: JSONRPCMethods
    /// The request-line parser, with the configured depth and batch limits.
    package let parser: MessageParser
    /// The server's counters.
    package let statistics: StatisticsCollector
    /// Where asynchronous requests run; ``JSONRPCServer`` (or a test) runs it.
    package let jobs: AsyncJobQueue

    /// Creates the dispatcher of a server.
    ///
    /// - Parameters:
    ///   - configuration: The limits in force.
    ///   - methods: The methods to answer.
    ///   - statistics: Where requests and errors are counted.
    package init(configuration: JSONRPCServerConfiguration, methods: JSONRPCMethods, statistics: StatisticsCollector) {
        self.configuration = configuration
        self.methods = methods
        self.parser = MessageParser(
            maximumDepth: configuration.maximumNestingDepth,
            maximumBatchSize: configuration.maximumBatchSize
        )
        self.statistics = statistics
        self.jobs = AsyncJobQueue(limit: configuration.maximumPendingAsyncRequests, statistics: statistics)
    }

    /// Runs (or submits) one request object.
    ///
    /// - Parameters:
    ///   - parsed: The request object as parsed.
    ///   - running: Whether new requests run; `false` answers them with -32003 (the connection drains).
    ///   - context: The request's context.
    ///   - completion: Receives the encoded response of a submitted request (`nil` for a notification), from the
    ///     job's task; `terminated` says whether a single response gets its line feed.
    /// - Returns: What became of the request.
    package func start(
        _ parsed: ParsedRequest,
        running: Bool,
        context: (JSONRPCRequest) -> JSONRPCContext,
        terminated: Bool,
        completion: @escaping @Sendable (ByteBuffer?) -> Void
    ) -> Disposition {
        self.statistics.requests.wrappingAdd(1, ordering: .relaxed)
        let request: JSONRPCRequest
        switch parsed {
        case .invalid(let error, let id): return .answered(id, .failure(error))
        case .request(let valid): request = valid
        }
        let outcome: Result<JSONRPCResult, JSONRPCError>
        if !running {
            outcome = .failure(.shuttingDown)
        } else {
            switch self.methods.implementations[request.method] {
            case nil:
                outcome = .failure(.methodNotFound(request.method))
            case .immediate(let handler):
                let requestContext = context(request)
                do {
                    outcome = .success(try handler(request, requestContext))
                } catch {
                    outcome = .failure(self.rpcError(from: error, logger: requestContext.logger))
                }
            case .async(let handler):
                switch self.submit(handler, request, context(request), terminated: terminated, completion) {
                case .accepted: return .submitted
                case .overloaded: outcome = .failure(.overloaded("too many pending requests"))
                case .closed: outcome = .failure(.shuttingDown)
                }
            }
        }
        return request.isNotification ? .silent : .answered(request.id, outcome)
    }

    private func submit(
        _ handler: @escaping JSONRPCMethods.AsyncHandler,
        _ request: JSONRPCRequest,
        _ context: JSONRPCContext,
        terminated: Bool,
        _ completion: @escaping @Sendable (ByteBuffer?) -> Void
    ) -> AsyncJobQueue.Submission {
        self.jobs.submit {
            let outcome: Result<JSONRPCResult, JSONRPCError>
            do {
                outcome = .success(try await handler(request, context))
            } catch {
                outcome = .failure(self.rpcError(from: error, logger: context.logger))
            }
            guard !request.isNotification else { return completion(nil) }
            self.record(outcome)
            var buffer = ByteBufferAllocator().buffer(capacity: 64)
            ResponseEncoder.writeResponse(id: request.id, outcome: outcome, to: &buffer)
            if terminated { buffer.writeInteger(UInt8(ascii: "\n")) }
            completion(buffer)
        }
    }

    /// Counts an error response.
    package func record(_ outcome: Result<JSONRPCResult, JSONRPCError>) {
        if case .failure(let error) = outcome { self.statistics.recordError(error.code) }
    }

    /// The error sent for a handler's failure; unexpected errors are logged and hidden behind -32603.
    package func rpcError(from error: any Error, logger: Logger) -> JSONRPCError {
        switch error {
        case let error as JSONRPCError:
            return error
        case is CancellationError:
            return .shuttingDown
        default:
            logger.error(
                "method handler failed",
                metadata: ["error": "\(String(reflecting: error))"]
            )
            return .internalError
        }
    }
}
