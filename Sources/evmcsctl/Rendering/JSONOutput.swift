#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Prints documents as the JSON documented in Docs/documents.md: sorted keys, indented.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        TerminalStyle.standardOutput.print(String(decoding: data, as: UTF8.self))
    }

    /// One line per value (for streams such as `watch --json`).
    static func printCompact<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        TerminalStyle.standardOutput.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
