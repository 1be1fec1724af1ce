import Glibc
import Synchronization

/// A joinable POSIX thread that runs a closure and hands back its result.
///
/// The benchmark's client loops and the reference server block in `poll`/`read`; they run on
/// their own threads, never on Swift's cooperative pool.
///
/// ```swift
/// let worker = try PosixThread(name: "client-0") { runClientLoop() }
/// let outcome = worker.join()
/// ```
final class PosixThread<Output: Sendable> {
    /// Where the thread leaves its result for ``join()``.
    private final class Slot: Sendable {
        let output = Mutex<Output?>(nil)
    }

    private let handle: pthread_t
    private let slot: Slot
    private var joined = false

    /// Starts the thread.
    ///
    /// - Parameters:
    ///   - name: Shown by `top -H`, `perf` and valgrind (at most 15 bytes are kept).
    ///   - body: What the thread runs; its result is returned by ``join()``.
    /// - Throws: ``SystemError`` if the thread cannot be created.
    init(name: String, _ body: @escaping @Sendable () -> Output) throws(SystemError) {
        let slot = Slot()
        self.slot = slot
        self.handle = try ThreadStart.launch(name: name) {
            let output = body()
            slot.output.withLock { $0 = output }
        }
    }

    /// Waits for the thread to finish and returns what its closure returned. Call it once.
    func join() -> Output {
        precondition(!self.joined, "a PosixThread is joined once")
        self.joined = true
        pthread_join(self.handle, nil)
        return self.slot.output.withLock { $0! }
    }

    /// A thread never joined (an error path) is detached so its resources are freed when it ends.
    deinit {
        if !self.joined { pthread_detach(self.handle) }
    }
}

/// What a new thread runs; passed through `pthread_create` as a retained pointer.
private final class ThreadStart: Sendable {
    let name: String
    let body: @Sendable () -> Void

    private init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    static func launch(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) -> pthread_t {
        let start = Unmanaged.passRetained(ThreadStart(name: name, body: body))
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, threadEntry, start.toOpaque())
        guard result == 0 else {
            start.release()
            throw SystemError("pthread_create(\(name))", code: result)
        }
        return handle
    }
}

private func threadEntry(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
    ThreadName.set(start.name)
    start.body()
    return nil
}

/// The calling thread's kernel identity, through procfs (`gettid` and `pthread_setname_np` are GNU
/// extensions that Swift's Glibc module does not import).
enum ThreadName {
    /// Names the calling thread (`/proc/thread-self/comm`); best effort.
    static func set(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    /// The calling thread's id (`/proc/thread-self` links to `PID/task/TID`).
    static func currentThreadID() -> Int32? {
        var target = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/thread-self", &target, target.count - 1)
        guard length > 0 else { return nil }
        let text = String(decoding: target[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { Int32($0) }
    }
}
