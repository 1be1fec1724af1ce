import Glibc

/// Writes small files (the daemon's configuration).
enum FileWriting {
    static func write(_ text: String, to path: String) throws {
        let descriptor = try SystemError.check(
            open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600),
            "open(\(path))"
        )
        defer { close(descriptor) }
        try UnixSocket.writeAll(descriptor, Array(text.utf8))
    }
}
