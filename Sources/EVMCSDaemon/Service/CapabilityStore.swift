import EVMCSProtocol
import KVMProbe
import Synchronization
import VMXModel

/// The daemon's current knowledge: the served profile with its pre-encoded answers, the
/// cache state and the history of changes. Readable from any thread at the
/// cost of a lock, so immediate method handlers answer from it on the event loop.
final class CapabilityStore: Sendable {
    /// What is served now; replaced as a whole when the profile changes. A class, so a handler
    /// takes it from the lock at the cost of one reference, not a copy of the whole profile.
    final class Serving: Sendable {
        let profile: HostProfile
        let key: ProbeSourceKey
        /// Unix time the profile was measured.
        let measuredAt: Double
        /// Whether the profile says eVMCS is supported (`daemon.status`).
        let evmcsSupported: Bool
        /// The cached answers, encoded on first use (or by ``prepareAnswers()`` once the daemon
        /// is ready), not while the daemon starts.
        private let answers = Mutex<Answers?>(nil)

        /// The encoded `host.profile`, `host.evmcs` and `host.vmx` answers.
        struct Answers: Sendable {
            let profile: EncodedAnswer<HostProfile>
            let evmcs: EncodedAnswer<HostEVMCSReport>
            let vmx: EncodedAnswer<HostVMXReport>
        }

        init(profile: HostProfile, key: ProbeSourceKey, measuredAt: Double) {
            self.profile = profile
            self.key = key
            self.measuredAt = measuredAt
            if case .supported = profile.evmcsSupport {
                self.evmcsSupported = true
            } else {
                self.evmcsSupported = false
            }
        }

        /// The `host.profile` answer.
        var profileAnswer: EncodedAnswer<HostProfile> { get throws { try prepareAnswers().profile } }
        /// The `host.evmcs` answer.
        var evmcsAnswer: EncodedAnswer<HostEVMCSReport> { get throws { try prepareAnswers().evmcs } }
        /// The `host.vmx` answer (all views).
        var vmxAnswer: EncodedAnswer<HostVMXReport> { get throws { try prepareAnswers().vmx } }

        /// Encodes the cached answers unless that is done; every later call returns them.
        ///
        /// - Throws: `EncodingError` for a profile with a value JSON cannot hold (a non-finite number).
        @discardableResult
        func prepareAnswers() throws -> Answers {
            try answers.withLock { answers in
                if let answers { return answers }
                let encoded = Answers(
                    profile: try EncodedAnswer(profile),
                    evmcs: try EncodedAnswer(HostEVMCSReport(profile)),
                    vmx: try EncodedAnswer(HostVMXReport(profile))
                )
                answers = encoded
                return encoded
            }
        }
    }

    private struct State {
        var serving: Serving?
        var cacheState = CacheState.empty
        var note: String?
        var lastRevalidation: String?
        var history: [ProfileChangedEvent] = []
        var historyCapacity: Int
        var probes = 0
        var changes = 0
        /// Counts the changes of what `daemon.status` shows of the store; see ``summary``.
        var generation: UInt64 = 0
    }

    private let state: Mutex<State>

    init(historyCapacity: Int) {
        state = Mutex(State(historyCapacity: historyCapacity))
    }

    var serving: Serving? { state.withLock { $0.serving } }

    /// Installs `profile` as the served one and returns the change event when it differs
    /// from the previous one (``ProfileDiff``; the first profile is not a change).
    /// - Parameters:
    ///   - cacheState: the cache state that comes with it (`loaded`, `fresh`).
    ///   - note: why the cache is in that state, if notable; replaces any earlier note (a
    ///     failed write or probe that this profile supersedes).
    ///   - answersNow: whether the cached answers are encoded before the profile is installed
    ///     (after a probe); `false` serves it at once and leaves them to the first request or
    ///     ``Serving/prepareAnswers()`` (a profile loaded from the cache at start-up).
    /// - Throws: when the profile's answers cannot be encoded (a non-finite number); nothing is
    ///   installed then.
    @discardableResult
    func install(
        _ profile: HostProfile,
        key: ProbeSourceKey,
        measuredAt: Double,
        cacheState: CacheState,
        note: String? = nil,
        trigger: String,
        answersNow: Bool = true
    ) throws -> ProfileChangedEvent? {
        let serving = Serving(profile: profile, key: key, measuredAt: measuredAt)
        if answersNow { try serving.prepareAnswers() }
        return state.withLock { state in
            state.generation += 1
            let previous = state.serving?.profile
            state.serving = serving
            state.cacheState = cacheState
            state.note = note
            guard let previous else { return nil }
            let changes = ProfileDiff.between(previous, profile)
            guard !changes.isEmpty else { return nil }
            let event = ProfileChangedEvent(
                at: Timestamp.rfc3339Now(),
                oldFingerprint: previous.fingerprint,
                newFingerprint: profile.fingerprint,
                trigger: trigger,
                changes: changes
            )
            state.history.append(event)
            if state.history.count > state.historyCapacity {
                state.history.removeFirst(state.history.count - state.historyCapacity)
            }
            state.changes += 1
            return event
        }
    }

    func setCacheState(_ cacheState: CacheState, note: String? = nil) {
        state.withLock {
            $0.cacheState = cacheState
            $0.note = note
            $0.generation += 1
        }
    }

    func noteRevalidation() {
        let now = Timestamp.rfc3339Now()
        state.withLock {
            $0.lastRevalidation = now
            $0.generation += 1
        }
    }

    func countProbe() { state.withLock { $0.probes += 1 } }

    func setHistoryCapacity(_ capacity: Int) {
        state.withLock { state in
            state.historyCapacity = capacity
            if state.history.count > capacity { state.history.removeFirst(state.history.count - capacity) }
        }
    }

    var history: ProfileHistory {
        state.withLock { ProfileHistory(changes: $0.history, capacity: $0.historyCapacity) }
    }

    /// The store's state under one lock (so the template and the live values of a
    /// `daemon.status` answer agree): the generation (it changes whenever the cache state, note,
    /// last revalidation or served profile does, so a status template built at one generation
    /// holds until the next), those members, and the counters.
    struct Summary: Sendable {
        var generation: UInt64
        var serving: Serving?
        var cacheState: CacheState
        var note: String?
        var lastRevalidation: String?
        var probes: Int
        var changes: Int
    }

    var summary: Summary {
        state.withLock {
            Summary(
                generation: $0.generation,
                serving: $0.serving,
                cacheState: $0.cacheState,
                note: $0.note,
                lastRevalidation: $0.lastRevalidation,
                probes: $0.probes,
                changes: $0.changes
            )
        }
    }
}
