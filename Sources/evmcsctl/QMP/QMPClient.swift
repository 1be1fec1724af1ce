import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A QEMU Machine Protocol client on a Unix socket: reads the greeting, negotiates
/// capabilities (`qmp_capabilities`), runs commands and skips asynchronous events while it
/// waits for a reply. Every wait is bounded by one deadline for the whole session.
///
/// ```swift
/// let qmp = try QMPClient(path: "/run/qemu/vm.qmp", timeout: 5)
/// let cpus = try qmp.execute("query-cpus-fast")
/// ```
final class QMPClient {
    private let fd: Int32
    private let path: String
    private let deadline: Date
    private var buffer: [UInt8] = []
    /// The QEMU version from the greeting (`7.2.22`).
    private(set) var version = ""

    /// Connects and negotiates.
    /// - Throws: ``QMPError`` when the socket is absent, refuses, is busy (no greeting: QEMU's
    ///   QMP serves one client at a time), is not QMP, or the deadline passes.
    init(path: String, timeout: Double) throws {
        self.path = path
        deadline = Date().addingTimeInterval(timeout)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw QMPError("\(path): socket: \(String(cString: strerror(errno)))") }
        do {
            try connect()
            try negotiate()
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// Runs `command` and returns its `return` value.
    /// - Throws: ``QMPError`` with QEMU's error class and description, or on timeout.
    func execute(_ command: String, _ arguments: [String: Any]? = nil) throws -> Any {
        var message: [String: Any] = ["execute": command]
        if let arguments { message["arguments"] = arguments }
        try send(message)
        while true {
            let reply = try readMessage(waitingFor: command)
            if reply["event"] != nil { continue }
            if let error = reply["error"] as? [String: Any] {
                throw QMPError(
                    "\(path): \(command): \(error["class"] as? String ?? "Error"): \(error["desc"] as? String ?? "")"
                )
            }
            guard let value = reply["return"] else {
                throw QMPError("\(path): \(command): a reply without return or error: not QMP")
            }
            return value
        }
    }

    private func connect() throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw QMPError("\(path): socket path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let reason: String
            switch errno {
            case ENOENT: reason = "no such socket (is the VM running with -qmp unix:\(path),server,nowait?)"
            case ECONNREFUSED: reason = "connection refused: nothing listens there (QEMU not running?)"
            case EACCES: reason = "permission denied"
            case ENOTSOCK: reason = "not a socket"
            default: reason = String(cString: strerror(errno))
            }
            throw QMPError("\(path): \(reason)")
        }
    }

    private func negotiate() throws {
        let greeting: [String: Any]
        do {
            greeting = try readMessage(waitingFor: "the QMP greeting")
        } catch let error as QMPError where error.timedOut {
            throw QMPError(
                "\(path): no QMP greeting: the monitor is busy (QEMU serves one QMP client at a time) or this is not a QMP socket",
                timedOut: true
            )
        }
        guard let qmp = greeting["QMP"] as? [String: Any] else {
            throw QMPError("\(path): not a QMP socket (the first message has no \"QMP\" greeting)")
        }
        if let qemu = (qmp["version"] as? [String: Any])?["qemu"] as? [String: Any] {
            version = ["major", "minor", "micro"].map { "\(qemu[$0] ?? 0)" }.joined(separator: ".")
        }
        _ = try execute("qmp_capabilities")
    }

    private func send(_ message: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0x0A)
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard written > 0 else { throw QMPError("\(path): write: \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
    }

    /// The next JSON object, waiting at most until the deadline.
    private func readMessage(waitingFor what: String) throws -> [String: Any] {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) else { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw QMPError("\(path): not QMP: \"\(String(decoding: line.prefix(80), as: UTF8.self))\"")
                }
                return object
            }
            guard buffer.count < 16 << 20 else { throw QMPError("\(path): a QMP message over 16 MiB") }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw QMPError("\(path): timed out waiting for \(what)", timedOut: true) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 60_000)) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else {
                throw QMPError("\(path): QEMU closed the connection while waiting for \(what)")
            }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}

/// A QMP failure, with a message that names the socket.
struct QMPError: Error, CustomStringConvertible {
    var message: String
    var timedOut = false

    init(_ message: String, timedOut: Bool = false) {
        self.message = message
        self.timedOut = timedOut
    }

    var description: String { message }
}
