import Glibc
import Synchronization

/// The reference for every figure: a minimal newline-delimited server on the same kind of Unix
/// stream socket, in plain POSIX calls (`poll`, `read`, `write`), answering each request line
/// with a canned line as long as evmcsd's answer. It does no JSON, no allocation per request and
/// no bookkeeping, so it shows what the socket round trip itself costs on this machine.
///
/// Like evmcsd's `MultiThreadedEventLoopGroup.singleton` it runs one thread per core by default,
/// each serving the connections dealt to it.
///
/// ```swift
/// let server = try ReferenceServer(path: "/tmp/ref.sock", responses: canned, threads: 2)
/// defer { server.stop() }
/// ```
final class ReferenceServer {
    let path: String
    private let listener: Int32
    private let mailboxes: [ReferenceMailbox]
    private var threads: [PosixThread<Void>] = []
    private var isListening = true

    /// Listens at `path` and starts the worker threads.
    ///
    /// - Throws: ``SystemError`` if the socket or a thread cannot be set up.
    /// - Parameters:
    ///   - path: The socket file to create.
    ///   - responses: The answers.
    ///   - threads: Worker threads.
    ///   - cpus: CPUs for the worker threads, or `nil` for no pinning.
    init(path: String, responses: CannedResponses, threads: Int, cpus: UInt64?) throws(SystemError) {
        self.path = path
        self.listener = try UnixSocket.listen(at: path, backlog: 1024)
        var created: [ReferenceMailbox] = []
        for _ in 0..<max(1, threads) { created.append(try ReferenceMailbox()) }
        let mailboxes = created
        self.mailboxes = mailboxes
        for (index, mailbox) in mailboxes.enumerated() {
            let listener = index == 0 ? self.listener : nil
            do {
                self.threads.append(
                    try PosixThread(name: "reference-\(index)") {
                        if let cpus { try? CPUSet.pinCurrentThread(to: cpus) }
                        ReferenceWorker(mailbox: mailbox, peers: mailboxes, listener: listener, responses: responses)
                            .run()
                    }
                )
            } catch {
                self.stop()
                throw error
            }
        }
    }

    /// CPU time used so far by the worker threads, in nanoseconds.
    func cpuNanoseconds() -> UInt64 {
        let threadIDs = self.mailboxes.compactMap { mailbox in mailbox.threadID.withLock { $0 } }
        return ProcessStatistics.cpuNanoseconds(of: getpid(), threads: threadIDs)
    }

    /// Stops the workers (closing their connections), closes the socket and removes its file.
    /// Later calls do nothing.
    func stop() {
        for mailbox in self.mailboxes { mailbox.requestStop() }
        for thread in self.threads { thread.join() }
        self.threads.removeAll()
        guard self.isListening else { return }
        self.isListening = false
        close(self.listener)
        unlink(self.path)
    }

    deinit { self.stop() }
}
