import Foundation
import JSONRPC

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking newline-delimited client on a Unix stream socket, as a script or socat would
/// talk to evmcsd: write lines, read lines, with timeouts.
final class LineClient {
    let descriptor: Int32
    private var buffer: [UInt8] = []

    enum Failure: Error, CustomStringConvertible {
        case connect(Int32)
        case timeout
        case closed
        case io(Int32)

        var description: String {
            switch self {
            case .connect(let code): "connect failed: \(String(cString: strerror(code)))"
            case .timeout: "timed out"
            case .closed: "connection closed by the daemon"
            case .io(let code): "I/O error: \(String(cString: strerror(code)))"
            }
        }
    }

    init(path: String) throws {
        // Connected before `self` exists: a failed connect leaves no object whose deinit would
        // close the descriptor a second time.
        do {
            descriptor = try UnixSocketAddress.connectedStream(to: path)
        } catch {
            throw Failure.connect(error.errno)
        }
    }

    deinit { close(descriptor) }

    /// Writes `text` plus a newline.
    func send(_ text: String) throws { try sendRaw(Array((text + "\n").utf8)) }

    func sendRaw(_ bytes: [UInt8]) throws {
        if let code = Self.writeAll(bytes, to: descriptor) { throw Failure.io(code) }
    }

    /// Writes everything (blocking), for use from another thread; returns the errno on failure.
    @discardableResult
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += count
        }
        return nil
    }

    /// Closes the write side (the daemon still answers what it has read).
    func finishWriting() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// The next line, without its newline.
    func readLine(timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            try fill(until: deadline)
        }
    }

    /// The next line parsed as a JSON object.
    func readJSON(timeout: Double = 10) throws -> [String: Any] {
        let line = try readLine(timeout: timeout)
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Failure.io(EBADMSG)
        }
        return object
    }

    /// Sends one request and returns the response object.
    func call(_ method: String, params: String? = nil, id: Int = 1) throws -> [String: Any] {
        let paramsText = params.map { ",\"params\":\($0)" } ?? ""
        try send("{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"\(method)\"\(paramsText)}")
        return try readJSON()
    }

    /// True when the daemon closed the connection (EOF) within `timeout`.
    func isClosedByPeer(timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            do {
                try fill(until: deadline)
            } catch Failure.closed {
                return true
            } catch {
                return false
            }
        }
    }

    private func fill(until deadline: Date) throws {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { throw Failure.timeout }
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptorSet, 1, Int32(min(remaining, 60) * 1000))
        if ready < 0 {
            if errno == EINTR { return }
            throw Failure.io(errno)
        }
        guard ready > 0 else { throw Failure.timeout }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EINTR || errno == EAGAIN { return }
            if errno == ECONNRESET { throw Failure.closed }
            throw Failure.io(errno)
        }
        guard count > 0 else { throw Failure.closed }
        buffer.append(contentsOf: chunk[0..<count])
    }
}

extension Dictionary where Key == String, Value == Any {
    var result: [String: Any]? { self["result"] as? [String: Any] }
    var errorCode: Int? { (self["error"] as? [String: Any])?["code"] as? Int }
    var errorData: [String: Any]? { (self["error"] as? [String: Any])?["data"] as? [String: Any] }
}
