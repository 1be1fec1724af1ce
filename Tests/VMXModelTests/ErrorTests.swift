import Foundation
import JSONCore
import Testing

@testable import VMXModel

@Suite("Error types: code, message, cause")
struct VMXModelErrorTests {
    private func documentError(_ text: String) -> DocumentError? {
        do {
            _ = try DocumentLoader.load(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func textThatIsNotJSONCarriesTheParseError() throws {
        let error = try #require(documentError(#"{"schema": }"#))
        #expect(error.code == .notJSON)
        #expect(error.path == "$")
        let parse = try #require(error.cause as? JSONParseError)
        #expect(parse.offset == 11)
        #expect(error.description == "$: not valid JSON (\(parse))")
    }

    @Test func aBadFieldCarriesTheDecodingError() throws {
        let error = try #require(documentError(#"{"schema":"evmcsd.host-profile/1","kvm":{"apiVersion":"12"}}"#))
        #expect(error.code == .invalidField)
        #expect(error.path == "kvm.apiVersion")
        #expect(error.message == "expected an integer")
        let decoding = try #require(error.cause as? DecodingError)
        guard case .typeMismatch = decoding else {
            Issue.record("expected a type mismatch, got \(decoding)")
            return
        }
    }

    @Test func schemaAndKindProblemsHaveTheirOwnCodes() throws {
        #expect(documentError(#"{"schema":"evmcsd.other/9"}"#)?.code == .unsupportedSchema)
        #expect(documentError(#"{"cpu":{}}"#)?.code == .unsupportedSchema)
        let host = Array(#"{"schema":"evmcsd.host-profile/1"}"#.utf8)
        do {
            _ = try DocumentLoader.vmRequirements(from: host)
            Issue.record("a host profile was accepted as VM requirements")
        } catch {
            #expect(error.code == .wrongDocument)
            #expect(error.cause == nil)
        }
    }

    @Test func documentCodesAreDistinct() {
        let codes: [DocumentError.Code] = [.notJSON, .unsupportedSchema, .wrongDocument, .invalidField]
        #expect(Set(codes).count == codes.count)
        #expect(Set(codes.map(\.rawValue)).count == codes.count)
    }

    @Test func fleetErrorsSayWhichLimitOrRequirement() {
        do {
            _ = try Baseline(of: [])
            Issue.record("a baseline of no hosts was computed")
        } catch {
            #expect(error.code == .noProfiles)
            #expect(error.description == "a baseline needs at least one host profile")
        }
        let codes: [FleetError.Code] = [.noProfiles, .requirementUnmet, .tooManyGroups]
        #expect(Set(codes).count == codes.count)
    }

    @Test func qemuErrorsCompareWithoutTheirCause() {
        struct Underlying: Error {}
        let plain = QEMUCPUError(.malformed, "empty -cpu model in \"\"")
        let caused = QEMUCPUError(.malformed, "empty -cpu model in \"\"", cause: Underlying())
        #expect(plain == caused)
        #expect(plain.hashValue == caused.hashValue)
        #expect(caused.cause is Underlying)
        #expect(plain != QEMUCPUError(.unknownModel, plain.message))
        let codes: [QEMUCPUError.Code] = [.malformed, .unknownModel, .unknownFeatures, .needsProfile, .enforceFailed]
        #expect(Set(codes).count == codes.count)
    }
}
