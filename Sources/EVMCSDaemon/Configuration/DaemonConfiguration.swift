import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Everything evmcsd can be configured with (config/evmcsd.toml documents each key).
public struct DaemonConfiguration: Sendable, Equatable {
    /// Path of the Unix socket to create (ignored under socket activation).
    public var socketPath: String
    /// File mode of the socket, e.g. 0o660.
    public var socketMode: UInt32 = 0o660
    /// Group that owns the socket file; `nil` keeps the daemon's group.
    public var socketGroup: String?
    /// Members of this group may call admin methods; root always may.
    public var adminGroup: String?
    /// Where the profile cache is persisted.
    public var cacheDirectory: String
    /// How often the cheap invalidation key is re-checked.
    public var revalidateInterval: Duration = .seconds(30)
    /// How many profile changes `host.history` keeps.
    public var historySize = 32
    /// The KVM device node.
    public var devicePath = "/dev/kvm"
    /// Roots of sysfs and procfs (tests point them at recorded trees).
    public var sysfsRoot = "/sys"
    public var procfsRoot = "/proc"
    /// Serve this recorded profile instead of probing.
    public var profileFile: String?
    public var limits = Limits()
    public var logLevel: Logger.Level = .info
    /// The node_exporter textfile collector output (`[exporters.prometheus]`).
    public var prometheus = ExporterOutput(path: "/var/lib/prometheus/node-exporter/evmcsd.prom")
    /// The node-feature-discovery features.d output (`[exporters.nfd]`).
    public var nfd = ExporterOutput(path: "/etc/kubernetes/node-feature-discovery/features.d/evmcsd")
    /// How long NFD labels stay valid without a rewrite (`# +expiry-time`).
    public var nfdExpiry: Duration = .seconds(3600)

    /// The file the Prometheus exporter writes, `nil` when it is off; setting a path turns it on.
    public var prometheusFile: String? {
        get { prometheus.file }
        set { prometheus.file = newValue }
    }

    /// The file the NFD exporter writes, `nil` when it is off; setting a path turns it on.
    public var nfdFile: String? {
        get { nfd.file }
        set { nfd.file = newValue }
    }

    /// Whether an exporter writes, and where.
    public struct ExporterOutput: Sendable, Equatable {
        /// Whether the exporter writes its file.
        public var enabled = false
        /// Where it writes (the default until the file says otherwise).
        public var path: String

        /// An exporter off, writing to `path` once enabled.
        public init(path: String) {
            self.path = path
        }

        /// The path when enabled, else `nil`; setting a path enables it, `nil` disables it.
        public var file: String? {
            get { enabled ? path : nil }
            set {
                enabled = newValue != nil
                if let newValue { path = newValue }
            }
        }
    }

    /// Per-connection and per-daemon limits; each is answered with a documented error.
    public struct Limits: Sendable, Equatable {
        public var maxLineBytes = 1 << 20
        public var maxBatch = 64
        public var maxConnections = 256
        /// The most connections one uid may hold; root and the admin group are bound by `maxConnections` only.
        public var maxConnectionsPerUID = 32
        /// Slots of `maxConnections` only root and the admin group may take.
        public var reservedConnections = 8
        public var idleTimeout: Duration = .seconds(300)
        public var maxPendingRequests = 128
        public init() {}
    }

    /// The defaults for a process with `uid` and `environment`: system paths as root,
    /// `$XDG_RUNTIME_DIR` and `$XDG_CACHE_HOME` (or `~/.cache`) otherwise; systemd's
    /// `$RUNTIME_DIRECTORY` and `$CACHE_DIRECTORY` win when set.
    public static func defaults(uid: uid_t = getuid(), environment: [String: String]) -> DaemonConfiguration {
        let runtime: String
        let cache: String
        if let directory = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first {
            runtime = String(directory)
        } else if uid == 0 {
            runtime = "/run/evmcsd"
        } else if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty {
            runtime = xdg + "/evmcsd"
        } else {
            runtime = "/tmp/evmcsd-\(uid)"
        }
        if let directory = environment["CACHE_DIRECTORY"]?.split(separator: ":").first {
            cache = String(directory)
        } else if uid == 0 {
            cache = "/var/cache/evmcsd"
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = xdg + "/evmcsd"
        } else if let home = environment["HOME"], !home.isEmpty {
            cache = home + "/.cache/evmcsd"
        } else {
            cache = "/tmp/evmcsd-\(uid)-cache"
        }
        return DaemonConfiguration(socketPath: runtime + "/evmcsd.sock", cacheDirectory: cache)
    }

    /// The default configuration file.
    public static let defaultFile = "/etc/evmcsd/evmcsd.toml"
}
