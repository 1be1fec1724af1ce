import Glibc

/// The whole machine's CPU time from `/proc/stat`, to tell how much of it went to processes
/// other than the benchmark's during a counted interval, and how much the hypervisor stole.
struct MachineActivity {
    /// CPU time spent running anything (user, nice, system, irq, softirq), in nanoseconds.
    var busy: UInt64
    /// Time the hypervisor ran something else while a vCPU wanted to run, in nanoseconds.
    var steal: UInt64

    /// Reads the aggregate `cpu` line; zeros if it cannot be read.
    static func now() -> MachineActivity {
        guard let text = try? ProcessStatistics.readText("/proc/stat"),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return MachineActivity(busy: 0, steal: 0) }
        let ticks = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard ticks.count >= 8 else { return MachineActivity(busy: 0, steal: 0) }
        let nanosecondsPerTick = 1_000_000_000 / UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        // user nice system idle iowait irq softirq steal
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
        return MachineActivity(busy: busy * nanosecondsPerTick, steal: ticks[7] * nanosecondsPerTick)
    }

    /// CPU used between `start` and `self` by processes other than those accounted, and stolen,
    /// both in cores (1.0 = one core busy for the whole interval). `/proc/stat` counts in 10 ms
    /// ticks, so short intervals are approximate.
    func since(_ start: MachineActivity, accounted: UInt64, interval: UInt64) -> (other: Double, stolen: Double) {
        guard interval > 0, self.busy >= start.busy else { return (0, 0) }
        let other = Double(self.busy - start.busy) - Double(accounted)
        return (max(0, other) / Double(interval), Double(self.steal &- start.steal) / Double(interval))
    }
}
