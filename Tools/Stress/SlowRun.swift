#if canImport(Glibc)
    import Glibc
#endif

/// Hostile slow clients — readers that never read, writers that trickle a partial line —
/// while a control client measures how fast honest requests are still answered.
struct SlowRun {
    let socketPath: String
    let readers: Int
    let trickles: Int
    let seconds: Double
    let daemon: ProcessProbe

    struct Outcome {
        var controlRequests = 0
        var controlWorstMilliseconds = 0.0
        var tricklesClosed = 0
        var peakResidentKiB = 0
    }

    func run() throws(StressError) -> Outcome {
        var outcome = Outcome()
        let request = Array("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.profile\"}\n".utf8)
        let burst = Array([[UInt8]](repeating: request, count: 2_000).joined())
        var slowReaders: [LineSocket] = []
        for _ in 0..<readers {
            let socket = try LineSocket(path: socketPath)
            socket.write(burst, timeoutMilliseconds: 200)  // the daemon stops reading: the write stalls
            slowReaders.append(socket)
        }
        var trickling: [LineSocket] = []
        for _ in 0..<trickles { trickling.append(try LineSocket(path: socketPath)) }
        let control = try LineSocket(path: socketPath)
        let started = now()
        var tick = 0
        while now() - started < seconds {
            tick += 1
            for socket in trickling where !socket.isClosed {
                socket.write([UInt8(ascii: "{")], timeoutMilliseconds: 10)
            }
            let before = now()
            control.write(Array("{\"jsonrpc\":\"2.0\",\"id\":\(tick),\"method\":\"daemon.status\"}\n".utf8))
            guard control.readLine(timeoutMilliseconds: 5_000) != nil else {
                throw .daemon("the control client got no answer within 5 s")
            }
            outcome.controlWorstMilliseconds = max(outcome.controlWorstMilliseconds, (now() - before) * 1000)
            outcome.controlRequests += 1
            outcome.peakResidentKiB = max(outcome.peakResidentKiB, daemon.residentKiB ?? 0)
            for socket in trickling { socket.fill() }
            usleep(100_000)
        }
        outcome.tricklesClosed = trickling.filter(\.isClosed).count
        _ = slowReaders
        return outcome
    }
}
