import Foundation
import Testing
import VMXModel

@testable import KVMProbe

@Suite("Probe error types: code, message, cause")
struct ProbeErrorCauseTests {
    @Test func aSystemCallErrorCarriesItsErrnoAsCause() throws {
        let error = ProbeError.systemCall("KVM_CREATE_VM", errno: ENOMEM)
        let cause = try #require(error.cause as? Errno)
        #expect(cause == Errno(ENOMEM))
        #expect(cause.description == "ENOMEM")
        #expect(ProbeError(code: .unexpectedExit, operation: "KVM_RUN", message: "x").cause == nil)
    }

    @Test func probeErrorsCompareWithoutTheirCause() {
        let withCause = ProbeError.systemCall("KVM_RUN", errno: EINTR)
        let without = ProbeError(code: .systemCall, operation: "KVM_RUN", errno: EINTR, message: withCause.message)
        #expect(withCause == without)
        #expect(withCause.hashValue == without.hashValue)
    }

    @Test func probeCodesAreDistinct() {
        let codes: [ProbeError.Code] = [
            .systemCall, .invalidArgument, .unexpectedKernelResponse, .unexpectedExit, .guestProtocolViolation,
            .guestLimitExceeded,
        ]
        #expect(Set(codes).count == codes.count)
    }

    /// The error `source.probe()` throws, `nil` when it serves a profile.
    private func probeError(_ source: RecordedProfileSource) -> RecordedProfileError? {
        do {
            _ = try source.probe()
            return nil
        } catch {
            return error as? RecordedProfileError
        }
    }

    @Test func aRecordedProfileErrorSaysWhyAndKeepsTheCause() throws {
        let tree = try FakeHostTree()
        let missing = RecordedProfileSource(path: tree.root.appendingPathComponent("nope.json").path)
        let unreadable = try #require(probeError(missing))
        #expect(unreadable.code == .unreadable)
        #expect(unreadable.cause as? Errno == Errno(ENOENT))
        #expect(unreadable.description == "\(missing.path): cannot read: ENOENT")
        try tree.write(#"{"schema":"evmcsd.host-profile/1","cpu":{"vendor":7}}"#, to: "bad.json")
        let bad = RecordedProfileSource(path: tree.root.appendingPathComponent("bad.json").path)
        let notAProfile = try #require(probeError(bad))
        #expect(notAProfile.code == .notAProfile)
        let document = try #require(notAProfile.cause as? DocumentError)
        #expect(document.path == "cpu.vendor")
        #expect(notAProfile.description == "\(bad.path): \(document)")
        let refused = try #require(probeError(RecordedProfileSource(path: bad.path) { _ in "names a member twice" }))
        #expect(refused.code == .refused && refused.cause == nil)
    }
}
