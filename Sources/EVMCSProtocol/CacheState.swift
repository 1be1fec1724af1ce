/// Where the served profile stands (`daemon.status` `cache.state`).
public enum CacheState: String, Codable, CaseIterable, Hashable, Sendable {
    /// Nothing is served yet.
    case empty
    /// Served from the cache file, not yet re-verified.
    case loaded
    /// Served from the cache file and confirmed by a key check.
    case verified
    /// Probed by this process.
    case fresh
    /// The probe source failed; the last good profile is served.
    case stale
}
