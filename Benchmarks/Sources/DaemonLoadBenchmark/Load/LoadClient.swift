import Glibc
import Synchronization

/// What one load-client thread and the coordinating thread share.
final class LoadClientProgress: Sendable {
    /// Answers received so far (published by the client thread after every `poll` round).
    let completed = Atomic<Int>(0)
    /// The client thread's kernel id, for its CPU time.
    let threadID = Mutex<Int32?>(nil)
}

/// Tells the load-client threads to stop issuing requests and drain.
final class LoadStopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)

    func stop() { self.stopped.store(true, ordering: .releasing) }

    var isStopped: Bool { self.stopped.load(ordering: .acquiring) }
}

/// One load-client thread: keeps `window` requests outstanding on each of its connections with
/// a `poll` loop (window 1 is ping-pong), counting answers by their line feeds.
///
/// Each answer read is replaced by a new request at once; all requests a connection owes are
/// written with one `write`. When stopped it issues nothing more and returns once every
/// outstanding request is answered, so each connection ends clean.
struct LoadClient {
    private struct Connection {
        let descriptor: Int32
        /// Request bytes owed but not yet written.
        var unsent: Int
        /// Request bytes written so far (the position in the repeated request stream).
        var sent = 0
        /// Requests issued (written or owed) and not yet answered.
        var unanswered: Int
    }

    let connections: [Int32]
    let request: [UInt8]
    let window: Int
    let progress: LoadClientProgress
    let stopSignal: LoadStopSignal
    /// Seconds to wait for outstanding answers after the stop.
    var drainTimeout: Double = 10

    /// Runs until stopped and drained.
    ///
    /// - Returns: `nil` on success, else what went wrong.
    func run() -> String? {
        self.progress.threadID.withLock { $0 = ThreadName.currentThreadID() }
        let length = self.request.count
        // Enough copies of the request for any write: at most `window` requests are owed.
        let stream = [UInt8]((0...self.window).lazy.flatMap { _ in self.request })
        var states = self.connections.map {
            Connection(descriptor: $0, unsent: self.window * length, unanswered: self.window)
        }
        var descriptors = [pollfd](repeating: pollfd(), count: states.count)
        var scratch = [UInt8](repeating: 0, count: 256 * 1024)
        var completed = 0
        var drainDeadline: UInt64?
        while true {
            let stopping = self.stopSignal.isStopped
            if stopping {
                if states.allSatisfy({ $0.unanswered == 0 }) { return nil }
                let now = MonotonicClock.nanoseconds()
                if drainDeadline == nil { drainDeadline = now + UInt64(self.drainTimeout * 1e9) }
                if let drainDeadline, now > drainDeadline {
                    return "answers still missing \(self.drainTimeout) s after the load stopped"
                }
            }
            for index in states.indices {
                let events = Int32(POLLIN) | (states[index].unsent > 0 ? Int32(POLLOUT) : 0)
                descriptors[index] = pollfd(fd: states[index].descriptor, events: Int16(events), revents: 0)
            }
            guard poll(&descriptors, nfds_t(descriptors.count), 10) >= 0 || errno == EINTR else {
                return "poll: \(SystemError("poll"))"
            }
            for index in states.indices where descriptors[index].revents != 0 {
                if descriptors[index].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    switch Self.readAnswers(states[index].descriptor, into: &scratch) {
                    case .answers(let count):
                        completed += count
                        states[index].unanswered -= count
                        if !stopping {
                            states[index].unsent += count * length
                            states[index].unanswered += count
                        }
                    case .failed(let problem):
                        return problem
                    }
                }
                if states[index].unsent > 0, let problem = Self.send(&states[index], stream, length) {
                    return problem
                }
            }
            self.progress.completed.store(completed, ordering: .relaxed)
        }
    }

    private enum ReadOutcome {
        case answers(Int)
        case failed(String)
    }

    /// One `read`; answers are counted by line feed (an answer split across reads counts once).
    private static func readAnswers(_ descriptor: Int32, into scratch: inout [UInt8]) -> ReadOutcome {
        scratch.withUnsafeMutableBytes { buffer in
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count == 0 { return .failed("the server closed a connection") }
            if count < 0 {
                return errno == EAGAIN || errno == EINTR ? .answers(0) : .failed("\(SystemError("read"))")
            }
            var lineFeeds = 0
            var position = buffer.baseAddress!
            let end = position + count
            while let found = memchr(position, 0x0A, end - position) {
                lineFeeds += 1
                position = UnsafeMutableRawPointer(found) + 1
            }
            return .answers(lineFeeds)
        }
    }

    /// Writes what the connection owes, as far as the socket takes it.
    private static func send(_ connection: inout Connection, _ stream: [UInt8], _ length: Int) -> String? {
        let offset = connection.sent % length
        let (descriptor, count) = (connection.descriptor, connection.unsent)
        let written = stream.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, count) }
        if written < 0 { return errno == EAGAIN || errno == EINTR ? nil : "\(SystemError("write"))" }
        connection.unsent -= written
        connection.sent += written
        return nil
    }
}
