import KVMProbe

#if canImport(Glibc)
    import Glibc
#endif

/// Replaces files so that readers only ever see the old or the new content: write a
/// temporary file in the same directory, fsync it, rename it over the target, fsync the
/// directory. Used for the cache and the exporter files.
public enum AtomicFile {
    /// An I/O failure with the operation, path and errno.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// The kind of failure.
        public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
            /// The stable name of the kind, e.g. `"systemCall"`.
            public let rawValue: String

            /// Creates a code from its stable name.
            public init(rawValue: String) {
                self.rawValue = rawValue
            }

            /// A system call failed; ``Failure/errno`` says why.
            public static let systemCall = Code(rawValue: "systemCall")
            /// The path is not a regular file (`errno` is EISDIR).
            public static let notARegularFile = Code(rawValue: "notARegularFile")
            /// The file is larger than the caller's limit (`errno` is EFBIG).
            public static let tooLarge = Code(rawValue: "tooLarge")

            /// The stable name of the kind.
            public var description: String { rawValue }
        }

        /// The kind of failure.
        public var code: Code = .systemCall
        /// What was being done (`create`, `fsync`, `rename`, `read`, …).
        public var operation: String
        /// The file or directory.
        public var path: String
        /// The system error.
        public var errno: Int32

        /// `operation path: strerror (ENAME)`.
        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(errno))) (\(ErrnoName.name(of: errno)))"
        }
    }

    /// Atomically replaces `path` with `bytes`, creating it with `mode`.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(Failure) {
        let directory = Self.directory(of: path)
        let temporary = "\(directory)/.\(Self.name(of: path)).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(operation: "create", path: temporary, errno: errno) }
        do throws(Failure) {
            try writeAll(bytes, to: descriptor, path: temporary)
            guard fchmod(descriptor, mode) == 0 else {
                throw Failure(operation: "chmod", path: temporary, errno: errno)
            }
            guard fsync(descriptor) == 0 else { throw Failure(operation: "fsync", path: temporary, errno: errno) }
            guard close(descriptor) == 0 else {
                let error = errno
                unlink(temporary)
                throw Failure(operation: "close", path: temporary, errno: error)
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = errno
            unlink(temporary)
            throw Failure(operation: "rename", path: path, errno: error)
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else { throw Failure(operation: "open", path: directory, errno: errno) }
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else { throw Failure(operation: "fsync", path: directory, errno: errno) }
    }

    /// Reads a whole regular file of at most `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw Failure(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(operation: "stat", path: path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw Failure(code: .notARegularFile, operation: "read", path: path, errno: EISDIR)
        }
        guard status.st_size <= limit else {
            throw Failure(code: .tooLarge, operation: "read", path: path, errno: EFBIG)
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes {
                Glibc.read(descriptor, $0.baseAddress! + total, $0.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            total += count
        }
        guard total <= limit else { throw Failure(code: .tooLarge, operation: "read", path: path, errno: EFBIG) }
        return Array(bytes[0..<total])
    }

    /// Removes the temporary files that ``write(_:to:mode:)`` calls for `path` left behind
    /// when their process died between create and rename (a SIGKILL or a crash): those of
    /// processes that no longer exist. A live writer's temporary file is left alone.
    /// - Returns: The paths removed.
    @discardableResult
    public static func removeStaleTemporaries(of path: String) -> [String] {
        let directory = Self.directory(of: path)
        let prefix = ".\(Self.name(of: path))."
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var removed: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(prefix), name.hasSuffix(".tmp") else { continue }
            let parts = name.dropFirst(prefix.count).dropLast(".tmp".count).split(separator: ".")
            guard parts.count == 2, let pid = pid_t(parts[0]), UInt32(parts[1]) != nil else { continue }
            guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
            if unlink("\(directory)/\(name)") == 0 { removed.append("\(directory)/\(name)") }
        }
        return removed
    }

    /// Creates `path` and missing parents with `mode`.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(Failure) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw Failure(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    private static func name(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write", path: path, errno: errno)
            }
            offset += count
        }
    }
}
