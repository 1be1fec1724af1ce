import Glibc
import Synchronization

/// How other threads reach one reference worker: new connections, the stop request, and a pipe
/// that wakes the worker's `poll`.
final class ReferenceMailbox: Sendable {
    /// Polled by the worker.
    let wakeDescriptor: Int32
    private let wakeWriteDescriptor: Int32
    private let inbox = Mutex<[Int32]>([])
    private let stopRequested = Atomic<Bool>(false)
    /// The worker's kernel thread id, for its CPU time.
    let threadID = Mutex<Int32?>(nil)

    init() throws(SystemError) {
        var descriptors: [Int32] = [-1, -1]
        try SystemError.check(pipe(&descriptors), "pipe")
        for descriptor in descriptors {
            try UnixSocket.setNonBlocking(descriptor)
            try SystemError.check(fcntl(descriptor, F_SETFD, FD_CLOEXEC), "fcntl(F_SETFD, FD_CLOEXEC)")
        }
        (self.wakeDescriptor, self.wakeWriteDescriptor) = (descriptors[0], descriptors[1])
    }

    /// Gives the worker an accepted connection.
    func hand(_ connection: Int32) {
        self.inbox.withLock { $0.append(connection) }
        self.wake()
    }

    /// Asks the worker to close its connections and return.
    func requestStop() {
        self.stopRequested.store(true, ordering: .releasing)
        self.wake()
    }

    var isStopRequested: Bool { self.stopRequested.load(ordering: .acquiring) }

    /// Drains the wake pipe and returns the connections handed over since the last call.
    func takeDelivered() -> [Int32] {
        var scratch = [UInt8](repeating: 0, count: 64)
        while scratch.withUnsafeMutableBytes({ read(self.wakeDescriptor, $0.baseAddress, $0.count) }) > 0 {}
        return self.inbox.withLock { inbox in
            defer { inbox.removeAll() }
            return inbox
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(self.wakeWriteDescriptor, &byte, 1)  // a full pipe already wakes the worker
    }

    deinit {
        close(self.wakeDescriptor)
        close(self.wakeWriteDescriptor)
        for connection in self.inbox.withLock({ $0 }) { close(connection) }
    }
}
