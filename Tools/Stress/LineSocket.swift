import JSONRPC

#if canImport(Glibc)
    import Glibc
#endif

/// A non-blocking Unix stream client socket with a line buffer, for driving evmcsd from one
/// thread with poll(2).
final class LineSocket {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private(set) var isClosed = false

    /// Connects (blocking), then switches to non-blocking mode.
    init(path: String) throws(StressError) {
        // Connected before `self` exists: a failed connect leaves no object whose deinit would
        // close the descriptor a second time.
        do throws(UnixSocketAddress.Failure) {
            descriptor = try UnixSocketAddress.connectedStream(to: path)
        } catch {
            throw .system(error.operation, error.errno)
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(descriptor) }

    /// Writes everything, waiting for writability as needed. Returns false when the peer closed.
    @discardableResult
    func write(_ bytes: [UInt8], timeoutMilliseconds: Int32 = 10_000) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                offset += count
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                guard poll(&waiting, 1, timeoutMilliseconds) > 0 else { return false }
            } else {
                isClosed = true
                return false
            }
        }
        return true
    }

    /// Closes the write side (the daemon still answers what it read).
    func finishWriting() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Reads what is available without blocking; marks the socket closed at EOF.
    func fill() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                if count < chunk.count { return }
            } else if count == 0 {
                isClosed = true
                return
            } else {
                if errno != EAGAIN && errno != EINTR { isClosed = true }
                return
            }
        }
    }

    /// The next complete line, if buffered.
    func nextLine() -> [UInt8]? {
        guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = Array(buffer[..<newline])
        buffer.removeSubrange(...newline)
        return line
    }

    /// Waits for and returns the next line, or nil on EOF or timeout.
    func readLine(timeoutMilliseconds: Int32 = 10_000) -> [UInt8]? {
        while true {
            if let line = nextLine() { return line }
            if isClosed { return nil }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, timeoutMilliseconds) > 0 else { return nil }
            fill()
        }
    }
}

/// A failure of the stress tool itself (not of the daemon).
enum StressError: Error, CustomStringConvertible {
    case system(String, Int32)
    case daemon(String)

    var description: String {
        switch self {
        case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
        case .daemon(let what): what
        }
    }
}
