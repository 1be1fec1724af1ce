/// Why a fleet computation (baseline, pools) could not be done.
public struct FleetError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
