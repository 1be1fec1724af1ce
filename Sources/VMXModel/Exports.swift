// The error shape is part of this module's API (DocumentError, FleetError, QEMUCPUError are CodedErrors types).
@_exported import CodedErrors
