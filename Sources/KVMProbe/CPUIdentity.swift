import VMXModel

/// The CPU as /proc/cpuinfo describes its first processor: the profile's `cpu` section, which the
/// probe copies as it reads it.
public typealias CPUIdentity = HostProfile.CPU

extension HostProfile.CPU {
    /// The microcode revision as a number, when `microcode` is hexadecimal (with or without `0x`).
    public var microcodeRevision: UInt64? {
        guard let microcode else { return nil }
        let digits = microcode.hasPrefix("0x") ? microcode.dropFirst(2) : Substring(microcode)
        return UInt64(digits, radix: 16)
    }

    /// Parses the first processor block of /proc/cpuinfo text ("key<TAB>: value" lines, blocks
    /// separated by an empty line). Works on UTF-8 bytes: the `flags` line alone is over a kilobyte.
    /// - Parameter cpuinfo: The file contents (or at least its first block).
    public init(cpuinfo: String) {
        self.init()
        var sawField = false
        for line in cpuinfo.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                // A blank line ends the first block (blank lines before it are skipped).
                if sawField && line.allSatisfy(Self.isBlank) { break }
                continue
            }
            sawField = true
            let value = { String(decoding: Self.trimmed(line[line.index(after: colon)...]), as: UTF8.self) }
            switch String(decoding: Self.trimmed(line[..<colon]), as: UTF8.self) {
            case "vendor_id": vendor = value()
            case "cpu family": family = Int(value())
            case "model": model = Int(value())
            case "stepping": stepping = Int(value())
            case "microcode": microcode = value()
            case "model name": modelName = value()
            default: break
            }
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) })
        else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }
}
