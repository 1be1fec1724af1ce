import EVMCSTesting
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A test-owned `NOTIFY_SOCKET`: an AF_UNIX datagram socket that records every sd_notify
/// message the daemon sends.
final class NotifyListener: Sendable {
    let path: String
    private let descriptor: Int32
    private let messages = Mutex<[String]>([])

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard descriptor >= 0, bound == 0 else { throw LineClient.Failure.io(errno) }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Waits until a message containing `needle` arrives (messages already received count).
    @discardableResult
    func wait(for needle: String, timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let message = messages.withLock({ $0.first { $0.contains(needle) } }) { return message }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw LineClient.Failure.timeout }
            var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptorSet, 1, Int32(remaining * 1000)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                let text = String(decoding: chunk[0..<count], as: UTF8.self)
                messages.withLock { $0.append(text) }
            }
        }
    }

    var received: [String] { messages.withLock { $0 } }

    /// Forgets what was sent so far, including datagrams not read from the socket yet.
    func clear() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while chunk.withUnsafeMutableBytes({ recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        messages.withLock { $0.removeAll() }
    }
}
