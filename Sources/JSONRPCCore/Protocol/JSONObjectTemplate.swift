import NIOCore

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
public final class JSONObjectTemplate: Sendable {
    /// The fixed text, without the slots' values.
    private let text: [UInt8]
    /// Where each slot's value goes in ``text``, in order.
    private let slotOffsets: [Int]
    /// Each slot's member path, for the error of a non-finite number.
    private let paths: [[String]]
    /// The longest answer: the fixed text and the longest number in every slot.
    private let maximumLength: Int

    /// Writes the object; ``JSONObjectWriter/writeSlot(_:)`` marks the values left open.
    ///
    /// - Parameter body: Writes the members.
    /// - Throws: What `body` throws.
    public init(_ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        var object = JSONObjectWriter(text: [])
        try body(&object)
        let slots = object.slots
        self.text = object.finish()
        self.slotOffsets = slots.map(\.offset)
        self.paths = slots.map { $0.path.map(\.description) }
        self.maximumLength = self.text.count + slots.count * Slots.maximumValueLength
    }

    /// An answer with the slots filled by `fill`, which must fill every slot once, in order.
    ///
    /// The answer is written once, into the buffer it is sent from: the fixed text is copied around the values.
    ///
    /// - Parameter fill: Writes the slots' values.
    /// - Returns: The object as a result.
    /// - Throws: What `fill` throws (`EncodingError.invalidValue` for a non-finite number).
    public func answer(_ fill: (inout Slots) throws -> Void) rethrows -> JSONRPCResult {
        var buffer = ByteBufferAllocator().buffer(capacity: self.maximumLength)
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: self.maximumLength) { destination in
            try self.text.withUnsafeBytes { text in
                var slots = Slots(template: self, text: text, destination: destination.baseAddress!)
                try fill(&slots)
                precondition(slots.next == self.slotOffsets.count, "every slot of a JSONObjectTemplate is filled once")
                slots.copyText(upTo: text.count)
                return slots.written
            }
        }
        return JSONRPCResult(encodedBuffer: buffer)
    }

    /// Fills the slots of one answer, in order. It points into the answer's buffer, so it is not copyable: it exists
    /// only as the `inout` argument of the closure ``JSONObjectTemplate/answer(_:)`` passes it to.
    public struct Slots: ~Copyable {
        /// The longest value of a slot: a `Double`'s shortest text (an `Int` takes at most 20 bytes).
        fileprivate static let maximumValueLength = JSONNumber.maximumEncodedDoubleLength

        private let template: JSONObjectTemplate
        private let text: UnsafeRawBufferPointer
        private let destination: UnsafeMutableRawPointer
        /// The bytes written so far.
        fileprivate private(set) var written = 0
        /// The bytes of the fixed text copied so far.
        private var copied = 0
        /// The slot to fill next.
        fileprivate private(set) var next = 0

        fileprivate init(template: JSONObjectTemplate, text: UnsafeRawBufferPointer, destination: UnsafeMutableRawPointer) {
            self.template = template
            self.text = text
            self.destination = destination
        }

        /// Fills the next slot with a number, written as ``JSONValueEncoder`` writes a `Double`.
        ///
        /// - Throws: `EncodingError.invalidValue` if `value` is not finite.
        public mutating func fill(_ value: Double) throws {
            let (template, index) = (self.template, self.next)
            try JSONNumber.requireFinite(value) { template.paths[index].map { AnyKey($0) } }
            self.copyTextOfNextSlot()
            let slot = self.destination + self.written
            self.written += JSONNumber.withEncodedText(of: value) { number in
                precondition(number.count <= Self.maximumValueLength, "a Double's text fits its slot")
                slot.copyMemory(from: number.baseAddress!, byteCount: number.count)
                return number.count
            }
        }

        /// Fills the next slot with an integer.
        public mutating func fill(_ value: Int) {
            self.copyTextOfNextSlot()
            self.written += writeDecimal(value, into: self.destination + self.written)
        }

        private mutating func copyTextOfNextSlot() {
            precondition(self.next < self.template.slotOffsets.count, "a JSONObjectTemplate is filled once per slot")
            self.copyText(upTo: self.template.slotOffsets[self.next])
            self.next += 1
        }

        fileprivate mutating func copyText(upTo end: Int) {
            let count = end - self.copied
            (self.destination + self.written).copyMemory(from: self.text.baseAddress! + self.copied, byteCount: count)
            self.copied = end
            self.written += count
        }
    }
}
