import Glibc

/// A system call that failed, with the `errno` it left.
struct SystemError: Error, CustomStringConvertible {
    /// The call and its subject, e.g. `connect(/tmp/x.sock)`.
    let call: String
    let code: Int32

    /// Captures the current `errno`.
    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    var description: String { "\(self.call): \(String(cString: strerror(self.code))) (errno \(self.code))" }

    /// Returns `result` unless it is -1, in which case it throws with the current `errno`.
    @discardableResult
    static func check<Result: BinaryInteger>(_ result: Result, _ call: @autoclosure () -> String) throws(SystemError)
        -> Result
    {
        guard result == -1 else { return result }
        throw SystemError(call())
    }
}

/// A measurement that could not be made; the benchmark exits non-zero with this message.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
