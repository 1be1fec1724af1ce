import Foundation
import Glibc

/// The header of the report: machine, daemon binary, and what the client does.
enum MachineDescription {
    static func current(plan: MeasurementPlan, runs: Int) -> String {
        var lines = ["DaemonLoadBenchmark"]
        lines.append(
            "machine:   \(self.cpuModel()), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) online cores, kernel \(self.kernel())"
        )
        lines.append("evmcsd:    \(plan.executable) (\(self.modificationTime(plan.executable)))")
        lines.append("serving:   \(plan.profile.map { "recorded profile \($0)" } ?? "live probe of /dev/kvm")")
        lines.append(
            "client:    \(plan.clientThreads) load thread(s), poll over all connections; ping-pong = 1 outstanding "
                + "request per connection, pipelined = \(plan.window); request id fixed at \(RequestLine.id)"
        )
        lines.append(
            "reference: \(plan.referenceThreads) poll thread(s), canned answers of evmcsd's sizes, same socket type"
        )
        lines.append(
            "placement: \(plan.placement.rawValue) (client CPUs \(CPUSet.describe(plan.placement.clientCPUs)), "
                + "server CPUs \(CPUSet.describe(plan.placement.serverCPUs)), for latency and throughput)"
        )
        lines.append(
            "runs:      \(runs); latency \(plan.latencySamples) samples after \(plan.latencyWarmup) warm-up; "
                + "throughput \(plan.trials) trial(s) × \(plan.duration) s after \(plan.warmup) s warm-up; "
                + "\(plan.startupRepetitions) cold+warm starts"
        )
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cpuModel() -> String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line?.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    }

    private static func kernel() -> String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func modificationTime(_ path: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let date = attributes[.modificationDate] as? Date
        else { return "unknown build time" }
        return "built \(date.formatted(.iso8601))"
    }
}
