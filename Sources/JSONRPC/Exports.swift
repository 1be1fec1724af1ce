// The transport-free core (protocol, routing, per-connection state) is part of this module's API.
@_exported import JSONRPCCore
