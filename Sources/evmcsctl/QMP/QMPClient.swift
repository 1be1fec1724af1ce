import JSONRPC

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
///
/// Messages are JSONCore values (no full Foundation: `JSONSerialization` would link ICU into evmcsctl).
final class QMPClient {
    private let fd: Int32
    private let path: String
    private let deadline: ContinuousClock.Instant
    private var buffer: [UInt8] = []
    /// The QEMU version from the greeting (`7.2.22`).
    private(set) var version = ""

    /// Connects and negotiates.
    /// - Throws: ``QMPError`` when the socket is absent, refuses, is busy (no greeting: QEMU's
    ///   QMP serves one client at a time), is not QMP, or the deadline passes.
    init(path: String, timeout: Double) throws(QMPError) {
        self.path = path
        deadline = ContinuousClock.now.advanced(by: .seconds(timeout))
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw QMPError(.unreachable, "\(path): socket: \(String(cString: strerror(errno)))") }
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
    func execute(_ command: String, _ arguments: JSONValue? = nil) throws(QMPError) -> JSONValue {
        var message: [JSONValue.Member] = [.init("execute", .string(command))]
        if let arguments { message.append(.init("arguments", arguments)) }
        try send(.object(message))
        while true {
            let reply = try readMessage(waitingFor: command)
            if reply["event"] != nil { continue }
            if let error = reply["error"], case .object = error {
                throw QMPError(
                    .commandFailed,
                    "\(path): \(command): \(error["class"]?.string ?? "Error"): \(error["desc"]?.string ?? "")"
                )
            }
            guard let value = reply["return"] else {
                throw QMPError(.notQMP, "\(path): \(command): a reply without return or error: not QMP")
            }
            return value
        }
    }

    private func connect() throws(QMPError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw QMPError(.unreachable, "\(path): socket path too long")
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
            throw QMPError(.unreachable, "\(path): \(reason)")
        }
    }

    private func negotiate() throws(QMPError) {
        let greeting: JSONValue
        do {
            greeting = try readMessage(waitingFor: "the QMP greeting")
        } catch let error where error.code == .timedOut {
            throw QMPError(
                .timedOut,
                "\(path): no QMP greeting: the monitor is busy (QEMU serves one QMP client at a time) or this is not a QMP socket"
            )
        }
        guard let qmp = greeting["QMP"], case .object = qmp else {
            throw QMPError(.notQMP, "\(path): not a QMP socket (the first message has no \"QMP\" greeting)")
        }
        if let qemu = qmp["version"]?["qemu"], case .object = qemu {
            version = ["major", "minor", "micro"].map { qemu[$0].map(Self.text) ?? "0" }.joined(separator: ".")
        }
        _ = try execute("qmp_capabilities")
    }

    /// A version part as the greeting gives it (`7`), as `"\(Any)"` printed JSONSerialization's numbers.
    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .number(let number): number.text
        case .string(let string): string
        default: value.serializedString
        }
    }

    private func send(_ message: JSONValue) throws(QMPError) {
        let bytes = message.serialized() + [0x0A]
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else {
                throw QMPError(.connectionLost, "\(path): write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// The next JSON object, waiting at most until the deadline.
    private func readMessage(waitingFor what: String) throws(QMPError) -> JSONValue {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) else { continue }
                guard let object = try? JSONParser().parse(line), case .object = object else {
                    throw QMPError(.notQMP, "\(path): not QMP: \"\(String(decoding: line.prefix(80), as: UTF8.self))\"")
                }
                return object
            }
            guard buffer.count < 16 << 20 else { throw QMPError(.notQMP, "\(path): a QMP message over 16 MiB") }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw QMPError(.timedOut, "\(path): timed out waiting for \(what)") }
            let milliseconds =
                remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(milliseconds, 60_000)) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else {
                throw QMPError(.connectionLost, "\(path): QEMU closed the connection while waiting for \(what)")
            }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}

/// A QMP failure, with a message that names the socket.
struct QMPError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        var rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        /// The socket is absent, refuses, or cannot be a socket address.
        static let unreachable = Code(rawValue: "unreachable")
        /// The peer does not speak QMP.
        static let notQMP = Code(rawValue: "not-qmp")
        /// QEMU answered a command with an error.
        static let commandFailed = Code(rawValue: "command-failed")
        /// QEMU closed the connection or a write failed.
        static let connectionLost = Code(rawValue: "connection-lost")
        /// The session's deadline passed.
        static let timedOut = Code(rawValue: "timed-out")
    }

    let code: Code
    let message: String
    let cause: (any Error & Sendable)?

    init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    var description: String { message }
}
