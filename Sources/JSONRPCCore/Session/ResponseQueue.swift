import NIOCore

/// The responses of one connection in request order: a slot per line that could not be answered at once; the head is
/// written as soon as it is complete.
struct ResponseQueue {
    private enum Entry {
        /// An asynchronous single request (or notification) still running.
        case waiting
        /// A batch with asynchronous elements still running.
        case batch(parts: [ByteBuffer?], remaining: Int)
        /// Complete; `nil` means nothing is sent (notifications only).
        case ready(ByteBuffer?)
    }

    private struct Slot {
        /// The requests this slot stands for, counted against the per-connection pending limit.
        var weight: Int
        var entry: Entry
    }

    private var slots = CircularBuffer<Slot>()
    private var headSequence: UInt64 = 0

    /// Requests read but not yet answered on the wire.
    private(set) var pendingRequests = 0

    var isEmpty: Bool { self.slots.isEmpty }

    /// The sequence number the next appended slot will get.
    var nextSequence: UInt64 { self.headSequence + UInt64(self.slots.count) }

    mutating func appendWaiting() {
        self.append(Slot(weight: 1, entry: .waiting))
    }

    mutating func appendBatch(parts: [ByteBuffer?], remaining: Int) {
        self.append(Slot(weight: parts.count, entry: .batch(parts: parts, remaining: remaining)))
    }

    mutating func appendReady(_ response: ByteBuffer?) {
        self.append(Slot(weight: 1, entry: .ready(response)))
    }

    private mutating func append(_ slot: Slot) {
        self.slots.append(slot)
        self.pendingRequests += slot.weight
    }

    /// Records the outcome of the asynchronous request in slot `sequence` (element `part` of a batch).
    mutating func complete(sequence: UInt64, part: Int?, response: ByteBuffer?, allocator: ByteBufferAllocator) {
        guard sequence >= self.headSequence, sequence < self.nextSequence else { return }
        let index = self.slots.index(self.slots.startIndex, offsetBy: Int(sequence - self.headSequence))
        switch (self.slots[index].entry, part) {
        case (.waiting, nil):
            self.slots[index].entry = .ready(response)
        case (.batch(var parts, let remaining), .some(let part)):
            parts[part] = response
            if remaining == 1 {
                self.slots[index].entry = .ready(ResponseEncoder.batchLine(parts, allocator: allocator))
            } else {
                self.slots[index].entry = .batch(parts: parts, remaining: remaining - 1)
            }
        default:
            break
        }
    }

    /// Removes the head slot if it is complete.
    ///
    /// - Returns: `nil` if the head is not complete (or there is none); `.some(nil)` for a complete slot with
    ///   nothing to send.
    mutating func popReady() -> ByteBuffer?? {
        guard let head = self.slots.first, case .ready(let response) = head.entry else { return nil }
        self.slots.removeFirst()
        self.headSequence += 1
        self.pendingRequests -= head.weight
        return .some(response)
    }
}
