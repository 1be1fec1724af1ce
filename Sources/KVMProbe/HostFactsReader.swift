#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads `HostFacts` from injectable procfs, sysfs and device paths, so tests can point it at a
/// temporary tree that looks like another host.
///
/// ```swift
/// let facts = HostFactsReader().read()
/// let nested = facts.moduleParameters.value?["kvm_intel"]?.value?["nested"]?.value   // "Y"
/// let key = HostFactsReader().invalidationKey()
/// ```
///
/// Nothing here fails: every unreadable file is recorded as `FileFact.unreadable` with its errno name.
public struct HostFactsReader: Sendable, Hashable {
    /// The procfs mount, normally `/proc`.
    public let procRoot: String
    /// The sysfs mount, normally `/sys`.
    public let sysRoot: String
    /// The KVM device node, normally `/dev/kvm`.
    public let kvmDevicePath: String

    /// Creates a reader.
    /// - Parameters:
    ///   - procRoot: The procfs mount.
    ///   - sysRoot: The sysfs mount.
    ///   - kvmDevicePath: The KVM device node.
    public init(
        procRoot: String = "/proc",
        sysRoot: String = "/sys",
        kvmDevicePath: String = KVMSystem.defaultDevicePath
    ) {
        self.procRoot = procRoot
        self.sysRoot = sysRoot
        self.kvmDevicePath = kvmDevicePath
    }

    /// Reads every fact.
    public func read() -> HostFacts {
        HostFacts(
            kernelRelease: kernelField("osrelease") { Self.string(fromCharacters: $0.release) },
            kernelVersion: kernelField("version") { Self.string(fromCharacters: $0.version) },
            versionSignature: FileFact(FileReading.text(at: "\(procRoot)/version_signature").map(\.trimmingWhitespace)),
            cpu: cpuIdentity(),
            moduleParameters: moduleParameters(),
            bootID: FileFact(FileReading.text(at: "\(procRoot)/sys/kernel/random/boot_id").map(\.trimmingWhitespace)),
            kvmDevice: KVMDeviceNode.inspect(path: kvmDevicePath)
        )
    }

    /// The invalidation key of the host's current state (see `InvalidationKey`).
    public func invalidationKey() -> InvalidationKey {
        InvalidationKey(facts: read())
    }

    /// `<proc>/sys/kernel/<name>`; when that fails and the reader looks at the real `/proc`, uname(2).
    private func kernelField(_ name: String, fromUname: (utsname) -> String) -> FileFact<String> {
        let fromFile = FileReading.text(at: "\(procRoot)/sys/kernel/\(name)").map(\.trimmingWhitespace)
        guard case .failure = fromFile, procRoot == "/proc" else {
            return FileFact(fromFile)
        }
        var names = utsname()
        guard uname(&names) == 0 else {
            return FileFact(fromFile)
        }
        return .value(fromUname(names))
    }

    private func cpuIdentity() -> FileFact<CPUIdentity> {
        let firstBlock = FileReading.prefix(at: "\(procRoot)/cpuinfo", limit: 1 << 20) { bytes in
            Self.containsBlankLine(bytes)
        }
        return FileFact(firstBlock.map(CPUIdentity.init(cpuinfo:)))
    }

    private func moduleParameters() -> FileFact<HostFacts.ModuleParameters> {
        let modulesRoot = "\(sysRoot)/module"
        return FileFact(
            FileReading.directoryEntries(at: modulesRoot).map { modules in
                var parameters: HostFacts.ModuleParameters = [:]
                for module in modules where module == "kvm" || module.hasPrefix("kvm_") {
                    parameters[module] = Self.parameters(in: "\(modulesRoot)/\(module)/parameters")
                }
                return parameters
            }
        )
    }

    /// The parameter files of one module directory.
    private static func parameters(in directory: String) -> FileFact<[String: FileFact<String>]> {
        switch FileReading.directoryEntries(at: directory) {
        case .success(let names):
            var values: [String: FileFact<String>] = [:]
            for name in names {
                values[name] = FileFact(FileReading.text(at: "\(directory)/\(name)").map(\.trimmingWhitespace))
            }
            return .value(values)
        case .failure(let failure) where failure.value == ENOENT:
            return .value([:])  // A module without parameters.
        case .failure(let failure):
            return .unreadable(errno: failure.name)
        }
    }

    /// A NUL-terminated C character array imported as a tuple (utsname fields) as a String.
    private static func string<CharacterTuple>(fromCharacters characters: CharacterTuple) -> String {
        withUnsafeBytes(of: characters) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func containsBlankLine(_ bytes: [UInt8]) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { $0 == 0x0A && $1 == 0x0A }
    }
}
