import EVMCSProtocol
import JSONRPC
import KVMProbe
import VMXModel

/// `daemon.status`, `events.subscribe`/`unsubscribe`, and the admin methods `cache.refresh`
/// and `daemon.reload`.
enum DaemonMethods {
    static func register(into methods: inout JSONRPCMethods, core: DaemonCore) {
        methods.registerImmediate(EVMCSMethod.status.rawValue) { request, _ in
            try request.expectNoParams()
            return try core.statusAnswers.answer(status(core))
        }
        methods.registerImmediate(EVMCSMethod.subscribe.rawValue) { request, context in
            try request.expectNoParams()
            core.subscriptions.subscribe(context.connection)
            return try JSONRPCResult(
                encoding: SubscriptionResult(subscribed: true, fingerprint: core.store.serving?.profile.fingerprint)
            )
        }
        methods.registerImmediate(EVMCSMethod.unsubscribe.rawValue) { request, context in
            try request.expectNoParams()
            core.subscriptions.unsubscribe(context.connection)
            return try JSONRPCResult(
                encoding: SubscriptionResult(subscribed: false, fingerprint: core.store.serving?.profile.fingerprint)
            )
        }
        methods.registerAsync(EVMCSMethod.refresh.rawValue) { request, context in
            try request.expectNoParams()
            try core.authorize(.refresh, context)
            let result = await core.refresher.revalidate(
                trigger: "cache.refresh by uid \(context.peer.uid)",
                force: true
            )
            if core.store.summary.cacheState == "stale" || core.store.serving == nil {
                throw JSONRPCError(
                    code: JSONRPCError.Code(rawValue: EVMCSErrorCode.probeFailed),
                    message: "Probe failed",
                    data: ["reason": .string(core.store.summary.note ?? "unknown")]
                )
            }
            return try JSONRPCResult(encoding: result)
        }
        methods.registerAsync(EVMCSMethod.reload.rawValue) { request, context in
            try request.expectNoParams()
            try core.authorize(.reload, context)
            switch await core.reloader.reload(trigger: "daemon.reload by uid \(context.peer.uid)") {
            case .success(let result): return try JSONRPCResult(encoding: result)
            case .failure(let error):
                throw JSONRPCError(
                    code: JSONRPCError.Code(rawValue: EVMCSErrorCode.reloadFailed),
                    message: "Reload failed; the previous configuration stays in force",
                    data: ["reason": .string(error.description)]
                )
            }
        }
    }

    static func status(_ core: DaemonCore) -> DaemonStatus {
        let summary = core.store.summary
        let serving = core.store.serving
        let statistics = core.statistics.snapshot()
        let now = Timestamp.unixNow()
        let settings = core.settings.current.configuration
        return DaemonStatus(
            version: EVMCSVersion.current,
            pid: core.processID,
            startedAt: core.startedAtText,
            uptimeSeconds: max(0, now - core.startedAt),
            source: core.sourceDescription,
            ready: serving != nil,
            cache: DaemonStatus.Cache(
                state: summary.cacheState,
                file: settings.cacheDirectory + "/profile.json",
                profileAgeSeconds: serving.map { max(0, now - $0.measuredAt) },
                lastRevalidation: summary.lastRevalidation,
                revalidateIntervalSeconds: Double(settings.revalidateInterval.components.seconds),
                note: summary.note
            ),
            fingerprint: serving?.profile.fingerprint,
            evmcsSupported: serving?.evmcsSupported ?? false,
            counters: DaemonStatus.Counters(
                connectionsOpen: statistics.connectionsOpen,
                connectionsAccepted: Int(statistics.connectionsAccepted),
                connectionsRejected: Int(statistics.connectionsRejected),
                requests: Int(statistics.requests),
                errors: Int(statistics.errorsByCode.values.reduce(0, +)),
                probes: summary.probes,
                profileChanges: summary.changes,
                subscribers: core.subscriptions.count,
                connectionsRefused: DaemonStatus.ConnectionRefusals(
                    perUIDLimit: Int(statistics.connectionsRefused[.perUIDLimit] ?? 0),
                    reserved: Int(statistics.connectionsRefused[.reserved] ?? 0),
                    totalLimit: Int(statistics.connectionsRefused[.totalLimit] ?? 0)
                )
            ),
            exporters: core.exporters.status,
            socket: core.socketDescription
        )
    }
}
