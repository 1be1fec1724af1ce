import Logging
import Testing

@testable import EVMCSDaemon

/// The run-time log level: a reload changes every logger that follows the control, and a
/// logger's own `logLevel` setter changes that logger only (swift-log's `LogHandler` contract).
@Suite("Log level control")
struct LogLevelControlTests {
    @Test func settingOneLoggersLevelChangesThatLoggerOnly() {
        let control = LogLevelControl(.info)
        var first = Logger(label: "a") { _ in LevelControlledLogHandler(SwiftLogNoOpLogHandler(), control: control) }
        let second = Logger(label: "b") { _ in LevelControlledLogHandler(SwiftLogNoOpLogHandler(), control: control) }
        first.logLevel = .trace
        #expect(first.logLevel == .trace)
        #expect(second.logLevel == .info, "another logger keeps following the control")
        #expect(control.current == .info, "the daemon's level is not changed by one logger")
        control.current = .error
        #expect(second.logLevel == .error)
        #expect(first.logLevel == .trace, "a logger with its own level keeps it")
    }
}
