import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Pings systemd's watchdog (`WATCHDOG=1`) at half its interval, only while healthy: the
/// event loop runs tasks, the probe source is not stuck in one operation for longer than the
/// interval, and a profile is served.
struct WatchdogService: Service {
    let interval: Duration
    let refresher: ProfileRefresher
    let store: CapabilityStore
    let notifier: SystemdNotifier
    let logger: Logger
    var eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()

    func run() async {
        let period = interval / 2
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            if let problem = await healthProblem(now: .now) {
                logger.error("unhealthy: not pinging the watchdog", metadata: ["problem": "\(problem)"])
            } else {
                notifier.watchdog()
            }
        }
    }

    /// What keeps the daemon from being healthy at `now`, or `nil` when it is.
    func healthProblem(now: ContinuousClock.Instant) async -> String? {
        let answered: Bool = (try? await eventLoop.submit { true }.get()) ?? false
        guard answered else { return "event loop does not run tasks" }
        if let busySince = await refresher.sourceBusySince, now - busySince > interval {
            return "probe source busy for more than \(interval)"
        }
        return store.serving == nil ? "no profile" : nil
    }
}
