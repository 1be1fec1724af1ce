#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The KVM device node as the file system shows it, and whether this process can open it.
public struct KVMDeviceNode: Sendable, Hashable, Codable {
    /// What stat(2) reported for the node.
    public struct Identity: Sendable, Hashable, Codable {
        /// The kind of file at the path.
        public enum FileType: String, Sendable, Hashable, Codable {
            /// A character device (what /dev/kvm is).
            case characterDevice
            /// A directory.
            case directory
            /// A regular file.
            case regularFile
            /// Anything else (block device, FIFO, socket).
            case other
        }

        /// The kind of file.
        public let fileType: FileType
        /// `st_mode`: file type and permission bits.
        public let mode: UInt32
        /// Owner user id.
        public let uid: UInt32
        /// Owner group id.
        public let gid: UInt32
        /// Status-change time, seconds since the epoch (changes with chmod/chown, e.g. by udev).
        public let ctimeSeconds: Int64
        /// Status-change time, nanoseconds part.
        public let ctimeNanoseconds: Int64
        /// `st_rdev`: the device number (10:232 for /dev/kvm).
        public let rdev: UInt64

        /// The permission bits (`mode & 0o7777`).
        public var permissions: UInt32 { mode & 0o7777 }
        /// The major device number (glibc's `gnu_dev_major` encoding).
        public var rdevMajor: UInt32 { UInt32(truncatingIfNeeded: ((rdev >> 8) & 0xFFF) | ((rdev >> 32) & ~0xFFF)) }
        /// The minor device number (glibc's `gnu_dev_minor` encoding).
        public var rdevMinor: UInt32 { UInt32(truncatingIfNeeded: (rdev & 0xFF) | ((rdev >> 12) & ~0xFF)) }

        init(_ info: stat) {
            switch info.st_mode & 0o170000 {
            case 0o020000: fileType = .characterDevice
            case 0o040000: fileType = .directory
            case 0o100000: fileType = .regularFile
            default: fileType = .other
            }
            mode = info.st_mode
            uid = info.st_uid
            gid = info.st_gid
            ctimeSeconds = Int64(info.st_ctim.tv_sec)
            ctimeNanoseconds = Int64(info.st_ctim.tv_nsec)
            rdev = UInt64(info.st_rdev)
        }
    }

    /// Whether this process could open the node read-write.
    public enum Access: Sendable, Hashable, Codable {
        /// open(O_RDWR) succeeded.
        case readWrite
        /// open(O_RDWR) failed with this errno name (`"EACCES"`, `"ENOENT"`, `"EPERM"`, `"EISDIR"`…).
        case denied(errno: String)
    }

    /// The path that was inspected.
    public let path: String
    /// The stat(2) result: the node's identity, or why stat failed.
    public let status: FileFact<Identity>
    /// Whether this process can open the node read-write.
    public let access: Access

    /// Whether something exists at `path`.
    public var isPresent: Bool { status.value != nil }

    /// Creates a node description from its parts (`inspect(path:)` reads them from the system).
    public init(path: String, status: FileFact<Identity>, access: Access) {
        self.path = path
        self.status = status
        self.access = access
    }

    /// Inspects `path`: stat(2), then an open(O_RDWR) that is closed immediately.
    ///
    /// The access check really opens the node instead of calling faccessat(2): access(2) with
    /// AT_EACCESS only evaluates mode bits and capabilities, while open(2) also applies the device
    /// cgroup of a container, LSMs (SELinux, AppArmor), `nodev` mounts and file-type rules (EISDIR),
    /// which is exactly what `KVMSystem(devicePath:)` will meet. Opening /dev/kvm allocates nothing
    /// and issues no ioctl. O_NONBLOCK keeps a FIFO at the path from blocking; O_NOCTTY keeps a
    /// terminal from becoming the controlling one.
    /// - Parameter path: The device node, normally `/dev/kvm`.
    public static func inspect(path: String) -> KVMDeviceNode {
        let access: Access
        switch openFile(path, flags: O_RDWR | O_NONBLOCK | O_NOCTTY) {
        case .success(let fd):
            close(fd)
            access = .readWrite
        case .failure(let failure):
            access = .denied(errno: failure.name)
        }
        return KVMDeviceNode(
            path: path,
            status: FileFact(FileReading.status(of: path).map(Identity.init)),
            access: access
        )
    }
}
