import VMXModel

/// A method of evmcsd's API with the Swift types of its params and result: the server
/// registers its handler under it and the Swift client calls it, so both agree on the name and
/// the types.
///
/// ```swift
/// let status = try await client.call(EVMCSAPI.status)          // DaemonStatus
/// let verdict = try await client.call(EVMCSAPI.check, params: .requirements(vm, target: nil))
/// ```
public struct MethodDescriptor<Params: Encodable & Sendable, Result: Decodable & Sendable>: Sendable {
    /// The method.
    public let method: EVMCSMethod

    init(_ method: EVMCSMethod) { self.method = method }
}

/// The params of a method that takes none.
public struct NoParams: Codable, Hashable, Sendable {
    public init() {}
}

/// Every method with a typed result (`rpc.discover` answers the OpenRPC document itself).
public enum EVMCSAPI {
    public static let status = MethodDescriptor<NoParams, DaemonStatus>(.status)
    public static let profile = MethodDescriptor<NoParams, HostProfile>(.profile)
    public static let evmcs = MethodDescriptor<NoParams, HostEVMCSReport>(.evmcs)
    public static let vmx = MethodDescriptor<VMXRequest, HostVMXReport>(.vmx)
    public static let history = MethodDescriptor<NoParams, ProfileHistory>(.history)
    public static let check = MethodDescriptor<CompatCheckRequest, Verdict>(.check)
    public static let baseline = MethodDescriptor<FleetRequest, Baseline>(.baseline)
    public static let pools = MethodDescriptor<FleetRequest, Pools>(.pools)
    public static let subscribe = MethodDescriptor<NoParams, SubscriptionResult>(.subscribe)
    public static let unsubscribe = MethodDescriptor<NoParams, SubscriptionResult>(.unsubscribe)
    public static let refresh = MethodDescriptor<NoParams, RefreshResult>(.refresh)
    public static let reload = MethodDescriptor<NoParams, ReloadResult>(.reload)
}

/// Params whose absence means their defaults (`host.vmx` without a view: all views).
public protocol DefaultableParams: Sendable {
    /// The params a request without `params` has.
    static var defaults: Self { get }
}

extension NoParams: DefaultableParams {
    public static var defaults: NoParams { NoParams() }
}

extension VMXRequest: DefaultableParams {
    public static var defaults: VMXRequest { VMXRequest() }
}
