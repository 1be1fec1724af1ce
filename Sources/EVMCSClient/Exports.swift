// The client re-exports the domain model and the protocol types, so verdicts, baselines and
// pools can also be computed offline from documents with the same code the daemon runs.
@_exported import EVMCSProtocol
@_exported import VMXModel
