#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Small POSIX file helpers for procfs/sysfs that keep the errno of every failure.
enum FileReading {
    /// Reads a whole (small) file.
    /// - Parameters:
    ///   - path: The file.
    ///   - limit: Stop after this many bytes (procfs/sysfs values are far smaller).
    /// - Returns: The contents decoded as UTF-8 (invalid bytes replaced), or the errno.
    static func text(at path: String, limit: Int = 64 * 1024) -> Result<String, Errno> {
        prefix(at: path, limit: limit) { _ in false }
    }

    /// Reads from the start of a file until `isComplete` accepts what was read so far, EOF, or `limit`.
    /// Used for /proc/cpuinfo, whose first processor block is all we need: procfs generates the
    /// file lazily, so stopping early avoids formatting every CPU.
    static func prefix(
        at path: String,
        limit: Int,
        isComplete: ([UInt8]) -> Bool
    ) -> Result<String, Errno> {
        let fd: Int32
        switch openFile(path, flags: O_RDONLY) {
        case .success(let opened): fd = opened
        case .failure(let failure): return .failure(failure)
        }
        defer { close(fd) }
        var contents: [UInt8] = []
        let failure: Errno? = withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { chunk in
            while contents.count < limit {
                let count = read(fd, chunk.baseAddress, chunk.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    return Errno(errno)
                }
                if count == 0 { return nil }
                contents.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
                if isComplete(contents) { return nil }
            }
            return nil
        }
        if let failure {
            return .failure(failure)
        }
        return .success(String(decoding: contents.prefix(limit), as: UTF8.self))
    }

    /// The names in a directory, without "." and "..", sorted.
    static func directoryEntries(at path: String) -> Result<[String], Errno> {
        guard let directory = opendir(path) else {
            return .failure(Errno(errno))
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." {
                names.append(name)
            }
        }
        return .success(names.sorted())
    }

    /// stat(2), following symbolic links.
    static func status(of path: String) -> Result<stat, Errno> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure(Errno(errno))
        }
        return .success(info)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, carriage returns and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
