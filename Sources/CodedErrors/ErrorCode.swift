/// The category of an error, with a stable name that scripts and logs can rely on (`"invalidField"`).
///
/// ```swift
/// public enum FleetErrorCode: String, ErrorCode {
///     /// No host profile was given.
///     case noProfiles
/// }
/// ```
public protocol ErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible where RawValue == String {}

extension ErrorCode {
    /// The stable name.
    public var description: String { rawValue }
}
