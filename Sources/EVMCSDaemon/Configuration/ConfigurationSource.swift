import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Where the configuration comes from: defaults, then the file, then command-line flags.
/// Loaded at start and again on every reload.
public struct ConfigurationSource: Sendable {
    /// The file to read; `nil` = the default file if it exists.
    public var file: String?
    /// Command-line values that override the file.
    public var overrides = Overrides()
    public var environment: [String: String]
    /// Where the socket and admin groups are looked up.
    public var groups: GroupResolver = .system

    public struct Overrides: Sendable {
        public var socketPath: String?
        public var socketMode: UInt32?
        public var cacheDirectory: String?
        public var profileFile: String?
        public var logLevel: Logger.Level?
        public init() {}

        /// `--socket-mode`'s text, read as the file's `socket.mode` is.
        ///
        /// - Throws: ``ConfigurationError`` (`invalidValue`) for a text that is not an octal file mode.
        public static func socketMode(commandLine text: String) throws(ConfigurationError) -> UInt32 {
            try ConfigurationValue<UInt32>.mode.read(text, "--socket-mode", Self.commandLine)
        }

        /// `--log-level`'s text, read as the file's `log.level` is.
        ///
        /// - Throws: ``ConfigurationError`` (`invalidValue`) for an unknown level.
        public static func logLevel(commandLine text: String) throws(ConfigurationError) -> Logger.Level {
            try ConfigurationValue<Logger.Level>.level.read(text, "--log-level", Self.commandLine)
        }

        /// The source errors about command-line options name.
        private static let commandLine = "command line"
    }

    public init(file: String?, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    /// The effective configuration.
    /// - Throws: ``ConfigurationError`` for an unreadable or invalid file or value.
    public func load() throws(ConfigurationError) -> DaemonConfiguration {
        var configuration = DaemonConfiguration.defaults(environment: environment)
        let path = file ?? DaemonConfiguration.defaultFile
        if let text = try Self.read(path, required: file != nil) {
            configuration = try ConfigurationLoader.apply(text, source: path, to: configuration)
        }
        if let value = overrides.socketPath { configuration.socketPath = value }
        if let value = overrides.socketMode { configuration.socketMode = value }
        if let value = overrides.cacheDirectory { configuration.cacheDirectory = value }
        if let value = overrides.profileFile { configuration.profileFile = value }
        if let value = overrides.logLevel { configuration.logLevel = value }
        try validate(configuration)
        return configuration
    }

    /// The file actually read, for messages.
    public var describedFile: String { file ?? DaemonConfiguration.defaultFile }

    private static func read(_ path: String, required: Bool) throws(ConfigurationError) -> String? {
        guard let handle = fopen(path, "r") else {
            let error = errno
            if error == ENOENT && !required { return nil }
            throw ConfigurationError(code: .unreadableFile, source: path, key: "", message: "cannot read: \(String(cString: strerror(error)))")
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, handle)
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= 1 << 20 else {
                throw ConfigurationError(code: .unreadableFile, source: path, key: "", message: "larger than 1 MiB")
            }
            if count < chunk.count { break }
        }
        if ferror(handle) != 0 { throw ConfigurationError(code: .unreadableFile, source: path, key: "", message: "read error") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(code: .unreadableFile, source: path, key: "", message: "not UTF-8 text")
        }
        return text
    }

    private func validate(_ configuration: DaemonConfiguration) throws(ConfigurationError) {
        guard configuration.socketPath.utf8.count <= 107 else {
            throw ConfigurationError(
                code: .invalidValue,
                source: "configuration",
                key: "socket.path",
                message: "longer than the 107 bytes a Unix socket path may have"
            )
        }
        if let group = configuration.socketGroup, groups.gid(group) == nil {
            throw ConfigurationError(
                code: .unknownGroup,
                source: "configuration",
                key: "socket.group",
                message: "no such group \"\(group)\""
            )
        }
        _ = try AdminPolicy.resolve(configuration.adminGroup, source: "configuration", groups: groups)
    }
}
