import EVMCSProtocol
import JSONRPC
import KVMProbe
import VMXModel

/// `daemon.status`, `events.subscribe`/`unsubscribe`, and the admin methods `cache.refresh`
/// and `daemon.reload`.
enum DaemonMethods {
    static func register(into methods: inout JSONRPCMethods, core: DaemonCore) {
        methods.registerImmediate(EVMCSAPI.status) { _, _ in
            EncodedAnswer(writtenAs: DaemonStatus.self, try statusAnswer(core))
        }
        methods.registerImmediate(EVMCSAPI.subscribe) { _, context in
            core.subscriptions.subscribe(context.connection)
            return try EncodedAnswer(
                SubscriptionResult(subscribed: true, fingerprint: core.store.serving?.profile.fingerprint)
            )
        }
        methods.registerImmediate(EVMCSAPI.unsubscribe) { _, context in
            core.subscriptions.unsubscribe(context.connection)
            return try EncodedAnswer(
                SubscriptionResult(subscribed: false, fingerprint: core.store.serving?.profile.fingerprint)
            )
        }
        methods.registerAsync(EVMCSAPI.refresh) { _, context in
            try core.authorize(.refresh, context)
            let result = await core.refresher.revalidate(
                trigger: "cache.refresh by uid \(context.peer.uid)",
                force: true
            )
            if core.store.summary.cacheState == .stale || core.store.serving == nil {
                throw JSONRPCError(
                .probeFailed,
                data: ["reason": .string(core.store.summary.note ?? "unknown")]
                )
            }
            return try EncodedAnswer(result)
        }
        methods.registerAsync(EVMCSAPI.reload) { _, context in
            try core.authorize(.reload, context)
            switch await core.reloader.reload(trigger: "daemon.reload by uid \(context.peer.uid)") {
            case .success(let result): return try EncodedAnswer(result)
            case .failure(let error):
                throw JSONRPCError(
                .reloadFailed,
                data: ["reason": .string(error.description)]
                )
            }
        }
    }

    /// The `daemon.status` answer: the template kept since the store, settings and exporters last
    /// changed, filled with the uptime, profile age and counters of now.
    static func statusAnswer(_ core: DaemonCore) throws -> JSONRPCResult {
        let facts = core.store.summary
        let key = StatusAnswerCache.Key(
            store: facts.generation,
            settings: core.settings.generation,
            exporters: core.exporters.generation
        )
        let now = Timestamp.unixNow()
        let template = try core.statusAnswers.template(for: key) { status(core, facts, now: now) }
        return try template.answer(
            StatusTemplate.Live(
                uptimeSeconds: max(0, now - core.startedAt),
                profileAgeSeconds: facts.serving.map { max(0, now - $0.measuredAt) },
                counters: counters(core, facts)
            )
        )
    }

    /// The whole status at `now`, with the store's side taken from `facts` (read once per request, so the
    /// template and the live values of an answer agree).
    private static func status(_ core: DaemonCore, _ facts: CapabilityStore.Summary, now: Double) -> DaemonStatus {
        let serving = facts.serving
        let settings = core.settings.current.configuration
        return DaemonStatus(
            version: EVMCSVersion.current,
            pid: core.processID,
            startedAt: core.startedAtText,
            uptimeSeconds: max(0, now - core.startedAt),
            source: core.sourceDescription,
            ready: serving != nil,
            cache: DaemonStatus.Cache(
                state: facts.cacheState,
                file: settings.cacheDirectory + "/profile.json",
                profileAgeSeconds: serving.map { max(0, now - $0.measuredAt) },
                lastRevalidation: facts.lastRevalidation,
                revalidateIntervalSeconds: Double(settings.revalidateInterval.components.seconds),
                note: facts.note
            ),
            fingerprint: serving?.profile.fingerprint,
            evmcsSupported: serving?.evmcsSupported ?? false,
            counters: counters(core, facts),
            exporters: core.exporters.status,
            socket: core.socketDescription
        )
    }

    private static func counters(_ core: DaemonCore, _ facts: CapabilityStore.Summary) -> DaemonStatus.Counters {
        let counters = core.statistics.counters()
        return DaemonStatus.Counters(
            connectionsOpen: counters.connectionsOpen,
            connectionsAccepted: Int(counters.connectionsAccepted),
            connectionsRejected: Int(counters.connectionsRejected),
            requests: Int(counters.requests),
            errors: Int(counters.errors),
            probes: facts.probes,
            profileChanges: facts.changes,
            subscribers: core.subscriptions.count,
            connectionsRefused: DaemonStatus.ConnectionRefusals(
                perUIDLimit: Int(counters.refusedPerUID),
                reserved: Int(counters.refusedReserved),
                totalLimit: Int(counters.refusedTotal)
            )
        )
    }
}
