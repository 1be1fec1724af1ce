import CSystemd
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler that writes structured entries to the systemd journal with
/// `sd_journal_sendv(3)`: `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`, `CODE_*`, and each
/// metadata key as a field (`peer.uid` → `PEER_UID`).
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    /// Whether stderr is connected to the journal (`JOURNAL_STREAM` names stderr's
    /// device and inode, as systemd sets it for services).
    public static var standardErrorIsJournal: Bool {
        guard let value = getenv("JOURNAL_STREAM") else { return false }
        let parts = String(cString: value).split(separator: ":")
        var status = stat()
        guard parts.count == 2, fstat(STDERR_FILENO, &status) == 0 else { return false }
        return parts[0] == String(status.st_dev) && parts[1] == String(status.st_ino)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=\(label)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            fields.append("\(Self.fieldName(key))=\(value)")
        }
        Self.send(fields)
    }

    /// syslog priorities (sd-journal PRIORITY=).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Journal field names: upper-case letters, digits and underscores, not starting with an
    /// underscore or a digit.
    static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        while name.first == "_" || name.first?.isNumber == true { name.removeFirst() }
        return name.isEmpty ? "FIELD" : name
    }

    private static func send(_ fields: [String]) {
        // One contiguous buffer, so every iovec points into memory valid for the whole call.
        var joined: [UInt8] = []
        var ranges: [(offset: Int, length: Int)] = []
        for field in fields {
            ranges.append((joined.count, field.utf8.count))
            joined.append(contentsOf: field.utf8)
        }
        joined.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            let vectors = ranges.map { iovec(iov_base: base + $0.offset, iov_len: $0.length) }
            vectors.withUnsafeBufferPointer { pointer in
                _ = sd_journal_sendv(pointer.baseAddress, Int32(pointer.count))
            }
        }
    }
}
