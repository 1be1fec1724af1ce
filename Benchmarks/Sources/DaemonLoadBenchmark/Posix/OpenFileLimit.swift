import Glibc

/// `RLIMIT_NOFILE` for the benchmark (and the daemons it spawns, which inherit it).
enum OpenFileLimit {
    /// Raises the soft limit to at least `count`, within the hard limit.
    ///
    /// - Throws: ``BenchmarkError`` when the hard limit is lower than `count`.
    static func raise(atLeast count: Int) throws {
        var limit = rlimit()
        try SystemError.check(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit), "getrlimit(RLIMIT_NOFILE)")
        guard limit.rlim_cur < rlim_t(count) else { return }
        guard limit.rlim_max >= rlim_t(count) else {
            throw BenchmarkError("RLIMIT_NOFILE hard limit \(limit.rlim_max) is below the \(count) descriptors needed")
        }
        limit.rlim_cur = rlim_t(count)
        try SystemError.check(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit), "setrlimit(RLIMIT_NOFILE)")
    }
}
