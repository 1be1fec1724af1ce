/// Limits and timeouts; every limit is answered with a clear error and affects only the client that hits it.
public struct JSONRPCServerConfiguration: Sendable {
    /// The longest request line in bytes, line feed excluded (default 1 MiB). A longer line is answered with
    /// -32001 (id null) and the connection is closed.
    public var maximumLineLength = 1 << 20
    /// The most elements a batch may have (default 64); more are answered with one -32002 error (id null).
    public var maximumBatchSize = 64
    /// The most requests per connection that are read but not answered on the wire (default 128). At the limit
    /// the server stops reading from that connection until responses go out. Values below 1 count as 1.
    public var maximumPendingRequestsPerConnection = 128
    /// The most asynchronous requests running or queued server-wide (default 4096); more are answered with
    /// -32000 at once.
    public var maximumPendingAsyncRequests = 4096
    /// The deepest JSON nesting accepted in a request (default 128).
    public var maximumNestingDepth = 128
    /// Output buffered per connection before the server stops reading from a client that does not read its
    /// responses (default 64 KiB). Reading resumes below half of it.
    public var maximumBufferedOutputBytes = 64 * 1024
    /// How long a connection may stay without a complete request and with nothing pending before it is
    /// closed (default 300 s); bytes of an unfinished line do not count, so a client trickling a partial
    /// line is closed too. `nil` disables the timeout.
    public var idleTimeout: Duration? = .seconds(300)
    /// How long shutdown waits for in-flight requests before closing the remaining connections (default 30 s).
    public var shutdownGracePeriod: Duration = .seconds(30)

    /// Creates the default configuration.
    public init() {}
}
