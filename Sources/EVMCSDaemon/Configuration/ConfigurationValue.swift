import Logging
import TOMLKit

/// How one key's TOML value becomes a setting: its type and range, with the error an operator
/// reads (`cache.history-size: must be between 1 and 10000, got 0`).
struct ConfigurationValue<Value: Sendable>: Sendable {
    /// Reads `value`, the value of `key` in the file `source`.
    let read: @Sendable (_ value: any TOMLValueConvertible, _ key: String, _ source: String) throws(ConfigurationError) -> Value

    /// A string.
    static var string: ConfigurationValue<String> {
        ConfigurationValue<String> { value, key, source throws(ConfigurationError) in
            guard let text = value.string else { throw ConfigurationError(code: .invalidValue, source: source, key: key, message: "expected a string") }
            return text
        }
    }

    /// An absolute path.
    static var absolutePath: ConfigurationValue<String> {
        ConfigurationValue<String>.string.checked { text in
            text.hasPrefix("/") ? nil : "expected an absolute path, got \"\(text)\""
        }
    }

    /// A name, or `nil` when empty (`group = ""` keeps the default).
    static var optionalName: ConfigurationValue<String?> {
        ConfigurationValue<String?> { value, key, source throws(ConfigurationError) in
            let text = try ConfigurationValue<String>.string.read(value, key, source)
            return text.isEmpty ? nil : text
        }
    }

    /// An integer in `range`.
    static func integer(_ range: ClosedRange<Int>) -> ConfigurationValue<Int> {
        ConfigurationValue<Int> { value, key, source throws(ConfigurationError) in
            guard let number = value.int else {
                throw ConfigurationError(code: .invalidValue, source: source, key: key, message: "expected an integer")
            }
            guard range.contains(number) else {
                throw ConfigurationError(
                    code: .invalidValue,
                    source: source,
                    key: key,
                    message: "must be between \(range.lowerBound) and \(range.upperBound), got \(number)"
                )
            }
            return number
        }
    }

    /// A number of seconds in `range`.
    static func seconds(_ range: ClosedRange<Int>) -> ConfigurationValue<Duration> {
        ConfigurationValue<Duration> { value, key, source throws(ConfigurationError) in
            .seconds(try ConfigurationValue<Int>.integer(range).read(value, key, source))
        }
    }

    /// `true` or `false`.
    static var bool: ConfigurationValue<Bool> {
        ConfigurationValue<Bool> { value, key, source throws(ConfigurationError) in
            guard let flag = value.bool else {
                throw ConfigurationError(code: .invalidValue, source: source, key: key, message: "expected true or false")
            }
            return flag
        }
    }

    /// An octal file mode, as a string (`"0660"`) or an integer (`0o660`).
    static var mode: ConfigurationValue<UInt32> {
        ConfigurationValue<UInt32> { value, key, source throws(ConfigurationError) in
            if let number = value.int, (0...0o777).contains(number) { return UInt32(number) }
            if let text = value.string, let parsed = FileMode.parse(text) { return parsed }
            throw ConfigurationError(code: .invalidValue, source: source, key: key, message: "expected an octal file mode such as \"0660\"")
        }
    }

    /// A swift-log level name.
    static var level: ConfigurationValue<Logger.Level> {
        ConfigurationValue<Logger.Level> { value, key, source throws(ConfigurationError) in
            let text = try ConfigurationValue<String>.string.read(value, key, source)
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ConfigurationError(
                    code: .invalidValue,
                    source: source,
                    key: key,
                    message: "unknown level \"\(text)\" (trace, debug, info, notice, warning, error, critical)"
                )
            }
            return level
        }
    }

    /// This value, refused with the message `problem` returns for it (`nil` accepts it).
    func checked(_ problem: @escaping @Sendable (Value) -> String?) -> ConfigurationValue<Value> {
        ConfigurationValue { value, key, source throws(ConfigurationError) in
            let read = try self.read(value, key, source)
            if let message = problem(read) { throw ConfigurationError(code: .invalidValue, source: source, key: key, message: message) }
            return read
        }
    }
}
