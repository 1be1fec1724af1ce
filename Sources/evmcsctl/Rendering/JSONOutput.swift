import Foundation

/// Prints documents as the JSON documented in Docs/documents.md: sorted keys, indented.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        TerminalStyle.standardOutput.print(String(decoding: data, as: UTF8.self))
    }
}
