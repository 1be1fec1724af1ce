#if canImport(Glibc)
    import Glibc
#endif

/// Writes text to a standard stream, with ANSI styles only when that stream is a terminal
/// and `NO_COLOR` is unset (https://no-color.org).
struct TerminalStyle: Sendable {
    let descriptor: Int32
    let colored: Bool

    static let standardOutput = TerminalStyle(descriptor: STDOUT_FILENO)
    static let standardError = TerminalStyle(descriptor: STDERR_FILENO)

    init(descriptor: Int32) {
        self.descriptor = descriptor
        let noColor = getenv("NO_COLOR").map { String(cString: $0).isEmpty == false } ?? false
        colored = isatty(descriptor) == 1 && !noColor
    }

    func bold(_ text: String) -> String { styled(text, "1") }
    func red(_ text: String) -> String { styled(text, "31") }
    func green(_ text: String) -> String { styled(text, "32") }
    func yellow(_ text: String) -> String { styled(text, "33") }
    func dim(_ text: String) -> String { styled(text, "2") }

    /// Writes `text` and a newline.
    func print(_ text: String) {
        let line = text + "\n"
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
        bytes.removeAll()
    }

    private func styled(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
