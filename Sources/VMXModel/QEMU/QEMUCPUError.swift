/// Why a QEMU `-cpu` string (or a running QEMU's CPU) gives no requirements.
public struct QEMUCPUError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Hashable, Sendable {
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

    public var code: Code
    /// One line for humans, naming the model, version or features concerned.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
