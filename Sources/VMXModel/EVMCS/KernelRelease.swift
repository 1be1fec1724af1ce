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
        var numbers: [Int] = []
        var current: Int?
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                current = (current ?? 0) * 10 + digit
                if current! > 100_000 { return nil }
            } else {
                guard let value = current else { break }
                numbers.append(value)
                current = nil
                if character != "." || numbers.count == 3 { break }
            }
        }
        if let current, numbers.count < 3 { numbers.append(current) }
        guard numbers.count >= 2 else { return nil }
        self.major = numbers[0]
        self.minor = numbers[1]
        self.patch = numbers.count > 2 ? numbers[2] : 0
        self.text = text
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
        let lowered = text.lowercased()
        for tag in ["el10", "el9", "el8"] where lowered.contains(".\(tag)") || lowered.contains("-\(tag)") {
            return tag
        }
        return nil
    }

    public static func < (lhs: KernelRelease, rhs: KernelRelease) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}
