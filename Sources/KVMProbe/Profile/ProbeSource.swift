import VMXModel

/// Where host profiles come from: the live host (`LiveProbe`) or a recorded profile file
/// (`RecordedProfileSource`). The daemon works the same on both.
public protocol ProbeSource: Sendable {
    /// A cheap value that changes whenever a new probe could give a different profile.
    /// Recomputing it must not touch KVM (the daemon calls it every few seconds).
    func currentKey() -> ProbeSourceKey

    /// Produces a complete host profile. A live probe never fails: everything unavailable is
    /// a reason inside the profile. A recorded source fails when its file cannot be used.
    func probe() throws -> HostProfile

    /// For logs: `live /dev/kvm` or `recorded /path/profile.json`.
    var description: String { get }
}

/// The invalidation key of a probe source.
public enum ProbeSourceKey: Codable, Hashable, Sendable {
    /// Live host: kernel, boot, microcode, module parameters, device node.
    case live(InvalidationKey)
    /// A profile file, by content digest.
    case recorded(path: String, sha256: String)
}
