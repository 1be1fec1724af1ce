import EVMCSProtocol
import JSONRPC
import Synchronization

extension DaemonStatus {
    /// This status with the members that change with every request (uptime, profile age, counters) zeroed:
    /// what a ``StatusTemplate`` is built from and reused for.
    var fixedPart: DaemonStatus {
        var fixed = self
        fixed.uptimeSeconds = 0
        fixed.cache.profileAgeSeconds = fixed.cache.profileAgeSeconds.map { _ in 0 }
        fixed.counters = Counters(
            connectionsOpen: 0,
            connectionsAccepted: 0,
            connectionsRejected: 0,
            requests: 0,
            errors: 0,
            probes: 0,
            profileChanges: 0,
            subscribers: 0,
            connectionsRefused: fixed.counters.connectionsRefused.map { _ in
                ConnectionRefusals(perUIDLimit: 0, reserved: 0, totalLimit: 0)
            }
        )
        return fixed
    }

    /// The `daemon.status` answer, through a template built for this status alone (tests; the method
    /// keeps its template in a ``StatusAnswerCache``).
    var answer: JSONRPCResult {
        get throws { try StatusTemplate(self).answer(self) }
    }
}

/// The `daemon.status` answer written once for the members that change rarely (cache state, fingerprint,
/// settings, exporters), with slots for uptime, profile age and counters. Members are in key order, so the
/// bytes are those of ``JSONValueEncoder``
/// (`AnswerEncodingTests.theStatusAnswerIsWrittenAsJSONEncoderWritesIt` holds them equal).
final class StatusTemplate: Sendable {
    /// The members of an answer that change with every request.
    struct Live: Sendable {
        var uptimeSeconds: Double
        var profileAgeSeconds: Double?
        var counters: DaemonStatus.Counters

        /// The live members of `status`.
        init(_ status: DaemonStatus) {
            self.init(
                uptimeSeconds: status.uptimeSeconds,
                profileAgeSeconds: status.cache.profileAgeSeconds,
                counters: status.counters
            )
        }

        init(uptimeSeconds: Double, profileAgeSeconds: Double?, counters: DaemonStatus.Counters) {
            self.uptimeSeconds = uptimeSeconds
            self.profileAgeSeconds = profileAgeSeconds
            self.counters = counters
        }
    }

    /// The status it was built from, as ``DaemonStatus/fixedPart``.
    let fixed: DaemonStatus
    private let template: JSONObjectTemplate
    /// Whether the status had a profile age (a profile is served).
    private let hasProfileAge: Bool
    /// Whether the status counted refused connections by reason.
    private let hasRefusals: Bool

    /// - Throws: `EncodingError.invalidValue` for a non-finite revalidation interval.
    init(_ status: DaemonStatus) throws {
        let fixed = status.fixedPart
        self.fixed = fixed
        self.hasProfileAge = fixed.cache.profileAgeSeconds != nil
        let hasRefusals = fixed.counters.connectionsRefused != nil
        self.hasRefusals = hasRefusals
        self.template = try JSONObjectTemplate { status in
            try status.writeObject("cache") { cache in
                cache.write("file", fixed.cache.file)
                cache.write("lastRevalidation", fixed.cache.lastRevalidation)
                cache.write("note", fixed.cache.note)
                if fixed.cache.profileAgeSeconds != nil { cache.writeSlot("profileAgeSeconds") }
                try cache.write("revalidateIntervalSeconds", fixed.cache.revalidateIntervalSeconds)
                cache.write("state", fixed.cache.state.rawValue)
            }
            status.writeObject("counters") { counters in
                counters.writeSlot("connectionsAccepted")
                counters.writeSlot("connectionsOpen")
                if hasRefusals {
                    counters.writeObject("connectionsRefused") { reasons in
                        reasons.writeSlot("per-uid limit")
                        reasons.writeSlot("reserved")
                        reasons.writeSlot("total limit")
                    }
                }
                counters.writeSlot("connectionsRejected")
                counters.writeSlot("errors")
                counters.writeSlot("probes")
                counters.writeSlot("profileChanges")
                counters.writeSlot("requests")
                counters.writeSlot("subscribers")
            }
            status.write("evmcsSupported", fixed.evmcsSupported)
            if let exporters = fixed.exporters {
                status.writeObject("exporters") { object in
                    Self.write("nfd", exporters.nfd, to: &object)
                    Self.write("prometheus", exporters.prometheus, to: &object)
                }
            }
            status.write("fingerprint", fixed.fingerprint)
            status.write("pid", fixed.pid)
            status.write("ready", fixed.ready)
            status.write("socket", fixed.socket)
            status.write("source", fixed.source)
            status.write("startedAt", fixed.startedAt)
            status.writeSlot("uptimeSeconds")
            status.write("version", fixed.version)
        }
    }

    /// The answer for `status`, whose ``DaemonStatus/fixedPart`` must equal ``fixed``.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite uptime or profile age.
    func answer(_ status: DaemonStatus) throws -> JSONRPCResult {
        try self.answer(Live(status))
    }

    /// The answer with the fixed members of ``fixed`` and the live ones of `live` (a profile age or refusal counts
    /// given where the template has none are left out; none given where it has them are written as 0).
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite uptime or profile age.
    func answer(_ live: Live) throws -> JSONRPCResult {
        try self.template.answer { slots in
            if self.hasProfileAge { try slots.fill(live.profileAgeSeconds ?? 0) }
            let counters = live.counters
            slots.fill(counters.connectionsAccepted)
            slots.fill(counters.connectionsOpen)
            if self.hasRefusals {
                let refused = counters.connectionsRefused
                slots.fill(refused?.perUIDLimit ?? 0)
                slots.fill(refused?.reserved ?? 0)
                slots.fill(refused?.totalLimit ?? 0)
            }
            slots.fill(counters.connectionsRejected)
            slots.fill(counters.errors)
            slots.fill(counters.probes)
            slots.fill(counters.profileChanges)
            slots.fill(counters.requests)
            slots.fill(counters.subscribers)
            try slots.fill(live.uptimeSeconds)
        }
    }

    private static func write(_ key: StaticString, _ exporter: DaemonStatus.Exporter?, to object: inout JSONObjectWriter)
    {
        guard let exporter else { return }
        object.writeObject(key) { member in
            member.write("error", exporter.error)
            member.write("failingSince", exporter.failingSince)
            member.write("file", exporter.file)
        }
    }
}

/// The `daemon.status` template in use, rebuilt only when what it was built from may have changed: the
/// generations of the store, the settings and the exporters (``Key``).
final class StatusAnswerCache: Sendable {
    /// What a template was built at.
    struct Key: Sendable, Hashable {
        var store: UInt64
        var settings: UInt64
        var exporters: UInt64
    }

    private struct State {
        var template: (key: Key, template: StatusTemplate)?
        var built = 0
    }

    private let state = Mutex(State())

    /// How many templates were built so far.
    var templatesBuilt: Int { self.state.withLock { $0.built } }

    /// The template for `key`: the kept one when it was built at `key`, else one built from `status()`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite revalidation interval.
    func template(for key: Key, status: () -> DaemonStatus) throws -> StatusTemplate {
        try self.state.withLock { state in
            if let kept = state.template, kept.key == key { return kept.template }
            let built = try StatusTemplate(status())
            state.template = (key, built)
            state.built += 1
            return built
        }
    }
}
