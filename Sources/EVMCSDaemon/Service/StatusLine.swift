import JSONRPC
import VMXModel

/// The short human summary systemd shows (`STATUS=`): eVMCS yes/no, fingerprint prefix,
/// client count.
enum StatusLine {
    /// The line for `store`, counting the server's open connections as clients.
    static func make(_ store: CapabilityStore, statistics: StatisticsCollector) -> String {
        make(store, clients: statistics.snapshot().connectionsOpen)
    }

    static func make(_ store: CapabilityStore, clients: Int) -> String {
        guard let profile = store.serving?.profile else { return "probing" }
        let evmcs: String
        switch profile.evmcsSupport {
        case .supported(let low, let high, _): evmcs = "eVMCS yes (\(low)..\(high))"
        case .unsupported(let reason): evmcs = "eVMCS no (\(reason.code))"
        case .unknown: evmcs = "eVMCS unknown"
        }
        let fingerprint = profile.fingerprint.map { String($0.prefix(19)) } ?? "no fingerprint"
        return "\(evmcs), \(fingerprint), \(clients) client\(clients == 1 ? "" : "s")"
    }
}
