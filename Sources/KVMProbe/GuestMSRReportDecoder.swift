/// Turns the exits of `GuestMSRProgram` into per-index outcomes, and rejects anything that does not
/// follow its report protocol. Pure state machine: it never touches KVM.
struct GuestMSRReportDecoder {
    private enum Expectation {
        case indexOrFault
        case high(index: UInt32)
        case low(index: UInt32, high: UInt32)
    }

    /// The indices in the order the guest reads them.
    let indices: [UInt32]
    /// Outcomes decoded so far, in table order.
    private(set) var readings: [MSRReading<GuestMSROutcome>] = []
    /// True once the guest halted after reporting every index.
    private(set) var isFinished = false
    private var expectation = Expectation.indexOrFault

    init(indices: [UInt32]) {
        self.indices = indices
        readings.reserveCapacity(indices.count)
    }

    /// The most exits a correct run produces: three OUTs per readable index, then HLT.
    var exitBudget: Int { 3 * indices.count + 1 }

    /// Consumes one exit.
    /// - Throws: `.unexpectedExit` for an exit the program never causes, `.guestProtocolViolation`
    ///   for a report out of order, on an unknown port, or with the wrong size.
    mutating func consume(_ exit: VCPUExit) throws(ProbeError) {
        guard !isFinished else {
            throw violation("exit \(exit.reason) after the guest finished")
        }
        switch exit {
        case .io(let io):
            try consume(io)
        case .halt:
            guard readings.count == indices.count, case .indexOrFault = expectation else {
                throw ProbeError(
                    code: .unexpectedExit,
                    operation: "KVM_RUN",
                    message: "KVM_EXIT_HLT after \(readings.count) of \(indices.count) MSRs were reported"
                )
            }
            isFinished = true
        default:
            throw ProbeError(
                code: .unexpectedExit,
                operation: "KVM_RUN",
                message:
                    "\(exit.reason) while \(readings.count) of \(indices.count) MSRs were reported\(detail(of: exit))"
            )
        }
    }

    private mutating func consume(_ io: PortIO) throws(ProbeError) {
        guard let value = io.singleDoubleWordOutput else {
            throw violation(
                "expected a single 32-bit OUT, got \(io.direction) of \(io.count)×\(io.size) bytes on port \(hex(io.port))"
            )
        }
        switch (expectation, io.port) {
        case (.indexOrFault, GuestMSRProgram.Port.index):
            try expectNext(value)
            expectation = .high(index: value)
        case (.indexOrFault, GuestMSRProgram.Port.fault):
            try expectNext(value)
            readings.append(MSRReading(index: value, outcome: .faulted))
        case (.high(let index), GuestMSRProgram.Port.high):
            expectation = .low(index: index, high: value)
        case (.low(let index, let high), GuestMSRProgram.Port.low):
            readings.append(MSRReading(index: index, outcome: .value(UInt64(high) << 32 | UInt64(value))))
            expectation = .indexOrFault
        default:
            throw violation("unexpected report \(hex(value)) on port \(hex(io.port))")
        }
    }

    private func expectNext(_ index: UInt32) throws(ProbeError) {
        guard readings.count < indices.count else {
            throw violation("report for \(hex(index)) after all \(indices.count) MSRs were reported")
        }
        let expected = indices[readings.count]
        guard index == expected else {
            throw violation("report for \(hex(index)) where \(hex(expected)) was due")
        }
    }

    private func violation(_ message: String) -> ProbeError {
        ProbeError(code: .guestProtocolViolation, operation: "guest MSR report", message: message)
    }

    private func detail(of exit: VCPUExit) -> String {
        switch exit {
        case .failEntry(let reason): " (hardware entry failure reason \(hex(reason)))"
        case .internalError(let suberror): " (suberror \(suberror))"
        case .mmio(let address): " (guest physical address \(hex(address)))"
        default: ""
        }
    }
}

/// `0x`-prefixed lowercase hexadecimal.
func hex<Value: BinaryInteger>(_ value: Value) -> String {
    "0x" + String(value, radix: 16)
}
