// libFuzzer entry point for the JSON-RPC module's JSON parser (Tools/fuzz-parsers.sh).
import JSONRPC

/// Any input: no crash, no hang, and `validate` agrees with `parse`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONParser(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let parser = JSONParser(maximumDepth: 64)
    let parsed: Bool
    do {
        _ = try parser.parse(bytes)
        parsed = true
    } catch {
        parsed = false
    }
    let valid: Bool
    do {
        try parser.validate(bytes)
        valid = true
    } catch {
        valid = false
    }
    precondition(parsed == valid, "parse and validate disagree")
    return 0
}
