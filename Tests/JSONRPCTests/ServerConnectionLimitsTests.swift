import Synchronization
import Testing

@testable import JSONRPC

extension ServerTests {
    /// Per-uid limits, reserved slots and the admission order. In-process every client is root, so the tests
    /// choose who counts as privileged with `isPrivileged`; the end-to-end tests connect as other uids.
    @Suite("Connection limits")
    struct ConnectionLimitTests {
        static let echo = #"{"jsonrpc":"2.0","method":"echo","id":1}"#

        /// Connects `count` clients and returns them once each is admitted (answers an echo).
        static func admitted(_ count: Int, _ path: String) async throws -> [TestClient] {
            var clients: [TestClient] = []
            for _ in 0..<count {
                let client = try await TestClient.connect(path)
                #expect(try await client.call(Self.echo)["id"] == 1)
                clients.append(client)
            }
            return clients
        }

        /// Connects one client that must be refused with `reason` and `limit`, then closed.
        static func expectRefused(_ path: String, reason: String, limit: Int) async throws {
            let client = try await TestClient.connect(path)
            let error = try await client.readJSON()
            #expect(error["id"] == .null)
            #expect(error["error"]?["code"] == -32000)
            #expect(error["error"]?["data"]?["reason"] == .string(reason))
            #expect(error["error"]?["data"]?["limit"] == .number(JSONNumber(limit)))
            #expect(error["error"]?["data"]?["uid"] == 0)
            #expect(try await client.readLine() == nil)
        }

        @Test("a uid at its limit is refused with \"per-uid limit\"; a privileged peer is not bound by it")
        func perUIDLimit() async throws {
            let privileged = PrivilegeSwitch()
            let limits = ConnectionLimitsPolicy(.init(total: 10, perUID: 2, reserved: 0) { _ in privileged.value })
            try await withTestServer(connectionLimits: limits) { server, path in
                let held = try await Self.admitted(2, path)
                try await Self.expectRefused(path, reason: "per-uid limit", limit: 2)
                privileged.value = true
                let more = try await Self.admitted(3, path)
                #expect(server.statistics.connectionsRefused[.perUIDLimit] == 1)
                #expect(server.statistics.connectionsRefused[.totalLimit] == 0)
                #expect(server.statistics.connectionsOpen == held.count + more.count)
            }
        }

        @Test("the reserved slots are left to privileged peers; the total holds for everyone")
        func reservedSlotsAndTotal() async throws {
            let privileged = PrivilegeSwitch()
            let limits = ConnectionLimitsPolicy(.init(total: 4, perUID: nil, reserved: 2) { _ in privileged.value })
            try await withTestServer(connectionLimits: limits) { server, path in
                let unprivileged = try await Self.admitted(2, path)
                try await Self.expectRefused(path, reason: "reserved", limit: 2)
                privileged.value = true
                let reserved = try await Self.admitted(2, path)
                try await Self.expectRefused(path, reason: "total limit", limit: 4)
                #expect(try await unprivileged[0].call(Self.echo)["id"] == 1)
                #expect(try await reserved[1].call(Self.echo)["id"] == 1)
                let refused = server.statistics.connectionsRefused
                #expect(refused == [.reserved: 1, .totalLimit: 1, .perUIDLimit: 0])
                #expect(server.statistics.connectionsRejected == 2)
            }
        }

        @Test("new limits apply to connections accepted afterwards; open ones stay")
        func limitsChangeWhileRunning() async throws {
            let limits = ConnectionLimitsPolicy(.init(total: 10, perUID: 3) { _ in false })
            try await withTestServer(connectionLimits: limits) { server, path in
                let held = try await Self.admitted(3, path)
                limits.limits = .init(total: 10, perUID: 1) { _ in false }
                try await Self.expectRefused(path, reason: "per-uid limit", limit: 1)
                for client in held { #expect(try await client.call(Self.echo)["id"] == 1) }
                limits.limits = .init(total: 10, perUID: 5) { _ in false }
                _ = try await Self.admitted(2, path)
            }
        }

        @Test("connections are decided in the order they were accepted: the first ones in, every later one out")
        func admissionFollowsTheAcceptOrder() async throws {
            let limits = ConnectionLimitsPolicy(.init(total: 16))
            try await withTestServer(connectionLimits: limits) { server, path in
                for round in 0..<5 {
                    // Connect all first (the kernel queues them in this order), then see who got in.
                    var clients: [TestClient] = []
                    for _ in 0..<48 { clients.append(try await TestClient.connect(path)) }
                    var admitted: [Int] = []
                    for (index, client) in clients.enumerated() {
                        try? await client.send(Self.echo + "\n")
                        let answer = try await client.readJSON()
                        if answer["result"] != nil { admitted.append(index) }
                    }
                    #expect(admitted == Array(0..<16), "round \(round)")
                    clients.removeAll()
                    while server.statistics.connectionsOpen > 0 { try await Task.sleep(for: .milliseconds(5)) }
                }
            }
        }

        @Test("refusal rules", arguments: [
            // (open, held by the uid, privileged) → refusal, for total 10, per uid 3, reserved 2
            (0, 0, false, nil), (7, 2, false, nil), (7, 3, false, "per-uid limit"), (8, 0, false, "reserved"),
            (8, 3, false, "per-uid limit"), (9, 9, true, nil), (10, 0, true, "total limit"),
            (10, 5, false, "total limit"),
        ] as [(Int, Int, Bool, String?)])
        func refusalRules(open: Int, held: Int, privileged: Bool, expected: String?) {
            let limits = JSONRPCServer.ConnectionLimits(total: 10, perUID: 3, reserved: 2) { _ in privileged }
            let peer = JSONRPCPeerCredentials(uid: 1000, gid: 1000, pid: 1)
            #expect(limits.refusal(open: open, heldByUID: held, peer: peer)?.rawValue == expected)
        }
    }
}

/// Whether the test server's peers count as privileged; flipped by a test while its server runs.
final class PrivilegeSwitch: Sendable {
    private let state = Mutex(false)
    var value: Bool {
        get { self.state.withLock { $0 } }
        set { self.state.withLock { $0 = newValue } }
    }
}
