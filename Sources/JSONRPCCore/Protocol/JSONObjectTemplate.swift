/// A JSON object written once with slots for the values that change with every answer (counters, ages), so an
/// answer costs copying the fixed text and writing a few numbers.
///
/// ```swift
/// let template = JSONObjectTemplate { object in
///     object.write("source", "live /dev/kvm")
///     object.writeSlot("uptimeSeconds")
/// }
/// let answer = try template.answer { slots in try slots.fill(12.5) }
/// // {"source":"live /dev/kvm","uptimeSeconds":12.5}
/// ```
public struct JSONObjectTemplate: Sendable {
    /// The fixed text: `segments[i]` comes before slot `i`, the last one after the last slot.
    private let segments: [[UInt8]]
    /// Each slot's member path, for the error of a non-finite number.
    private let paths: [[String]]

    /// Writes the object; ``JSONObjectWriter/writeSlot(_:)`` marks the values left open.
    ///
    /// - Parameter body: Writes the members.
    /// - Throws: What `body` throws.
    public init(_ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        var object = JSONObjectWriter(text: [])
        try body(&object)
        let slots = object.slots
        let text = object.finish()
        var segments: [[UInt8]] = []
        var start = 0
        for slot in slots {
            segments.append(Array(text[start..<slot.offset]))
            start = slot.offset
        }
        segments.append(Array(text[start...]))
        self.segments = segments
        self.paths = slots.map { $0.path.map(\.description) }
    }

    /// An answer with the slots filled by `fill`, which must fill every slot once, in order.
    ///
    /// - Parameter fill: Writes the slots' values.
    /// - Returns: The object as a result.
    /// - Throws: What `fill` throws (`EncodingError.invalidValue` for a non-finite number).
    public func answer(_ fill: (inout Slots) throws -> Void) rethrows -> JSONRPCResult {
        var slots = Slots(template: self)
        try fill(&slots)
        precondition(slots.next == self.segments.count, "every slot of a JSONObjectTemplate is filled once")
        return JSONRPCResult(encodedText: slots.text)
    }

    /// Fills the slots of one answer, in order.
    public struct Slots {
        fileprivate let template: JSONObjectTemplate
        fileprivate var text: [UInt8]
        /// The segment that follows the slot being filled.
        fileprivate var next = 1

        fileprivate init(template: JSONObjectTemplate) {
            self.template = template
            self.text = []
            self.text.reserveCapacity(template.segments.reduce(64) { $0 + $1.count })
            self.text.append(contentsOf: template.segments[0])
        }

        /// Fills the next slot with a number, written as ``JSONValueEncoder`` writes a `Double`.
        ///
        /// - Throws: `EncodingError.invalidValue` if `value` is not finite.
        public mutating func fill(_ value: Double) throws {
            let path = self.template.paths[self.next - 1]
            let number = try JSONNumber(encoding: value) { path.map { AnyKey($0) } }
            writeUTF8(number.text, to: &self.text)
            self.advance()
        }

        /// Fills the next slot with an integer.
        public mutating func fill(_ value: Int) {
            writeDecimal(value, to: &self.text)
            self.advance()
        }

        private mutating func advance() {
            self.text.append(contentsOf: self.template.segments[self.next])
            self.next += 1
        }
    }
}
