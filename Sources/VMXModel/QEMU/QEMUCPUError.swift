/// Why a QEMU `-cpu` string (or a running QEMU's CPU) gives no requirements.
public typealias QEMUCPUError = CodedError<QEMUCPUErrorCode>

/// The category of a ``QEMUCPUError``.
public enum QEMUCPUErrorCode: String, ErrorCode {
    /// An empty string, a property without a name, a bad on/off value.
    case malformed

    /// A model or model version QEMU does not have.
    case unknownModel

    /// Properties QEMU's x86 CPUs do not have.
    case unknownFeatures

    /// `host`/`max` without the profile of the host that gives their values.
    case needsProfile

    /// `enforce` is set and the host lacks requested features (QEMU refuses to start).
    case enforceFailed
}
