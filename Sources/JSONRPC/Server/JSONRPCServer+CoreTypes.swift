extension JSONRPCServer {
    /// Limits and timeouts of the server and its connections (``JSONRPCServerConfiguration``, from `JSONRPCCore`).
    public typealias Configuration = JSONRPCServerConfiguration
    /// How many connections the server admits (``JSONRPCConnectionLimits``, from `JSONRPCCore`).
    public typealias ConnectionLimits = JSONRPCConnectionLimits
    /// A snapshot of the server's counters (``JSONRPCServerStatistics``, from `JSONRPCCore`).
    public typealias Statistics = JSONRPCServerStatistics
}
