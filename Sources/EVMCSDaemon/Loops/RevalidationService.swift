import ServiceLifecycle

/// Re-checks the invalidation key every `cache.revalidate-seconds` (read again after each
/// round, so a reload applies at once) and updates systemd's status line.
struct RevalidationService: Service {
    let refresher: ProfileRefresher
    let settings: DaemonSettings
    let statusLine: @Sendable () -> String
    let notifier: SystemdNotifier

    func run() async {
        while !Task.isCancelled {
            let interval = settings.current.configuration.revalidateInterval
            do { try await Task.sleep(for: interval) } catch { return }
            await refresher.revalidate(trigger: "periodic check")
            notifier.status(statusLine())
        }
    }
}
