// libFuzzer entry point for the document parser (Tools/fuzz-parsers.sh): host profiles,
// VM requirements and raw MSR dumps arrive from files, the CLI and the socket.
import Foundation
import VMXModel

/// Any input: no crash and no hang; an accepted document survives an encode/load round trip
/// unchanged, and a profile it yields can be fingerprinted and checked against.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDocuments(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let document = try? DocumentLoader.load(data) else { return 0 }
    let encoder = JSONEncoder()
    switch document {
    case .hostProfile(let profile):
        let encoded = try! encoder.encode(profile)
        precondition(try! DocumentLoader.hostProfile(from: encoded) == profile, "host profile round trip")
        let fingerprinted = profile.fingerprinted()
        precondition(fingerprinted.fingerprinted() == fingerprinted, "fingerprint is stable")
    case .vmRequirements(let requirements):
        let encoded = try! encoder.encode(requirements)
        precondition(try! DocumentLoader.vmRequirements(from: encoded) == requirements, "requirements round trip")
    }
    return 0
}
