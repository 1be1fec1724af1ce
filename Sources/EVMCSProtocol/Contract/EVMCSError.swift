/// Every error code an evmcsd answer can carry: JSON-RPC's own, the transport's (-32000…-32009)
/// and evmcsd's (-32011 and up). This table is the one place they are written; the server, the
/// Swift client, the OpenRPC document and Docs/protocol.md follow it. A host without usable
/// KVM is not an error: its profile says why, with reasons.
public enum EVMCSError: Int, CaseIterable, Sendable {
    /// The line is not JSON.
    case parseError = -32700
    /// The JSON is not a valid request object.
    case invalidRequest = -32600
    /// No such method.
    case methodNotFound = -32601
    /// The params do not fit the method.
    case invalidParams = -32602
    /// The daemon failed unexpectedly (logged; details are never sent).
    case internalError = -32603
    /// Too many connections for the peer or in total, or too many pending requests.
    case overloaded = -32000
    /// The request line is longer than the limit; the connection is closed.
    case requestTooLarge = -32001
    /// The batch has more elements than the limit.
    case batchTooLarge = -32002
    /// The daemon is stopping.
    case shuttingDown = -32003
    /// The peer is not root and not in the admin group.
    case notAuthorized = -32011
    /// A document in the params is malformed.
    case invalidDocument = -32012
    /// The probe source failed (a recorded profile file that became unreadable).
    case probeFailed = -32013
    /// No profile has been measured yet.
    case notReady = -32014
    /// The configuration could not be reloaded; the old one keeps running.
    case reloadFailed = -32015
    /// A fleet computation (baseline, pools) cannot be done with these inputs.
    case fleetFailed = -32016

    /// The code.
    public var code: Int { rawValue }

    /// The name of its entry in the OpenRPC document's `components.errors`.
    public var componentName: String {
        switch self {
        case .parseError: "ParseError"
        case .invalidRequest: "InvalidRequest"
        case .methodNotFound: "MethodNotFound"
        case .invalidParams: "InvalidParams"
        case .internalError: "InternalError"
        case .overloaded: "Overloaded"
        case .requestTooLarge: "RequestTooLarge"
        case .batchTooLarge: "BatchTooLarge"
        case .shuttingDown: "ShuttingDown"
        case .notAuthorized: "NotAuthorized"
        case .invalidDocument: "InvalidDocument"
        case .probeFailed: "ProbeFailed"
        case .notReady: "NotReady"
        case .reloadFailed: "ReloadFailed"
        case .fleetFailed: "FleetFailed"
        }
    }

    /// The `message` evmcsd sends with evmcsd's own codes (the transport words its own).
    public var message: String {
        switch self {
        case .parseError: "Parse error"
        case .invalidRequest: "Invalid Request"
        case .methodNotFound: "Method not found"
        case .invalidParams: "Invalid params"
        case .internalError: "Internal error"
        case .overloaded: "Overloaded"
        case .requestTooLarge: "Request too large"
        case .batchTooLarge: "Batch too large"
        case .shuttingDown: "Server is shutting down"
        case .notAuthorized: "Not authorized"
        case .invalidDocument: "Invalid document"
        case .probeFailed: "Probe failed"
        case .notReady: "No profile measured yet"
        case .reloadFailed: "Reload failed; the previous configuration stays in force"
        case .fleetFailed: "Fleet computation failed"
        }
    }

    /// What the error means and what its `data` holds, for the OpenRPC document.
    public var explanation: String {
        switch self {
        case .parseError: "The line is not JSON; id null."
        case .invalidRequest:
            "Not a valid request object (data: {reason}, and field for a duplicate member; id null if the id is repeated)."
        case .methodNotFound: "No such method."
        case .invalidParams: "The params do not fit the method (data: {field, reason}; also a duplicate member)."
        case .internalError: "The daemon failed unexpectedly; the details are logged, not sent."
        case .overloaded:
            "Too many connections (data: {reason: per-uid limit | reserved | total limit, limit, uid}; the connection is closed) or pending requests."
        case .requestTooLarge: "The request line is longer than limits.max-line-bytes; id null, the connection is closed."
        case .batchTooLarge: "The batch has more elements than limits.max-batch; id null."
        case .shuttingDown: "The daemon is stopping; requests read before are answered."
        case .notAuthorized: "Admin methods: root or the admin group only (data: {method, uid, allowed})."
        case .invalidDocument: "A document in the params is malformed (data: {field, reason})."
        case .probeFailed: "The probe source failed; the last good profile stays served, marked stale (data: {reason})."
        case .notReady: "No profile has been measured yet."
        case .reloadFailed: "The configuration could not be reloaded; the previous one stays in force (data: {reason})."
        case .fleetFailed: "A fleet computation cannot be done with these inputs (data: {reason})."
        }
    }
}
