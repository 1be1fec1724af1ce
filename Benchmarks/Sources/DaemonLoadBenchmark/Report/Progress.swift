import Glibc

/// Progress lines on standard error, so standard output holds only the report.
enum Progress {
    static func log(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
