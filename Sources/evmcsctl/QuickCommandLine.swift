import VMXModel

/// The command lines monitoring scripts and hooks run most (`status`, `profile`, `check`,
/// `--version`), read without ArgumentParser.
///
/// ArgumentParser's parse reflects over the command (`Mirror`) and instantiates generic types
/// whose conformance checks each scan every conformance record of this statically linked
/// binary (about 0.1 ms each, some sixty of them): for these commands it was two thirds of the
/// process (Docs/performance.md). This reader takes only the plain forms: the command's long
/// options, each at most once, as `--name value` or `--name=value` with a non-empty value that
/// does not start with `-`, and its flags without a value. Any other line (`--help`, a short,
/// unknown or repeated option, `--timeout` that is not an integer, a combination the command's
/// `validate()` refuses) is left to ArgumentParser, with its messages. After the parse, both run
/// the same code: ``StatusCommand/show(_:json:)``, ``ProfileCommand/show(_:json:)`` and
/// ``CheckArguments/run()``.
///
/// Arrays of pairs, not a dictionary: each generic type with a `Hashable` requirement is one more
/// conformance scan at first use.
struct QuickCommandLine {
    private var values: [(name: Substring, value: String)] = []
    private var flags: [Substring] = []

    /// Reads `arguments` (after the command's name) as long options named `options` and flags
    /// named `flags`; `nil` when the line is anything else.
    init?(_ arguments: ArraySlice<String>, options: [String], flags: [String]) {
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.utf8.count > 2 else { return nil }
            let body = argument.dropFirst(2)
            let equals = body.firstIndex(of: "=")
            let name = equals.map { body[..<$0] } ?? body
            if flags.contains(where: { $0 == name }) {
                guard equals == nil, !self.flags.contains(name) else { return nil }
                self.flags.append(name)
            } else if options.contains(where: { $0 == name }) {
                guard !self.values.contains(where: { $0.name == name }) else { return nil }
                let value: String
                if let equals {
                    value = String(body[body.index(after: equals)...])
                } else {
                    index += 1
                    guard index < arguments.endIndex else { return nil }
                    value = arguments[index]
                }
                guard !value.isEmpty, !value.hasPrefix("-") else { return nil }
                self.values.append((name, value))
            } else {
                return nil
            }
            index += 1
        }
    }

    /// The value of option `name`, if given.
    func value(_ name: String) -> String? { values.first { $0.name == name }?.value }

    /// Whether flag `name` was given.
    func flag(_ name: String) -> Bool { flags.contains { $0 == name } }

    /// ``ConnectionOptions``' values: `nil` when `--timeout` is not an integer.
    var daemon: DaemonConnection? {
        var timeout = 30
        if let text = value("timeout") {
            guard let seconds = Int(text) else { return nil }
            timeout = seconds
        }
        return DaemonConnection(socket: value("socket"), timeout: timeout)
    }

    private static let connectionOptions = ["socket", "timeout"]

    /// Runs `arguments` (without the program's name) when it is a plain `status`, `profile` or `check` line,
    /// or `--version` alone (printed as ArgumentParser prints the configuration's version).
    /// - Returns: `false` when ArgumentParser is to parse the line.
    /// - Throws: What the command throws; ``EVMCSCtl/exit(reporting:)`` reports it as on
    ///   ArgumentParser's path.
    static func run(_ arguments: [String]) throws -> Bool {
        guard let command = arguments.first else { return false }
        let rest = arguments.dropFirst()
        switch command {
        case "--version" where rest.isEmpty:
            TerminalStyle.standardOutput.print(EVMCSVersion.current)
        case "status", "profile":
            guard let line = QuickCommandLine(rest, options: connectionOptions, flags: ["json"]),
                let daemon = line.daemon
            else { return false }
            let show = command == "status" ? StatusCommand.show : ProfileCommand.show
            try show(daemon, line.flag("json"))
        case "check":
            guard
                let line = QuickCommandLine(
                    rest,
                    options: ["vm", "profile", "from", "to"] + connectionOptions,
                    flags: ["evmcs", "perf-global-ctrl", "nested-state", "json"]
                ),
                let daemon = line.daemon
            else { return false }
            let check = CheckArguments(
                vm: line.value("vm"),
                profile: line.value("profile"),
                from: line.value("from"),
                to: line.value("to"),
                evmcs: line.flag("evmcs"),
                perfGlobalCtrl: line.flag("perf-global-ctrl"),
                nestedState: line.flag("nested-state"),
                daemon: daemon,
                json: line.flag("json")
            )
            do { try check.validate() } catch { return false }
            try check.run()
        default:
            return false
        }
        return true
    }
}
