import VMXModel

extension HostProfile {
    /// eVMCS support and its version range as both exporters publish them: 0 and 0 when unsupported, so the
    /// NFD labels and the Prometheus gauges are always present and always agree.
    var exportedEVMCS: (supported: Bool, low: Int, high: Int) {
        guard case .supported(let low, let high, _) = self.evmcsSupport else { return (false, 0, 0) }
        return (true, low, high)
    }
}
