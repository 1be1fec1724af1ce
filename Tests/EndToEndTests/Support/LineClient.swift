import EVMCSTesting
import Foundation

/// A newline-delimited JSON client on evmcsd's socket, as a script or socat would talk to it:
/// ``LineSocket`` with the answers as `[String: Any]`.
final class LineClient {
    typealias Failure = LineSocket.Failure

    private let socket: LineSocket

    init(path: String) throws {
        socket = try LineSocket(path: path)
    }

    /// The connected socket, for tests that write to it from another thread.
    var descriptor: Int32 { socket.descriptor }

    /// Writes `text` plus a newline.
    func send(_ text: String) throws { try sendRaw(Array((text + "\n").utf8)) }

    func sendRaw(_ bytes: [UInt8]) throws { try socket.send(bytes) }

    /// Writes everything (blocking), for use from another thread; returns the errno on failure.
    @discardableResult
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        LineSocket.writeAll(bytes, to: descriptor)
    }

    /// Closes the write side (the daemon still answers what it has read).
    func finishWriting() { socket.shutdownWrite() }

    /// The next line, without its newline.
    func readLine(timeout: Double = 10) throws -> String { try socket.readLine(timeout: timeout) }

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
    func isClosedByPeer(timeout: Double = 5) -> Bool { socket.isClosedByPeer(timeout: timeout) }
}

extension Dictionary where Key == String, Value == Any {
    var result: [String: Any]? { self["result"] as? [String: Any] }
    var errorCode: Int? { (self["error"] as? [String: Any])?["code"] as? Int }
    var errorData: [String: Any]? { (self["error"] as? [String: Any])?["data"] as? [String: Any] }
}
