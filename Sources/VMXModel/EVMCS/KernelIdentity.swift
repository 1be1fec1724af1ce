/// Which upstream kernel a host really runs, read from the three strings a distribution leaves:
/// `uname -r` (the release, often an ABI name), `uname -v` (the version, which names the upstream
/// base on Debian) and `/proc/version_signature` (Ubuntu).
///
/// Distribution releases hide the stable sublevel: `5.10.0-28-amd64` is upstream 5.10.209, and
/// only `uname -v` (`#1 SMP Debian 5.10.209-2 (2024-01-31)`) says so. The eVMCS filter of a
/// 5.10 kernel depends on that sublevel (Docs/evmcs-eras.md, "Stable backports").
///
/// ```swift
/// let identity = KernelIdentity(release: "5.10.0-28-amd64", version: "#1 SMP Debian 5.10.209-2 (2024-01-31)")
/// identity.upstream        // 5.10.209
/// identity.sublevelKnown   // true
/// identity.basis           // .version
/// ```
public struct KernelIdentity: Hashable, Sendable {
    /// Where the upstream base was read from.
    public enum Basis: String, Hashable, Sendable, Codable {
        /// `uname -r` itself is an upstream version (`6.8.9-300.fc40.x86_64`, `6.1.55`).
        case release
        /// `uname -v` names the upstream version (Debian: `Debian 6.1.192-3`).
        case version
        /// `/proc/version_signature`'s last field (Ubuntu: `… 5.15.131`).
        case versionSignature = "version_signature"
        /// Only `major.minor` of an ABI release name is known (`5.10.0-28-amd64` without `uname -v`).
        case abiName = "abi-name"
        /// A vendor kernel (`*.el8`, `*.el9`): its number says nothing about the KVM code it carries.
        case vendor
    }

    /// The upstream base. Its `patch` is the stable sublevel when ``sublevelKnown``, else 0.
    public let upstream: KernelRelease
    /// Whether ``upstream``'s sublevel is real, not the `.0` of an ABI name.
    public let sublevelKnown: Bool
    public let basis: Basis
    /// `debian`, `ubuntu`, `fedora`, `rhel` (and its rebuilds), when recognised.
    public let distribution: String?

    /// Parses the identity; `nil` only when not even `release` has a `major.minor`.
    public init?(release: String, version: String? = nil, versionSignature: String? = nil) {
        guard let parsedRelease = KernelRelease(release) else { return nil }
        if let tag = parsedRelease.backportTag {
            self.init(parsedRelease, sublevelKnown: false, basis: .vendor, distribution: "rhel (\(tag))")
            return
        }
        if let signature = versionSignature, let upstream = Self.ubuntuSignatureBase(signature) {
            self.init(upstream, sublevelKnown: true, basis: .versionSignature, distribution: "ubuntu")
            return
        }
        if let version, let upstream = Self.debianVersionBase(version) {
            self.init(upstream, sublevelKnown: true, basis: .version, distribution: "debian")
            return
        }
        let ubuntu = version?.split(separator: " ").contains { $0.hasSuffix("-Ubuntu") } ?? false
        if Self.isABIName(release) {
            self.init(
                KernelRelease(major: parsedRelease.major, minor: parsedRelease.minor),
                sublevelKnown: false,
                basis: .abiName,
                distribution: ubuntu ? "ubuntu" : (release.hasSuffix("-amd64") ? "debian" : nil)
            )
            return
        }
        let fedora = release.split(separator: ".").contains { $0.hasPrefix("fc") && $0.dropFirst(2).allSatisfy(\.isNumber) }
        self.init(parsedRelease, sublevelKnown: true, basis: .release, distribution: fedora ? "fedora" : nil)
    }

    private init(_ upstream: KernelRelease, sublevelKnown: Bool, basis: Basis, distribution: String?) {
        self.upstream = upstream
        self.sublevelKnown = sublevelKnown
        self.basis = basis
        self.distribution = distribution
    }

    /// A vendor kernel whose era its number cannot tell.
    public var isVendorKernel: Bool { basis == .vendor }

    /// For humans: `upstream 5.10.209 (from uname -v)`, `5.10 (sublevel unknown)`.
    public var summary: String {
        switch basis {
        case .release: "upstream \(upstream.major).\(upstream.minor).\(upstream.patch)"
        case .version: "upstream \(upstream.major).\(upstream.minor).\(upstream.patch) (from uname -v)"
        case .versionSignature:
            "upstream \(upstream.major).\(upstream.minor).\(upstream.patch) (from /proc/version_signature)"
        case .abiName: "\(upstream.major).\(upstream.minor), stable sublevel unknown (an ABI name; uname -v does not tell)"
        case .vendor: "a vendor kernel (\(distribution ?? "unknown")) whose number does not tell its KVM code"
        }
    }

    // MARK: - Parsers

    /// `Debian 5.10.209-2` inside `uname -v`: the upstream version before the Debian revision.
    static func debianVersionBase(_ version: String) -> KernelRelease? {
        let fields = version.split(separator: " ")
        guard let position = fields.firstIndex(of: "Debian"), position + 1 < fields.count else { return nil }
        let token = fields[position + 1].prefix { (character: Character) in character != "~" }
        return fullVersion(String(token))
    }

    /// `Ubuntu 5.15.0-91.101-generic 5.15.131`: the last field is the upstream base.
    static func ubuntuSignatureBase(_ signature: String) -> KernelRelease? {
        let fields = signature.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard fields.count >= 3, let last = fields.last else { return nil }
        return fullVersion(String(last))
    }

    /// `MAJOR.MINOR.SUBLEVEL` and nothing else (extra suffixes after `-` or `+` are allowed).
    private static func fullVersion(_ token: String) -> KernelRelease? {
        let core = token.prefix { $0 != "-" && $0 != "+" }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let major = Int(parts[0]), let minor = Int(parts[1]), let sublevel = Int(parts[2])
        else { return nil }
        return KernelRelease(major: major, minor: minor, patch: sublevel)
    }

    /// `X.Y.0-N-flavour` or `X.Y.0-N.M-flavour`: Debian's and Ubuntu's ABI names, whose `.0` is
    /// not the stable sublevel.
    static func isABIName(_ release: String) -> Bool {
        let parts = release.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        let numbers = parts[0].split(separator: ".")
        guard numbers.count == 3, numbers[2] == "0" else { return false }
        let abi = parts[1].split(separator: ".")
        guard !abi.isEmpty, abi.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return false }
        return parts[2].first?.isLetter == true
    }
}
