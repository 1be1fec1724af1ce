import JSONRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Sends generated frames over several connections in parallel, each frame followed by a
/// sentinel request, and checks that every frame gets exactly the answer it should, while a
/// control client keeps asking `daemon.status`.
struct FuzzRun {
    let socketPath: String
    let frames: Int
    let connections: Int
    let seed: UInt64
    let maximumLine: Int
    let maximumBatch: Int
    let daemon: ProcessProbe

    struct Outcome {
        var framesChecked = 0
        var byCategory: [String: Int] = [:]
        var mismatches: [String] = []
        var reconnects = 0
        var controlChecks = 0
        var controlFailures = 0
        var peakResidentKiB = 0
        var seconds = 0.0
    }

    private final class Lane {
        var socket: LineSocket
        var frame: Frame?
        var sentinel = ""
        var lines: [[UInt8]] = []
        init(socket: LineSocket) { self.socket = socket }
    }

    func run() throws(StressError) -> Outcome {
        var generator = FrameGenerator(seed: seed, maximumLine: maximumLine, maximumBatch: maximumBatch)
        let parser = JSONParser(maximumDepth: 64)
        var outcome = Outcome()
        let control = try LineSocket(path: socketPath)
        var lanes: [Lane] = []
        for _ in 0..<connections { lanes.append(Lane(socket: try LineSocket(path: socketPath))) }
        let started = now()
        var sent = 0
        var sequence = 0
        var lastControl = now()
        while outcome.framesChecked < frames {
            for lane in lanes where lane.frame == nil && sent < frames {
                let frame = generator.next()
                sequence += 1
                lane.frame = frame
                lane.lines = []
                lane.sentinel = "\"s\(sequence)\""
                var bytes = frame.bytes
                if frame.terminated {
                    bytes.append(UInt8(ascii: "\n"))
                    if !frame.expectation.closesConnection {
                        bytes.append(
                            contentsOf: Array(
                                "{\"jsonrpc\":\"2.0\",\"id\":\(lane.sentinel),\"method\":\"host.history\"}\n".utf8
                            )
                        )
                    }
                }
                lane.socket.write(bytes)
                if !frame.terminated { lane.socket.finishWriting() }
                sent += 1
            }
            var descriptors = lanes.map { pollfd(fd: $0.socket.descriptor, events: Int16(POLLIN), revents: 0) }
            guard poll(&descriptors, nfds_t(descriptors.count), 10_000) > 0 else {
                throw .daemon("no answer within 10 s (frames in flight: \(lanes.compactMap { $0.frame?.category }))")
            }
            for (index, lane) in lanes.enumerated() where descriptors[index].revents != 0 {
                lane.socket.fill()
                while let line = lane.socket.nextLine() {
                    if String(decoding: line, as: UTF8.self).contains("\"id\":\(lane.sentinel),") {
                        finish(lane, closed: false, &outcome, parser)
                    } else {
                        lane.lines.append(line)
                    }
                }
                if lane.socket.isClosed {
                    if lane.frame != nil { finish(lane, closed: true, &outcome, parser) }
                    lane.socket = try LineSocket(path: socketPath)
                    outcome.reconnects += 1
                }
            }
            if now() - lastControl > 0.25 {
                lastControl = now()
                outcome.controlChecks += 1
                control.write(Array("{\"jsonrpc\":\"2.0\",\"id\":\"control\",\"method\":\"daemon.status\"}\n".utf8))
                let answer = control.readLine().map { String(decoding: $0, as: UTF8.self) } ?? ""
                if !answer.contains("\"id\":\"control\",\"result\"") || !answer.contains("\"ready\":true") {
                    outcome.controlFailures += 1
                }
                outcome.peakResidentKiB = max(outcome.peakResidentKiB, daemon.residentKiB ?? 0)
                guard daemon.isAlive else { throw .daemon("the daemon died after \(outcome.framesChecked) frames") }
            }
        }
        outcome.seconds = now() - started
        outcome.peakResidentKiB = max(outcome.peakResidentKiB, daemon.residentKiB ?? 0)
        return outcome
    }

    private func finish(_ lane: Lane, closed: Bool, _ outcome: inout Outcome, _ parser: JSONParser) {
        guard let frame = lane.frame else { return }
        lane.frame = nil
        outcome.framesChecked += 1
        outcome.byCategory[frame.category, default: 0] += 1
        let answers = lane.lines.map { line -> String in
            guard let value = try? parser.parse(line) else { return "unparsable" }
            if case .array(let elements) = value { return "batch \(elements.count)" }
            if let error = value["error"] { return "error \(error["code"]?.number?.int64 ?? 0)" }
            return value["result"] != nil ? "result" : "other"
        }
        let expected: [String]
        switch frame.expectation {
        case .nothing: expected = []
        case .result, .resultThenClose: expected = ["result"]
        case .error(let code), .errorThenClose(let code): expected = ["error \(code)"]
        case .batch(let count): expected = ["batch \(count)"]
        }
        let closeMatches = closed == frame.expectation.closesConnection
        if answers != expected || !closeMatches {
            let sample = String(decoding: frame.bytes.prefix(120), as: UTF8.self)
            outcome.mismatches.append(
                "\(frame.category): expected \(frame.expectation), got \(answers)\(closed ? " and close" : "") for \(sample.debugDescription)"
            )
        }
    }
}
