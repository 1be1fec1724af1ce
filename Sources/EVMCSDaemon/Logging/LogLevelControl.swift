import Logging
import Synchronization

/// The daemon's log level, changeable at run time (`daemon.reload`, SIGHUP): every logger
/// made by ``LevelControlledLogHandler`` consults it.
public final class LogLevelControl: Sendable {
    private let level: Mutex<Logger.Level>

    public init(_ level: Logger.Level) {
        self.level = Mutex(level)
    }

    public var current: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }
}

/// Wraps a handler so its level follows a ``LogLevelControl``.
///
/// Setting ``logLevel`` on one logger changes that logger only, as swift-log's `LogHandler`
/// contract asks: it then keeps its own level instead of following the control.
public struct LevelControlledLogHandler: LogHandler {
    private var wrapped: any LogHandler
    private let control: LogLevelControl
    /// This logger's own level, once set through ``logLevel``.
    private var ownLevel: Logger.Level?

    public init(_ wrapped: any LogHandler, control: LogLevelControl) {
        self.wrapped = wrapped
        self.control = control
    }

    public var logLevel: Logger.Level {
        get { ownLevel ?? control.current }
        set { ownLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        guard event.level >= logLevel else { return }
        wrapped.log(event: event)
    }
}
