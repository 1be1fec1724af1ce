import VMXModel

#if canImport(Glibc)
    import Glibc
#endif

/// Which build of evmcsd is running: the version plus the executable's size and modification
/// time. A persisted profile is only served by the build that measured it, so an upgrade or
/// rebuild (new probe or derivation code) re-probes, as libvirt does with its binaries' ctime.
enum DaemonBuild {
    static let identity: String = {
        var status = stat()
        guard stat("/proc/self/exe", &status) == 0 else { return EVMCSVersion.current }
        return "\(EVMCSVersion.current)+\(status.st_size).\(status.st_mtim.tv_sec)"
    }()
}
