import Logging
import Synchronization

/// Collects log messages in memory (tests never bootstrap logging).
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let storage = Mutex<[Entry]>([])

    var entries: [Entry] { self.storage.withLock { $0 } }

    var logger: Logger {
        var logger = Logger(label: "jsonrpc-test") { _ in Handler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    func append(_ entry: Entry) {
        self.storage.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            self.recorder.append(
                Entry(
                    level: event.level,
                    message: event.message.description,
                    metadata: self.metadata.merging(event.metadata ?? [:]) { $1 }
                )
            )
        }
    }
}
