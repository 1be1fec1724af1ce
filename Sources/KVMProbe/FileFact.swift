/// A host fact read from a file: either its value, or the errno that prevented reading it.
public enum FileFact<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    /// The value that was read.
    case value(Value)
    /// Reading failed with this errno name (e.g. `"ENOENT"`, `"EACCES"`).
    case unreadable(errno: String)

    /// The value, or `nil` when unreadable.
    public var value: Value? {
        if case .value(let value) = self { value } else { nil }
    }

    init(_ result: Result<Value, Errno>) {
        switch result {
        case .success(let value): self = .value(value)
        case .failure(let failure): self = .unreadable(errno: failure.name)
        }
    }
}
