import Dispatch
import EVMCSProtocol
import KVMProbe
import Logging
import VMXModel

/// Keeps the served profile current: loads the persisted cache at start, re-checks the
/// cheap invalidation key, re-probes when it changes (or when asked), persists, and tells
/// the log, the history, the exporters and its change handler when what the host offers
/// changes.
///
/// Revalidations are single-flight: the periodic loop, SIGHUP, `cache.refresh` and start-up
/// never use the probe source at the same time. A revalidation asked for while one runs joins
/// it; a forced one (a re-probe) asked for while one runs is queued, and every forced request
/// queued meanwhile shares that one next re-probe. So the source is busy for one operation at
/// a time and ``sourceBusySince`` belongs to that operation alone: the watchdog sees a hung
/// probe however many callers wait for it.
actor ProfileRefresher {
    private let source: any ProbeSource
    private let cacheFile: ProfileCacheFile<ProbeSourceKey>
    private let store: CapabilityStore
    private let exporters: Exporters
    private let logger: Logger
    /// Called with every change event, after the store has it (the daemon fans it out to subscribers).
    private let onChange: @Sendable (ProfileChangedEvent) -> Void
    /// Probes block in ioctls for milliseconds: they run here, off the cooperative pool.
    private let probeQueue = DispatchQueue(label: "evmcsd.probe")
    /// Since when the probe source has been working (a key check or a probe), for the watchdog:
    /// a read that hangs (a sysfs or device file that never answers) must stop the pings.
    private(set) var sourceBusySince: ContinuousClock.Instant?
    /// Whether a revalidation is running.
    private var running = false
    /// Callers waiting for the running revalidation's outcome.
    private var joined: [CheckedContinuation<RefreshResult, Never>] = []
    /// Forced revalidations asked for while one runs: they share the next re-probe.
    private var queued: [(trigger: String, continuation: CheckedContinuation<RefreshResult, Never>)] = []

    /// - Parameters:
    ///   - onChange: Receives each change event (not the first profile); it must not block.
    init(
        source: any ProbeSource,
        cacheDirectory: String,
        store: CapabilityStore,
        exporters: Exporters,
        logger: Logger,
        onChange: @escaping @Sendable (ProfileChangedEvent) -> Void = { _ in }
    ) {
        self.source = source
        self.cacheFile = ProfileCacheFile(directory: cacheDirectory)
        self.store = store
        self.exporters = exporters
        self.logger = logger
        self.onChange = onChange
    }

    /// How many callers wait for a running revalidation (joined or queued).
    var waitingCallers: Int { joined.count + queued.count }

    /// Serves the persisted profile when it is intact and its key matches (fast start),
    /// else probes. Returns whether a persisted profile was used (the caller then verifies
    /// it with ``revalidate(trigger:force:)``).
    /// - Throws: ``RecordedProfileError`` when there is nothing to serve (a recorded source
    ///   that cannot be read and no cache).
    func start() async throws -> Bool {
        for path in AtomicFile.removeStaleTemporaries(of: cacheFile.path) {
            logger.notice("removed an unfinished cache write", metadata: ["file": "\(path)"])
        }
        let key = await currentKey()
        switch cacheFile.load(daemonVersion: DaemonBuild.identity, key: key) {
        case .success(let entry):
            try store.install(
                entry.profile,
                key: key,
                measuredAt: Self.unixTime(entry.savedAt),
                cacheState: .loaded,
                trigger: "start",
                answersNow: false
            )
            logger.info(
                "serving the persisted profile",
                metadata: ["cache.file": "\(cacheFile.path)", "fingerprint": "\(entry.profile.fingerprint ?? "")"]
            )
            exporters.publish(store)
            return true
        case .failure(let rejection):
            if rejection != .missing {
                logger.notice(
                    "persisted profile not used",
                    metadata: ["cache.file": "\(cacheFile.path)", "reason": "\(rejection)"]
                )
            }
            let note = rejection == .missing ? nil : "cache file \(rejection)"
            store.setCacheState(.empty, note: note)
            try await probeAndInstall(key: key, trigger: "start", note: note)
            return false
        }
    }

    /// Re-checks the invalidation key and re-probes when it changed (or always with `force`).
    /// A source that fails keeps the last good profile served, marked stale.
    ///
    /// While another revalidation runs, an unforced call returns that one's outcome and a
    /// forced call waits for the re-probe that starts after it (see the type's description).
    /// - Returns: The refresh outcome (fingerprint, whether it changed, probe duration).
    @discardableResult
    func revalidate(trigger: String, force: Bool = false) async -> RefreshResult {
        if running {
            return await withCheckedContinuation { continuation in
                if force {
                    queued.append((trigger, continuation))
                } else {
                    joined.append(continuation)
                }
            }
        }
        running = true
        defer { running = false }
        let result = await revalidateOnce(trigger: trigger, force: force)
        finishJoined(with: result)
        while !queued.isEmpty {
            let batch = queued
            queued.removeAll()
            let triggers = Array(Set(batch.map(\.trigger))).sorted()
            let next = await revalidateOnce(trigger: triggers.joined(separator: "; "), force: true)
            for waiter in batch { waiter.continuation.resume(returning: next) }
            finishJoined(with: next)
        }
        return result
    }

    private func finishJoined(with result: RefreshResult) {
        let waiters = joined
        joined.removeAll()
        for waiter in waiters { waiter.resume(returning: result) }
    }

    private func revalidateOnce(trigger: String, force: Bool) async -> RefreshResult {
        let key = await currentKey()
        store.noteRevalidation()
        let previous = store.serving
        guard force || previous?.key != key else {
            if store.summary.cacheState == .loaded {
                store.setCacheState(.verified)
            }
            exporters.publish(store)
            return RefreshResult(fingerprint: previous?.profile.fingerprint, changed: false, durationMicros: 0)
        }
        let reason = force ? trigger : "\(trigger): invalidation key changed (\(Self.describe(previous?.key, key)))"
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let event = try await probeAndInstall(key: key, trigger: reason)
            let elapsed = clock.now - started
            return RefreshResult(
                fingerprint: store.serving?.profile.fingerprint,
                changed: event != nil,
                durationMicros: Int(elapsed.components.seconds) * 1_000_000
                    + Int(elapsed.components.attoseconds / 1_000_000_000_000)
            )
        } catch {
            logger.error(
                "probe source failed; serving the last good profile",
                metadata: ["error": "\(error)", "trigger": "\(trigger)"]
            )
            store.setCacheState(previous == nil ? .empty : .stale, note: "\(error)")
            return RefreshResult(fingerprint: previous?.profile.fingerprint, changed: false, durationMicros: 0)
        }
    }

    @discardableResult
    private func probeAndInstall(key: ProbeSourceKey, trigger: String, note: String? = nil) async throws
        -> ProfileChangedEvent?
    {
        let profile = try await probe()
        let now = Timestamp.unixNow()
        let event = try store.install(
            profile,
            key: key,
            measuredAt: now,
            cacheState: .fresh,
            note: note,
            trigger: trigger
        )
        do {
            try cacheFile.save(
                ProfileCacheFile.Entry(
                    daemonVersion: DaemonBuild.identity,
                    key: key,
                    profile: profile,
                    savedAt: Timestamp.rfc3339(unixSeconds: now)
                )
            )
        } catch {
            logger.warning(
                "cannot persist the profile cache; serving from memory",
                metadata: ["cache.file": "\(cacheFile.path)", "error": "\(error)"]
            )
            store.setCacheState(
                .fresh,
                note: [note, "cache not written: \(error)"].compactMap { $0 }.joined(separator: "; ")
            )
        }
        if let event {
            logger.notice(
                "host capabilities changed",
                metadata: [
                    "fingerprint.old": "\(event.oldFingerprint ?? "")",
                    "fingerprint.new": "\(event.newFingerprint ?? "")",
                    "trigger": "\(trigger)", "changes": "\(event.changes.map(\.path).joined(separator: ", "))",
                ]
            )
            onChange(event)
        } else {
            logger.info(
                "profile measured",
                metadata: ["fingerprint": "\(profile.fingerprint ?? "")", "trigger": "\(trigger)"]
            )
        }
        exporters.publish(store)
        return event
    }

    private func probe() async throws -> HostProfile {
        sourceBusySince = .now
        defer { sourceBusySince = nil }
        store.countProbe()
        let source = self.source
        return try await withCheckedThrowingContinuation { continuation in
            probeQueue.async { continuation.resume(with: Result { try source.probe() }) }
        }
    }

    private func currentKey() async -> ProbeSourceKey {
        sourceBusySince = .now
        defer { sourceBusySince = nil }
        let source = self.source
        return await withCheckedContinuation { continuation in
            probeQueue.async { continuation.resume(returning: source.currentKey()) }
        }
    }

    /// Which parts of the key changed, for logs and history.
    static func describe(_ old: ProbeSourceKey?, _ new: ProbeSourceKey) -> String {
        switch (old, new) {
        case (.live(let before)?, .live(let after)):
            var parts: [String] = []
            if before.kernelRelease != after.kernelRelease || before.kernelVersion != after.kernelVersion {
                parts.append("kernel")
            }
            if before.bootID != after.bootID { parts.append("boot id") }
            if before.processor != after.processor { parts.append("CPU signature or microcode") }
            if before.moduleParameters != after.moduleParameters { parts.append("KVM module parameters") }
            if before.kvmDevice != after.kvmDevice { parts.append("KVM device node") }
            return parts.isEmpty ? "unchanged" : parts.joined(separator: ", ")
        case (.recorded?, .recorded): return "profile file content"
        case (nil, _): return "no previous key"
        default: return "probe source"
        }
    }

    private static func unixTime(_ rfc3339: String) -> Double {
        // The cache stores when it was measured; an unparsable time only affects the reported age.
        Timestamp.unixSeconds(rfc3339: rfc3339) ?? Timestamp.unixNow()
    }
}
