/// How one part of a host profile was obtained.
public struct Provenance: Codable, Hashable, Sendable {
    /// The method behind a value.
    public enum Method: String, Codable, Sendable {
        /// Read from the live host (ioctl, guest RDMSR, sysfs).
        case measured
        /// Computed from other measured values by the model (e.g. the eVMCS filter of the
        /// kernel era applied to the host-initiated view).
        case derived
        /// Not available; ``Provenance/reason`` says why.
        case unavailable
        /// Taken from a recorded document (a profile file or a raw MSR dump).
        case recorded
    }

    public var method: Method
    /// Why the value is unavailable (or a note on how it was derived).
    public var reason: Reason?
    /// For derived guest views: the kernel era whose filter was applied.
    public var era: EVMCSEra?

    public init(_ method: Method, reason: Reason? = nil, era: EVMCSEra? = nil) {
        self.method = method
        self.reason = reason
        self.era = era
    }

    /// A machine-readable cause plus a message for humans.
    public struct Reason: Codable, Hashable, Sendable {
        /// Stable identifier: `kvm-device-missing`, `permission-denied`, `vendor-amd`,
        /// `nested-disabled`, `capability-absent`, `ioctl-failed`, … (Docs/documents.md).
        public var code: String
        public var message: String
        /// The errno name of a failed system call, e.g. `ENOTTY`.
        public var errno: String?

        public init(code: String, message: String, errno: String? = nil) {
            self.code = code
            self.message = message
            self.errno = errno
        }
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case method, reason, era }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        method = try container.decode(Method.self, forKey: .method)
        reason = try container.decodeIfPresent(Reason.self, forKey: .reason)
        era = try container.decodeIfPresent(EVMCSEra.self, forKey: .era)
    }
}

/// A note attached to a profile or verdict: something the reader should know that is not
/// an incompatibility.
public struct Warning: Codable, Hashable, Sendable {
    /// Stable identifier, e.g. `guest-view-mismatch`, `era-from-version`, `era-restore-order`.
    public var code: String
    public var message: String
    /// The MSR concerned, as `0x48d`, when there is one.
    public var msr: String?

    public init(code: String, message: String, msr: MSRIndex? = nil) {
        self.code = code
        self.message = message
        self.msr = msr?.hex
    }
}
