#if canImport(Glibc)
    import Glibc
#endif

/// Many concurrent clients, each pipelining requests with unique ids: every answer must
/// arrive exactly once, on its own connection, in order.
struct LoadRun {
    let socketPath: String
    let clients: Int
    let requests: Int
    let daemon: ProcessProbe

    struct Outcome {
        var answered = 0
        var lost = 0
        var duplicatedOrMismatched = 0
        var seconds = 0.0
        var peakResidentKiB = 0
    }

    func run() throws(StressError) -> Outcome {
        raiseOpenFileLimit()
        var sockets: [LineSocket] = []
        for _ in 0..<clients { sockets.append(try LineSocket(path: socketPath)) }
        let started = now()
        var expected = [Int](repeating: 0, count: clients)
        let methods = ["daemon.status", "host.evmcs", "host.history", "host.vmx"]
        for (client, socket) in sockets.enumerated() {
            var text = ""
            for request in 0..<requests {
                text +=
                    "{\"jsonrpc\":\"2.0\",\"id\":\(client * 1_000_000 + request),\"method\":\"\(methods[request % methods.count])\"}\n"
            }
            socket.write(Array(text.utf8))
        }
        var outcome = Outcome()
        var open = Set(0..<clients)
        while !open.isEmpty {
            let order = Array(open)
            var descriptors = order.map { pollfd(fd: sockets[$0].descriptor, events: Int16(POLLIN), revents: 0) }
            guard poll(&descriptors, nfds_t(descriptors.count), 15_000) > 0 else { break }
            for (slot, client) in order.enumerated() where descriptors[slot].revents != 0 {
                let socket = sockets[client]
                socket.fill()
                while let line = socket.nextLine() {
                    let text = String(decoding: line, as: UTF8.self)
                    let wanted = "\"id\":\(client * 1_000_000 + expected[client]),"
                    if text.contains(wanted) && text.contains("\"result\"") {
                        outcome.answered += 1
                    } else {
                        outcome.duplicatedOrMismatched += 1
                    }
                    expected[client] += 1
                }
                if expected[client] >= requests || socket.isClosed { open.remove(client) }
            }
            outcome.peakResidentKiB = max(outcome.peakResidentKiB, daemon.residentKiB ?? 0)
        }
        outcome.seconds = now() - started
        // Anything arriving after every client has its answers is a duplicate.
        var descriptors = sockets.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
        if poll(&descriptors, nfds_t(descriptors.count), 200) > 0 {
            for (client, socket) in sockets.enumerated() where descriptors[client].revents & Int16(POLLIN) != 0 {
                socket.fill()
                while socket.nextLine() != nil { outcome.duplicatedOrMismatched += 1 }
            }
        }
        outcome.lost = max(0, clients * requests - outcome.answered - outcome.duplicatedOrMismatched)
        return outcome
    }
}

/// Connects and disconnects many times (some with a request): no descriptor or memory may
/// stay behind in the daemon.
struct ChurnRun {
    let socketPath: String
    let connections: Int
    let daemon: ProcessProbe

    struct Outcome {
        var completed = 0
        var failures = 0
        var seconds = 0.0
        var descriptorsBefore: Int?
        var descriptorsAfter: Int?
        var residentBeforeKiB: Int?
        var residentAfterKiB: Int?
    }

    func run() throws(StressError) -> Outcome {
        var outcome = Outcome(descriptorsBefore: daemon.descriptorCount, residentBeforeKiB: daemon.residentKiB)
        let started = now()
        for index in 0..<connections {
            do {
                let socket = try LineSocket(path: socketPath)
                if index % 2 == 0 {
                    socket.write(Array("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.status\"}\n".utf8))
                    if socket.readLine() == nil { outcome.failures += 1 }
                }
                outcome.completed += 1
            } catch {
                outcome.failures += 1
            }
        }
        outcome.seconds = now() - started
        // Let the daemon notice the last closes.
        for _ in 0..<50 where daemon.descriptorCount ?? 0 > outcome.descriptorsBefore ?? 0 { usleep(20_000) }
        outcome.descriptorsAfter = daemon.descriptorCount
        outcome.residentAfterKiB = daemon.residentKiB
        return outcome
    }
}
