import JSONRPC
import Synchronization

/// Lets a test hold asynchronous requests until it opens the gate, and see how many have started.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let started = Atomic<Int>(0)

    func wait() async {
        self.started.wrappingAdd(1, ordering: .relaxed)
        await withCheckedContinuation { continuation in
            let resumeNow = self.state.withLock { state in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = self.state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Polls until `count` requests wait at the gate (at most `timeoutSeconds`).
    ///
    /// The default is long on purpose: the synchronous end-to-end tests block cooperative threads (2 on this
    /// machine) while they run, and a full parallel run has held both for over 40 s; the wait only has to end,
    /// not be quick.
    func waitUntilStarted(_ count: Int, timeoutSeconds: Double = 180) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while self.started.load(ordering: .relaxed) < count {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}

/// Connections that called `subscribe`, and a signal when one closes.
final class Subscriptions: Sendable {
    private let connections = Mutex<[JSONRPCConnection]>([])
    let closed: AsyncStream<UInt64>
    private let closedContinuation: AsyncStream<UInt64>.Continuation

    init() {
        (self.closed, self.closedContinuation) = AsyncStream.makeStream(of: UInt64.self)
    }

    var all: [JSONRPCConnection] { self.connections.withLock { $0 } }

    func add(_ connection: JSONRPCConnection) {
        self.connections.withLock { $0.append(connection) }
        connection.onClose { [closedContinuation] in closedContinuation.yield(connection.id) }
    }
}

struct AddParams: Decodable {
    var a: Int
    var b: Int
}

/// `{"vm":{"vmx":{"0x48d":"0x…"}}}`: MSR values as hex strings.
struct VMParams: Decodable {
    struct VM: Decodable {
        var vmx: [String: HexValue]
    }

    struct HexValue: Decodable {
        var value: UInt64

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard text.hasPrefix("0x"), let value = UInt64(text.dropFirst(2), radix: 16) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected hex string")
            }
            self.value = value
        }
    }

    var vm: VM
}

struct EncodedAnswer: Encodable {
    var zebra = 1
    var alpha = "first"
    var middle = [true, false]
}

struct SecretFailure: Error, CustomStringConvertible {
    var description: String { "database password is hunter2" }
}

extension JSONRPCMethods {
    /// The methods the server tests call.
    static func testMethods(gate: Gate = Gate(), subscriptions: Subscriptions = Subscriptions()) -> JSONRPCMethods {
        var methods = JSONRPCMethods()
        methods.registerImmediate("echo") { request, _ in JSONRPCResult(request.params ?? .null) }
        methods.registerImmediate("add") { request, _ in
            let params = try request.decodeParams(AddParams.self)
            return JSONRPCResult(.number(JSONNumber(params.a + params.b)))
        }
        methods.registerImmediate("vm") { request, _ in
            let params = try request.decodeParams(VMParams.self)
            return JSONRPCResult(.number(JSONNumber(params.vm.vmx.count)))
        }
        methods.registerImmediate("fail") { _, _ in throw SecretFailure() }
        methods.registerImmediate("appError") { _, _ in
            throw JSONRPCError(code: JSONRPCError.Code(rawValue: -32010), message: "Profile not ready", data: [1, 2])
        }
        let cached = try! JSONRPCResult(preEncoded: Array(#"{"cached":[1,2,3],"big":18446744073709551615}"#.utf8))
        methods.registerImmediate("cached") { _, _ in cached }
        methods.registerImmediate("encoded") { _, _ in try JSONRPCResult(encoding: EncodedAnswer()) }
        methods.registerImmediate("whoami") { _, context in
            JSONRPCResult([
                "uid": .number(JSONNumber(context.peer.uid)),
                "gid": .number(JSONNumber(context.peer.gid)),
                "pid": .number(JSONNumber(context.peer.pid)),
                "connection": .number(JSONNumber(context.connection.id)),
            ])
        }
        methods.registerAsync("delayedEcho") { request, _ in
            let delay = request.params?["delayMicroseconds"]?.number?.int64 ?? 0
            if delay > 0 { try await Task.sleep(for: .microseconds(delay)) }
            return JSONRPCResult(request.params?["value"] ?? .null)
        }
        methods.registerAsync("gated") { request, _ in
            await gate.wait()
            return JSONRPCResult(request.params ?? .null)
        }
        methods.registerImmediate("subscribe") { _, context in
            subscriptions.add(context.connection)
            context.connection.setIdleTimeoutEnabled(false)
            return JSONRPCResult(.bool(true))
        }
        methods.registerImmediate("rpc.discover", allowReservedName: true) { _, _ in
            JSONRPCResult(["openrpc": "1.3.2"])
        }
        return methods
    }
}
