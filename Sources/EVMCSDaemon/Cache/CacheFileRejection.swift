/// Why a cache file cannot be used.
///
/// Equality compares the code and the reason, not the cause.
public struct CacheFileRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of rejection.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the kind, e.g. `"corrupt"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// There is no cache file (a first start).
        public static let missing = Code(rawValue: "missing")
        /// The file exists but cannot be read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// The file is truncated, altered or of another schema.
        public static let corrupt = Code(rawValue: "corrupt")
        /// The file is intact but was saved by another daemon version or under another invalidation key.
        public static let stale = Code(rawValue: "stale")

        /// The stable name of the kind.
        public var description: String { rawValue }
    }

    /// The kind of rejection.
    public var code: Code
    /// Why, for the log and `daemon.status`; empty for ``Code/missing``.
    public var reason: String
    /// The underlying error (the read's ``AtomicFile/Failure``, the payload's decoding error), if any.
    public var cause: (any Error & Sendable)?

    /// No cache file.
    public static let missing = CacheFileRejection(code: .missing, reason: "")

    /// The file cannot be read.
    public static func unreadable(_ reason: String, cause: (any Error & Sendable)? = nil) -> CacheFileRejection {
        CacheFileRejection(code: .unreadable, reason: reason, cause: cause)
    }

    /// The file is damaged.
    public static func corrupt(_ reason: String, cause: (any Error & Sendable)? = nil) -> CacheFileRejection {
        CacheFileRejection(code: .corrupt, reason: reason, cause: cause)
    }

    /// The file is out of date.
    public static func stale(_ reason: String) -> CacheFileRejection {
        CacheFileRejection(code: .stale, reason: reason)
    }

    /// `no cache file`, or `<code>: <reason>`.
    public var description: String {
        code == .missing ? "no cache file" : "\(code): \(reason)"
    }

    /// Whether two rejections have the same code and reason (causes are not compared).
    public static func == (lhs: CacheFileRejection, rhs: CacheFileRejection) -> Bool {
        lhs.code == rhs.code && lhs.reason == rhs.reason
    }
}
