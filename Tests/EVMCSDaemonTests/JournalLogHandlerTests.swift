import Foundation
import Logging
import Testing

@testable import EVMCSDaemon

#if canImport(Glibc)
    import Glibc
#endif

/// Journal logging: field names, priorities, detection of a journal stderr, and the native
/// protocol datagram sd_journal_sendv(3) sends.
@Suite("Journal log handler", .serialized)
struct JournalLogHandlerTests {
    @Test(arguments: [
        ("peer.uid", "PEER_UID"), ("cache.file", "CACHE_FILE"), ("_private", "PRIVATE"), ("9lives", "LIVES"),
        ("fingerprint.new", "FINGERPRINT_NEW"), ("", "FIELD"), ("ünï", "N_"),
    ])
    func metadataKeysBecomeJournalFieldNames(key: String, field: String) {
        #expect(JournalLogHandler.fieldName(key) == field)
    }

    @Test func levelsBecomeSyslogPriorities() {
        let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
        #expect(levels.map(JournalLogHandler.priority) == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func aJournalStandardErrorIsRecognisedByDeviceAndInode() {
        var status = stat()
        fstat(STDERR_FILENO, &status)
        setenv("JOURNAL_STREAM", "\(status.st_dev):\(status.st_ino)", 1)
        #expect(JournalLogHandler.standardErrorIsJournal)
        setenv("JOURNAL_STREAM", "\(status.st_dev):\(status.st_ino &+ 1)", 1)
        #expect(!JournalLogHandler.standardErrorIsJournal, "another stream (e.g. stderr redirected)")
        unsetenv("JOURNAL_STREAM")
        #expect(!JournalLogHandler.standardErrorIsJournal)
    }

    static let journalSocket = "/run/systemd/journal/socket"

    @Test(
        .enabled(
            if: geteuid() == 0 && !FileManager.default.fileExists(atPath: journalSocket),
            "needs root and no running journald: the test listens on the journal's socket itself"
        )
    )
    func entriesReachTheJournalSocketAsStructuredFields() throws {
        // Create only what is missing, and remove only that afterwards.
        let created = ["/run/systemd", "/run/systemd/journal"].filter { !FileManager.default.fileExists(atPath: $0) }
        try FileManager.default.createDirectory(atPath: "/run/systemd/journal", withIntermediateDirectories: true)
        let listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer {
            close(listener)
            unlink(Self.journalSocket)
            for directory in created.reversed() { rmdir(directory) }
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(Self.journalSocket.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var logger = Logger(label: "evmcsd") { JournalLogHandler(label: $0) }
        logger[metadataKey: "peer.uid"] = "1000"
        logger.warning("cannot persist the profile cache", metadata: ["cache.file": "/var/cache/evmcsd/profile.json"])

        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(listener, &buffer, buffer.count, 0)
        try #require(count > 0, "a datagram arrived")
        let fields = String(decoding: buffer.prefix(count), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(fields.contains("MESSAGE=cannot persist the profile cache"))
        #expect(fields.contains("PRIORITY=4"))
        #expect(fields.contains("SYSLOG_IDENTIFIER=evmcsd"))
        #expect(fields.contains("PEER_UID=1000"))
        #expect(fields.contains("CACHE_FILE=/var/cache/evmcsd/profile.json"))
        #expect(fields.contains { $0.hasPrefix("CODE_FILE=") && $0.hasSuffix("JournalLogHandlerTests.swift") })
    }
}
