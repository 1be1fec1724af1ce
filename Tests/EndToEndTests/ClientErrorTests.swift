import EVMCSProtocol
import JSONRPC
import Testing

@testable import EVMCSClient

/// Every documented error code and transport failure becomes its typed kind, with the
/// server's reason in the message and the right evmcsctl exit class.
@Suite("Client error mapping", .onBlockingThreads)
struct ClientErrorTests {
    static let codes: [(Int, EVMCSClientError.Kind, Bool)] = [
        (-32700, .parseError, false), (-32600, .invalidRequest, false), (-32601, .methodNotFound, false),
        (-32602, .invalidParams, false), (-32603, .internalError, false), (-32000, .overloaded, true),
        (-32001, .requestTooLarge, false), (-32002, .batchTooLarge, false), (-32003, .shuttingDown, true),
        (-32011, .notAuthorized, true), (-32012, .invalidDocument, false), (-32013, .probeFailed, false),
        (-32014, .notReady, true), (-32015, .reloadFailed, false), (-32016, .fleetFailed, false),
        (-32099, .other(-32099), false),
    ]

    @Test(arguments: codes)
    func serverCodesMapToKinds(code: Int, kind: EVMCSClientError.Kind, unreachable: Bool) {
        let server = JSONRPCError(
            code: JSONRPCError.Code(rawValue: code),
            message: "Something",
            data: ["reason": "because"]
        )
        let error = EVMCSClientError(.server(server), socketPath: "/run/evmcsd/evmcsd.sock")
        #expect(error.kind == kind)
        #expect(error.message == "Something: because")
        #expect(error.data == #"{"reason":"because"}"#)
        #expect(error.isUnreachableOrUnauthorized == unreachable)
    }

    @Test func fieldErrorsNameTheField() {
        let server = JSONRPCError.invalidParams(field: "params.view", reason: "unknown view")
        let error = EVMCSClientError(.server(server), socketPath: "/s")
        #expect(error.message.hasSuffix(": params.view: unknown view"))
    }

    @Test func transportFailuresMapToKinds() {
        #expect(EVMCSClientError(.connectFailed(path: "/s", errno: 13), socketPath: "/s").kind == .permissionDenied)
        #expect(EVMCSClientError(.connectFailed(path: "/s", errno: 2), socketPath: "/s").kind == .daemonNotRunning)
        #expect(EVMCSClientError(.connectFailed(path: "/s", errno: 111), socketPath: "/s").kind == .daemonNotRunning)
        #expect(EVMCSClientError(.connectFailed(path: "/s", errno: 20), socketPath: "/s").kind == .unusableSocketPath)
        #expect(EVMCSClientError(.connectionClosed, socketPath: "/s").kind == .connectionLost)
        #expect(EVMCSClientError(.timedOut(method: "host.evmcs"), socketPath: "/s").kind == .timedOut)
        #expect(EVMCSClientError(.malformedResponse("x"), socketPath: "/s").kind == .protocolViolation)
    }

    @Test("a path that cannot be a socket is not reported as a daemon that is not running")
    func unusableSocketPathsAreNamedSo() async throws {
        for path in ["/etc/passwd/evmcsd.sock", "/tmp/" + String(repeating: "x", count: 200) + ".sock"] {
            let error = await #expect(throws: EVMCSClientError.self) { try await EVMCSClient.connect(socketPath: path) }
            #expect(error?.kind == .unusableSocketPath, "\(path): \(error?.message ?? "")")
            #expect(error?.isUnreachableOrUnauthorized == true)
        }
    }

    @Test("the contract's table and the transport agree on every code they share")
    func theErrorTableMatchesTheTransportCodes() {
        let transport: [(JSONRPCError.Code, EVMCSError)] = [
            (.parseError, .parseError), (.invalidRequest, .invalidRequest), (.methodNotFound, .methodNotFound),
            (.invalidParams, .invalidParams), (.internalError, .internalError), (.overloaded, .overloaded),
            (.requestTooLarge, .requestTooLarge), (.batchTooLarge, .batchTooLarge), (.shuttingDown, .shuttingDown),
        ]
        for (code, error) in transport { #expect(code.rawValue == error.code, "\(error)") }
        #expect(Set(EVMCSError.allCases.map(\.code)).count == EVMCSError.allCases.count)
        #expect(Set(EVMCSError.allCases.map(\.componentName)).count == EVMCSError.allCases.count)
    }
}
