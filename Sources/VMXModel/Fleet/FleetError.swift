/// Why a fleet computation (baseline, pools) could not be done.
public struct FleetError: Error, Sendable, CustomStringConvertible {
    /// The category of a failure.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the category, e.g. `"noProfiles"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// No host profile was given.
        public static let noProfiles = Code(rawValue: "noProfiles")
        /// eVMCS or nested-state migration was required, and some hosts cannot provide it.
        public static let requirementUnmet = Code(rawValue: "requirementUnmet")
        /// The hosts fall into more capability groups than the migration matrix may have.
        public static let tooManyGroups = Code(rawValue: "tooManyGroups")

        /// The stable name of the category.
        public var description: String { rawValue }
    }

    /// The category of the failure.
    public let code: Code
    /// One line for humans, naming the hosts or limit concerned.
    public let message: String
    /// The underlying error, when one led to the failure; the fleet computations set none today.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the failure.
    ///   - message: One line for humans.
    ///   - cause: The underlying error, if any.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message.
    public var description: String { message }
}
