/// A JSON number kept as its exact source text.
///
/// Equality is textual: `1`, `1.0` and `1e0` are different ``JSONNumber`` values. Convert with ``int64``,
/// ``uint64`` or ``double`` to compare numerically.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's JSON text, e.g. `-12`, `3.5e10`, `18446744073709551615`.
    public let text: String

    /// Creates a number from JSON number text.
    ///
    /// - Parameter text: Text matching the RFC 8259 `number` grammar (no leading zeros, no `+`, no `NaN`).
    /// - Returns: `nil` if `text` is not a valid JSON number.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        let valid = utf8.withUnsafeBytes { bytes -> Bool in
            var scanner = JSONScanner(bytes: bytes, maximumDepth: 0)
            guard (try? scanner.scanNumber()) != nil else { return false }
            return scanner.isAtEnd
        }
        guard valid else { return nil }
        self.text = text
    }

    /// Creates a number from an integer.
    ///
    /// - Parameter value: Any integer; its decimal text is kept exactly.
    public init(_ value: some BinaryInteger) {
        self.text = String(value)
    }

    /// Creates a number from a floating-point value.
    ///
    /// - Parameter value: A finite value; JSON has no infinities or NaN.
    /// - Returns: `nil` if `value` is not finite.
    public init?(double value: Double) {
        guard value.isFinite else { return nil }
        self.text = value.description
    }

    package init(uncheckedText text: String) {
        self.text = text
    }

    /// `value` as `JSONEncoder` writes a `Double`: its shortest round-trip text, integral values
    /// without a fraction (`30`, not `30.0`).
    ///
    /// - Parameters:
    ///   - value: The number.
    ///   - codingPath: Where the value is, for the error; only evaluated on failure.
    /// - Throws: `EncodingError.invalidValue` if `value` is not finite.
    package init(encoding value: Double, codingPath: () -> [any CodingKey]) throws {
        try Self.requireFinite(value, codingPath: codingPath)
        self.text = Self.withEncodedText(of: value) { String(decoding: $0, as: UTF8.self) }
    }

    /// Refuses a value JSON has no number for.
    ///
    /// - Parameters:
    ///   - value: The number.
    ///   - codingPath: Where the value is, for the error; only evaluated on failure.
    /// - Throws: `EncodingError.invalidValue` if `value` is not finite.
    package static func requireFinite(_ value: Double, codingPath: () -> [any CodingKey]) throws {
        guard !value.isFinite else { return }
        throw EncodingError.invalidValue(
            value,
            EncodingError.Context(codingPath: codingPath(), debugDescription: "\(value) is not a JSON number")
        )
    }

    /// The longest text ``withEncodedText(of:_:)`` passes: `-2.2250738585072014e-308`.
    package static let maximumEncodedDoubleLength = 24

    /// Calls `body` with the text ``init(encoding:codingPath:)`` keeps for the finite `value`, without making a
    /// `JSONNumber` (the answer templates write it straight into the answer).
    package static func withEncodedText<Result>(
        of value: Double,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        var text = value.description
        return try text.withUTF8 { utf8 in
            var count = utf8.count
            // Integral values lose their fraction, compared as bytes (String.hasSuffix compares Unicode characters,
            // several times slower here).
            if count > 2, utf8[count - 1] == UInt8(ascii: "0"), utf8[count - 2] == UInt8(ascii: ".") { count -= 2 }
            return try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[..<count]))
        }
    }

    /// The value as `Int64`, or `nil` if it is not an integer in range (fractions and exponents give `nil`).
    public var int64: Int64? { Int64(self.text) }

    /// The value as `UInt64`, or `nil` if it is not a non-negative integer in range.
    public var uint64: UInt64? { UInt64(self.text) }

    /// The value as the nearest `Double` (may lose precision), or `nil` if it overflows to infinity.
    public var double: Double? {
        guard let value = Double(self.text), value.isFinite else { return nil }
        return value
    }

    /// The number's JSON text.
    public var description: String { self.text }
}
