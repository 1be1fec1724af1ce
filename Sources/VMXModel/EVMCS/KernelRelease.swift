/// A Linux kernel release string (`uname -r`) reduced to what the eVMCS rules need.
///
/// Parses real-world releases: `6.8.0-45-generic`, `5.14.0-427.el9.x86_64`,
/// `6.1.0-27-amd64`, `6.18.44-fc-v595`, `5.15.0-rc3`.
public struct KernelRelease: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// The release string as given.
    public let text: String

    /// Parses the leading `MAJOR.MINOR[.PATCH]` of `text`; `nil` when there is none.
    public init?(_ text: String) {
        var numbers: (Int, Int, Int) = (0, 0, 0)
        var count = 0
        var current: Int?
        scan: for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let value = (current ?? 0) * 10 + Int(byte - UInt8(ascii: "0"))
                guard value <= 100_000 else { return nil }
                current = value
            default:
                guard let value = current else { break scan }
                Self.store(value, at: count, in: &numbers)
                count += 1
                current = nil
                if byte != UInt8(ascii: ".") || count == 3 { break scan }
            }
        }
        if let current, count < 3 {
            Self.store(current, at: count, in: &numbers)
            count += 1
        }
        guard count >= 2 else { return nil }
        (major, minor, patch) = numbers
        self.text = text
    }

    private static func store(_ value: Int, at position: Int, in numbers: inout (Int, Int, Int)) {
        switch position {
        case 0: numbers.0 = value
        case 1: numbers.1 = value
        default: numbers.2 = value
        }
    }

    public init(major: Int, minor: Int, patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.text = "\(major).\(minor).\(patch)"
    }

    public var description: String { text }

    /// The distribution tag of a vendor kernel known to carry eVMCS backports from newer
    /// upstream releases (`el8`, `el9`, `el10`), or `nil`. Such kernels report an old version
    /// number with newer KVM code, so their era should be measured or set by hand.
    public var backportTag: String? {
        // Looks for ".elN" or "-elN" (N digits, optionally "_minor"): a byte scan, since verdicts
        // ask for it on every check.
        let bytes = Array(text.utf8)
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "-"),
                bytes[index + 1] | 0x20 == UInt8(ascii: "e"), bytes[index + 2] | 0x20 == UInt8(ascii: "l")
            {
                var end = index + 3
                while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
                if end > index + 3 { return "el" + String(decoding: bytes[(index + 3)..<end], as: UTF8.self) }
            }
            index += 1
        }
        return nil
    }

    public static func < (lhs: KernelRelease, rhs: KernelRelease) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}
