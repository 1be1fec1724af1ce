import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on every SIGHUP.
struct HangupService: Service {
    let reloader: ConfigurationReloader

    func run() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            _ = await reloader.reload(trigger: "SIGHUP")
        }
    }
}
