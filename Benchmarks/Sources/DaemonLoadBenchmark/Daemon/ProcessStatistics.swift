import Foundation
import Glibc

/// What procfs says about a process: resident memory and CPU time.
enum ProcessStatistics {
    /// `VmRSS` from `/proc/PID/status`, in bytes.
    ///
    /// - Throws: ``BenchmarkError`` when the process is gone or the field is missing.
    static func residentBytes(of pid: pid_t) throws -> Int {
        let status = try Self.read("/proc/\(pid)/status")
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 2, let kibibytes = Int(fields[1]) { return kibibytes * 1024 }
        }
        throw BenchmarkError("no VmRSS in /proc/\(pid)/status")
    }

    /// Number of threads of the process.
    static func threadCount(of pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? 0
    }

    /// CPU time used so far by every live thread of `pid`, in nanoseconds (first field of
    /// `/proc/PID/task/TID/schedstat`, exact, unlike the 10 ms ticks of `/proc/PID/stat`).
    static func cpuNanoseconds(of pid: pid_t) -> UInt64 {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return Self.cpuNanoseconds(of: pid, threads: tasks.compactMap { Int32($0) })
    }

    /// CPU time used so far by the given threads of `pid`, in nanoseconds.
    static func cpuNanoseconds(of pid: pid_t, threads: [Int32]) -> UInt64 {
        threads.reduce(0) { total, thread in
            guard let text = try? Self.read("/proc/\(pid)/task/\(thread)/schedstat"),
                let first = text.split(separator: " ").first, let nanoseconds = UInt64(first)
            else { return total }
            return total + nanoseconds
        }
    }

    /// The whole text of a (small, procfs) file.
    static func readText(_ path: String) throws -> String {
        try Self.read(path)
    }

    private static func read(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError("open(\(path))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError("read(\(path))")
            }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
