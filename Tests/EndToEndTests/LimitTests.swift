import EVMCSTesting
import Foundation
import Testing

/// Every limit is answered with its documented error and hurts no other client.
@Suite("Limits, end to end", .onBlockingThreads)
struct LimitTests {
    @Test func anOverlongLineIsRefusedAndOnlyThatConnectionCloses() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-line-bytes = 4096\n")
        let bystander = try daemon.client()
        let offender = try daemon.client()
        try offender.sendRaw(Array(repeating: UInt8(ascii: "x"), count: 10_000))
        let error = try offender.readJSON()
        #expect(error.errorCode == -32001)
        #expect(error["id"] is NSNull)
        #expect(offender.isClosedByPeer())
        #expect(try bystander.call("daemon.status").result?["ready"] as? Bool == true)
    }

    @Test func connectionsBeyondTheLimitGetOverloadedAndOthersKeepWorking() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-connections = 3\n")
        let first = try daemon.client()
        // Wait until the start-up probe connection is gone, so exactly our clients count.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let counters = try first.call("daemon.status").result?["counters"] as? [String: Any]
            if counters?["connectionsOpen"] as? Int == 1 { break }
            usleep(10_000)
        }
        let clients = try [first] + (0..<2).map { _ in try daemon.client() }
        for client in clients { #expect(try client.call("daemon.status").result != nil) }
        let extra = try daemon.client()
        #expect(try extra.readJSON().errorCode == -32000)
        #expect(extra.isClosedByPeer())
        #expect(try clients[0].call("host.evmcs").result != nil)
    }

    @Test func batchesBeyondTheLimitAreOneError() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-batch = 4\n")
        let client = try daemon.client()
        let element = #"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#
        try client.send("[" + Array(repeating: element, count: 5).joined(separator: ",") + "]")
        let error = try client.readJSON()
        #expect(error.errorCode == -32002)
        #expect(try client.call("daemon.status").result != nil)
    }

    @Test func aClientThatDoesNotReadIsThrottledWhileOthersAreServed() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-pending-requests = 16\n")
        let slow = try daemon.client()
        // 20,000 host.profile requests (~2 KB answers each) without reading a byte: the daemon
        // must stop reading from this client instead of buffering ~40 MB of answers.
        let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"host.profile"}"#.utf8) + [UInt8(ascii: "\n")]
        let burst = Array([[UInt8]](repeating: request, count: 20_000).joined())
        let descriptor = slow.descriptor
        let writer = Thread { LineClient.writeAll(burst, to: descriptor) }
        writer.start()
        let fast = try daemon.client()
        let started = Date()
        for id in 0..<50 { #expect(try fast.call("daemon.status", id: id)["id"] as? Int == id) }
        #expect(Date().timeIntervalSince(started) < 5, "other clients are served promptly")
        let pid = daemon.process.pid
        let resident = try Self.residentKiB(pid)
        #expect(resident < 200 * 1024, "daemon RSS \(resident) KiB stays bounded while a client does not read")
        // Reading everything afterwards still yields every answer in order.
        for _ in 0..<100 { #expect(try slow.readJSON()["result"] != nil) }
    }

    @Test func idleConnectionsAreClosed() throws {
        let daemon = try DaemonProcess(config: "[limits]\nidle-timeout-seconds = 1\n")
        let idle = try daemon.client()
        #expect(idle.isClosedByPeer(timeout: 5))
        let subscriber = try daemon.client()
        #expect(try subscriber.call("events.subscribe").result?["subscribed"] as? Bool == true)
        #expect(!subscriber.isClosedByPeer(timeout: 2), "subscribers wait for notifications and are not idle")
    }

    @Test func aClientTricklingAPartialLineIsClosedByTheIdleTimeout() throws {
        let daemon = try DaemonProcess(config: "[limits]\nidle-timeout-seconds = 1\n")
        let trickler = try daemon.client()
        let started = Date()
        var closed = false
        // One byte every 200 ms never completes a request: it must not count as activity.
        for _ in 0..<25 where !closed {
            try? trickler.sendRaw([UInt8(ascii: "{")])
            closed = trickler.isClosedByPeer(timeout: 0.2)
        }
        #expect(closed, "a slowloris writer is closed")
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(try daemon.client().call("daemon.status").result != nil)
    }

    static func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
}
