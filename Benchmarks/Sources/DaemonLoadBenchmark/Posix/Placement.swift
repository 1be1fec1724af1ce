import ArgumentParser
import CPUAffinity
import Glibc

/// Where the load client and the server under test run during the latency and throughput
/// phases. Both servers (evmcsd and the reference) get the same placement.
///
/// On this machine (a 2-vCPU VM) waking a thread on the other vCPU costs tens of microseconds
/// when that vCPU is idle, so a round trip between CPUs is dominated by the hypervisor; without
/// pinning, where the scheduler happens to put the threads decides the figures.
enum Placement: String, CaseIterable, ExpressibleByArgument {
    /// Client and server on the first allowed CPU: round trips without cross-CPU wake-ups, so
    /// they show what the server itself costs.
    case sameCore = "same-core"
    /// Client on the first allowed CPU, server on the others: every round trip crosses CPUs.
    case split
    /// No pinning: the scheduler decides.
    case none

    /// CPUs for the load client's threads, or `nil` for no pinning.
    var clientCPUs: UInt64? {
        switch self {
        case .sameCore, .split: CPUSet.first(of: CPUSet.allowed)
        case .none: nil
        }
    }

    /// CPUs for every server thread, or `nil` for no pinning.
    var serverCPUs: UInt64? {
        switch self {
        case .sameCore: CPUSet.first(of: CPUSet.allowed)
        case .split:
            CPUSet.allowed.nonzeroBitCount > 1 ? CPUSet.allowed & ~CPUSet.first(of: CPUSet.allowed) : CPUSet.allowed
        case .none: nil
        }
    }
}

/// CPU affinity of the calling thread, as a bit mask of CPUs 0–63.
enum CPUSet {
    /// The CPUs the benchmark was allowed when it started.
    static let allowed: UInt64 = cpu_affinity_current_thread()

    /// The lowest CPU of `mask`, as a mask.
    static func first(of mask: UInt64) -> UInt64 { mask & (~mask &+ 1) }

    /// `0,1`-style list.
    static func describe(_ mask: UInt64?) -> String {
        guard let mask else { return "any" }
        return (0..<64).filter { mask & (1 << $0) != 0 }.map(String.init).joined(separator: ",")
    }

    /// Restricts the calling thread (and threads and processes it creates later) to `mask`.
    static func pinCurrentThread(to mask: UInt64) throws(SystemError) {
        guard cpu_affinity_set_current_thread(mask) == 0 else {
            throw SystemError("sched_setaffinity(\(Self.describe(mask)))")
        }
    }

    /// Runs `body` with the calling thread restricted to `mask` (when not `nil`), then restores it.
    static func withCurrentThread<Result>(pinnedTo mask: UInt64?, _ body: () throws -> Result) throws -> Result {
        guard let mask else { return try body() }
        let previous = cpu_affinity_current_thread()
        try Self.pinCurrentThread(to: mask)
        defer { _ = cpu_affinity_set_current_thread(previous) }
        return try body()
    }
}
