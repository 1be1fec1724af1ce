import Dispatch
import KVMProbe
import Synchronization
import VMXModel

/// A probe source a test controls: it serves the profiles it is given, counts its calls, and
/// can be closed so that the next probe hangs (as a stuck sysfs read or ioctl would) until the
/// test opens it.
final class GatedProbeSource: ProbeSource {
    private struct State {
        var profile: HostProfile
        var key: ProbeSourceKey
        var keyChecks = 0
        var probes = 0
        var probesRunning = 0
        var mostProbesRunning = 0
        var closed = false
        var entered: [AsyncStream<Void>.Continuation] = []
    }

    private let state: Mutex<State>
    private let gate = DispatchSemaphore(value: 0)

    init(profile: HostProfile, key: ProbeSourceKey) {
        state = Mutex(State(profile: profile, key: key))
    }

    var description: String { "gated test source" }

    func currentKey() -> ProbeSourceKey {
        state.withLock {
            $0.keyChecks += 1
            return $0.key
        }
    }

    func probe() throws -> HostProfile {
        // What the host offers when the probe starts is what it measures.
        let (profile, closed, entered) = state.withLock { state in
            state.probes += 1
            state.probesRunning += 1
            state.mostProbesRunning = max(state.mostProbesRunning, state.probesRunning)
            return (state.profile, state.closed, state.entered)
        }
        for continuation in entered { continuation.yield() }
        if closed { gate.wait() }
        state.withLock { $0.probesRunning -= 1 }
        return profile
    }

    /// Serves `profile` under `key` from now on.
    func serve(_ profile: HostProfile, key: ProbeSourceKey) {
        state.withLock {
            $0.profile = profile
            $0.key = key
        }
    }

    /// Makes the next probes hang until ``open()``.
    func close() { state.withLock { $0.closed = true } }

    /// Lets every hanging probe finish and later ones run through.
    func open() {
        let hanging = state.withLock { state in
            state.closed = false
            return state.probesRunning
        }
        for _ in 0..<hanging { gate.signal() }
    }

    /// Yields each time a probe starts.
    func probeStarts() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        state.withLock { $0.entered.append(continuation) }
        return stream
    }

    var probes: Int { state.withLock { $0.probes } }
    var keyChecks: Int { state.withLock { $0.keyChecks } }
    /// The most probes that ever ran at the same time.
    var mostProbesRunning: Int { state.withLock { $0.mostProbesRunning } }
}
