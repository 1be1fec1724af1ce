import JSONRPC
import KVMProbe

/// What the daemon takes from the host it runs on, injected by the executable so the service
/// itself does no host look-ups: the socket systemd passed, the group database, and the probe
/// source.
public struct DaemonEnvironment: Sendable {
    /// The listening socket passed by socket activation, or `nil` to create the configured one.
    public var listeningDescriptor: Int32?
    /// Where the socket and admin groups are looked up.
    public var groups: GroupResolver
    /// Makes the probe source for a configuration.
    public var probeSource: @Sendable (DaemonConfiguration) -> any ProbeSource

    /// Creates an environment from its parts.
    public init(
        listeningDescriptor: Int32?,
        groups: GroupResolver,
        probeSource: @escaping @Sendable (DaemonConfiguration) -> any ProbeSource
    ) {
        self.listeningDescriptor = listeningDescriptor
        self.groups = groups
        self.probeSource = probeSource
    }

    /// This host: socket activation (`sd_listen_fds`, read now), the system's group database,
    /// and the live probe of `/dev/kvm` or the configured recorded profile.
    public static func host() -> DaemonEnvironment {
        DaemonEnvironment(
            listeningDescriptor: SocketActivation.listeningDescriptor(),
            groups: .system,
            probeSource: defaultProbeSource
        )
    }

    /// The recorded profile when one is configured, else the live probe at the configured paths.
    public static func defaultProbeSource(_ configuration: DaemonConfiguration) -> any ProbeSource {
        if let file = configuration.profileFile {
            return RecordedProfileSource(path: file, vetting: JSONParser.duplicateMemberProblem)
        }
        return LiveProbe(
            procRoot: configuration.procfsRoot,
            sysRoot: configuration.sysfsRoot,
            devicePath: configuration.devicePath
        )
    }
}
