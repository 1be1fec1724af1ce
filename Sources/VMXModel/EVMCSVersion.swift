/// The evmcsd release this build belongs to (daemon, CLI and documents' `generator`).
public enum EVMCSVersion {
    public static let current = "0.1.0"
}
