import Glibc
import Synchronization

/// One reference-server thread: a `poll` loop over its connections (worker 0 also accepts and
/// deals connections out round-robin). Confined to its thread.
///
/// For every read it answers each complete line with the canned response for the method the line
/// names, then writes all answers with one `write` — what evmcsd does per read, minus the JSON.
/// While answers are still unwritten (the client does not keep up) it only writes, so the output
/// never holds more than one read's worth of answers.
final class ReferenceWorker {
    private struct Connection {
        let descriptor: Int32
        var input: [UInt8]
        var inputCount = 0
        var output: [UInt8] = []
        var outputStart = 0

        var pendingOutput: Int { self.output.count - self.outputStart }
    }

    /// Longest request line; a longer one closes the connection.
    private static let inputCapacity = 64 * 1024

    private let mailbox: ReferenceMailbox
    private let peers: [ReferenceMailbox]
    private let listener: Int32?
    private let responses: CannedResponses
    private var connections: [Connection] = []
    private var nextPeer = 0

    /// - Parameters:
    ///   - mailbox: This worker's mailbox.
    ///   - peers: Every worker's mailbox, this one included, for dealing out connections.
    ///   - listener: The listening socket, for the accepting worker only.
    ///   - responses: The answers.
    init(mailbox: ReferenceMailbox, peers: [ReferenceMailbox], listener: Int32?, responses: CannedResponses) {
        self.mailbox = mailbox
        self.peers = peers
        self.listener = listener
        self.responses = responses
    }

    /// Serves until the mailbox asks it to stop, then closes its connections.
    func run() {
        self.mailbox.threadID.withLock { $0 = ThreadName.currentThreadID() }
        var descriptors: [pollfd] = []
        while !self.mailbox.isStopRequested {
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: self.mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0))
            descriptors.append(pollfd(fd: self.listener ?? -1, events: Int16(POLLIN), revents: 0))
            for connection in self.connections {
                var events: Int32 = 0
                events |= connection.pendingOutput == 0 ? Int32(POLLIN) : Int32(POLLOUT)
                descriptors.append(pollfd(fd: connection.descriptor, events: Int16(events), revents: 0))
            }
            guard poll(&descriptors, nfds_t(descriptors.count), -1) > 0 else { continue }
            let polled = self.connections.count  // connections adopted below were not polled
            if descriptors[0].revents != 0 { self.adopt(self.mailbox.takeDelivered()) }
            if descriptors[1].revents != 0 { self.acceptAll() }
            var closed: [Int] = []
            for index in 0..<polled where descriptors[index + 2].revents != 0 {
                if !self.serve(&self.connections[index], events: descriptors[index + 2].revents) {
                    closed.append(index)
                }
            }
            for index in closed.reversed() {
                close(self.connections[index].descriptor)
                self.connections.remove(at: index)
            }
        }
        for connection in self.connections { close(connection.descriptor) }
        self.connections.removeAll()
    }

    private func adopt(_ descriptors: [Int32]) {
        for descriptor in descriptors {
            self.connections.append(
                Connection(descriptor: descriptor, input: [UInt8](repeating: 0, count: Self.inputCapacity))
            )
        }
    }

    private func acceptAll() {
        guard let listener else { return }
        while true {
            let descriptor = accept(listener, nil, nil)
            guard descriptor >= 0 else { return }  // EAGAIN: all accepted
            // No daemon is spawned while the reference server runs, so the brief window before
            // FD_CLOEXEC (accept4 is not imported into Swift) leaks nothing.
            guard (try? UnixSocket.setNonBlocking(descriptor)) != nil, fcntl(descriptor, F_SETFD, FD_CLOEXEC) == 0
            else {
                close(descriptor)
                continue
            }
            let peer = self.peers[self.nextPeer % self.peers.count]
            self.nextPeer += 1
            if peer === self.mailbox {
                self.adopt([descriptor])
            } else {
                peer.hand(descriptor)
            }
        }
    }

    /// Reads, answers and writes; `false` when the connection is finished.
    private func serve(_ connection: inout Connection, events: Int16) -> Bool {
        if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 && connection.pendingOutput == 0 {
            let (descriptor, filled) = (connection.descriptor, connection.inputCount)
            let count = connection.input.withUnsafeMutableBytes { input in
                read(descriptor, input.baseAddress! + filled, input.count - filled)
            }
            if count == 0 { return false }
            if count < 0 { return errno == EAGAIN || errno == EINTR }
            connection.inputCount += count
            guard self.answerCompleteLines(&connection) else { return false }
        }
        return Self.writePending(&connection)
    }

    /// Appends one response per complete line and keeps the incomplete rest.
    private func answerCompleteLines(_ connection: inout Connection) -> Bool {
        var output = connection.output
        connection.output = []  // keep `output` uniquely referenced while appending
        let filled = connection.inputCount
        let consumed = connection.input.withUnsafeMutableBytes { input -> Int in
            let base = input.baseAddress!
            var lineStart = 0
            while let found = memchr(base + lineStart, 0x0A, filled - lineStart) {
                let lineFeed = base.distance(to: UnsafeMutableRawPointer(found))
                let line = UnsafeRawBufferPointer(start: base + lineStart, count: lineFeed - lineStart)
                output += self.responses.response(for: line)
                lineStart = lineFeed + 1
            }
            memmove(base, base + lineStart, filled - lineStart)
            return lineStart
        }
        connection.output = output
        connection.inputCount -= consumed
        return connection.inputCount < Self.inputCapacity
    }

    /// Writes as much pending output as the socket takes; `false` on a write error.
    private static func writePending(_ connection: inout Connection) -> Bool {
        guard connection.pendingOutput > 0 else { return true }
        let (descriptor, start, count) = (connection.descriptor, connection.outputStart, connection.pendingOutput)
        let written = connection.output.withUnsafeBytes { output in
            write(descriptor, output.baseAddress! + start, count)
        }
        if written < 0 { return errno == EAGAIN || errno == EINTR }
        connection.outputStart += written
        if connection.pendingOutput == 0 {
            connection.output.removeAll(keepingCapacity: true)
            connection.outputStart = 0
        }
        return true
    }
}
