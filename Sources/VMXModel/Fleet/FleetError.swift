/// Why a fleet computation (baseline, pools) could not be done.
public typealias FleetError = CodedError<FleetErrorCode>

/// The category of a ``FleetError``.
public enum FleetErrorCode: String, ErrorCode {
    /// No host profile was given.
    case noProfiles

    /// eVMCS or nested-state migration was required, and some hosts cannot provide it.
    case requirementUnmet

    /// The hosts fall into more capability groups than the migration matrix may have.
    case tooManyGroups
}
