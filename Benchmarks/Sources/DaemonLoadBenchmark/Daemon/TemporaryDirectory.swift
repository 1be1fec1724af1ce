import Foundation
import Glibc

/// A private directory under /tmp for one run's sockets, caches and configuration; removed with
/// everything in it by ``remove()``.
final class TemporaryDirectory {
    let path: String
    private var removed = false

    /// Creates `/tmp/<prefix>.XXXXXX` (mode 0700). The path stays short: socket paths inside it
    /// must fit `sun_path` (108 bytes).
    init(prefix: String = "evmcsd-load") throws(SystemError) {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError("mkdtemp(/tmp/\(prefix).XXXXXX)")
        }
        self.path = String(cString: created)
    }

    /// `path/name`.
    func file(_ name: String) -> String { self.path + "/" + name }

    /// Creates (mode 0700) and returns the subdirectory `name`.
    func subdirectory(_ name: String) throws(SystemError) -> String {
        let subdirectory = self.file(name)
        try SystemError.check(mkdir(subdirectory, 0o700), "mkdir(\(subdirectory))")
        return subdirectory
    }

    /// Removes the directory and its contents; later calls do nothing.
    func remove() {
        guard !self.removed else { return }
        self.removed = true
        try? FileManager.default.removeItem(atPath: self.path)
    }

    deinit { self.remove() }
}
