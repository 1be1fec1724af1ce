#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock times as documents carry them: RFC 3339 in UTC (`2026-11-25T16:40:00Z`).
public enum Timestamp {
    /// Seconds since the Unix epoch, now.
    public static func unixNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }

    /// Now, as RFC 3339.
    public static func rfc3339Now() -> String { rfc3339(unixSeconds: unixNow()) }

    /// `unixSeconds` (fraction dropped) as RFC 3339.
    public static func rfc3339(unixSeconds: Double) -> String {
        var seconds = time_t(unixSeconds.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }

    /// Parses the `YYYY-MM-DDTHH:MM:SSZ` form ``rfc3339(unixSeconds:)`` writes.
    public static func unixSeconds(rfc3339 text: String) -> Double? {
        let numbers = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count == 6, text.hasSuffix("Z") else { return nil }
        var parts = tm()
        parts.tm_year = Int32(numbers[0] - 1900)
        parts.tm_mon = Int32(numbers[1] - 1)
        parts.tm_mday = Int32(numbers[2])
        parts.tm_hour = Int32(numbers[3])
        parts.tm_min = Int32(numbers[4])
        parts.tm_sec = Int32(numbers[5])
        let seconds = timegm(&parts)
        return seconds < 0 ? nil : Double(seconds)
    }
}
