import EVMCSProtocol
import JSONRPC

extension DaemonStatus {
    /// The `daemon.status` answer, written member by member: it is built anew for every request
    /// (uptime, counters), and through `Encodable` its encoding cost more than the rest of the
    /// request. Members are in key order, so the bytes are those of ``JSONValueEncoder``
    /// (`AnswerEncodingTests.theStatusAnswerIsWrittenAsJSONEncoderWritesIt` holds them equal).
    var answer: JSONRPCResult {
        get throws {
            try JSONRPCResult { status in
                try status.writeObject("cache") { cache in
                    cache.write("file", self.cache.file)
                    cache.write("lastRevalidation", self.cache.lastRevalidation)
                    cache.write("note", self.cache.note)
                    try cache.write("profileAgeSeconds", self.cache.profileAgeSeconds)
                    try cache.write("revalidateIntervalSeconds", self.cache.revalidateIntervalSeconds)
                    cache.write("state", self.cache.state)
                }
                status.writeObject("counters") { counters in
                    counters.write("connectionsAccepted", self.counters.connectionsAccepted)
                    counters.write("connectionsOpen", self.counters.connectionsOpen)
                    counters.write("connectionsRejected", self.counters.connectionsRejected)
                    counters.write("errors", self.counters.errors)
                    counters.write("probes", self.counters.probes)
                    counters.write("profileChanges", self.counters.profileChanges)
                    counters.write("requests", self.counters.requests)
                    counters.write("subscribers", self.counters.subscribers)
                }
                status.write("evmcsSupported", self.evmcsSupported)
                status.write("fingerprint", self.fingerprint)
                status.write("pid", self.pid)
                status.write("ready", self.ready)
                status.write("socket", self.socket)
                status.write("source", self.source)
                status.write("startedAt", self.startedAt)
                try status.write("uptimeSeconds", self.uptimeSeconds)
                status.write("version", self.version)
            }
        }
    }
}
