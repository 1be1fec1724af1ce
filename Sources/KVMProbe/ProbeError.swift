#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The one error type of the KVMProbe module: every failing system call, unexpected guest exit and
/// invalid argument surfaces as a `ProbeError`, never as a crash.
///
/// ```swift
/// do {
///     let range = try vcpu.enableEnlightenedVMCS()
/// } catch {
///     print(error.operation, error.errnoName ?? "-", error.message)  // "KVM_ENABLE_CAP" "ENOTTY" …
/// }
/// ```
///
/// Equatable and Hashable over ``code``, ``operation``, ``errno`` and ``message``; ``cause`` is not
/// compared.
public struct ProbeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a failure.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The stable name of the category, e.g. `"systemCall"`.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// A system call (open, ioctl, mmap, stat, read…) failed; `errno` says why.
        public static let systemCall = Code(rawValue: "systemCall")
        /// The caller passed a value the operation cannot accept (too many entries, a buffer too small…).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// The kernel answered with something this code does not expect (a short buffer, an unknown size…).
        public static let unexpectedKernelResponse = Code(rawValue: "unexpectedKernelResponse")
        /// KVM_RUN stopped with an exit the guest program never causes (SHUTDOWN, FAIL_ENTRY, MMIO…).
        public static let unexpectedExit = Code(rawValue: "unexpectedExit")
        /// The guest reported results out of the agreed order or on an unknown port.
        public static let guestProtocolViolation = Code(rawValue: "guestProtocolViolation")
        /// The guest needed more exits or more wall time than its program can legitimately take.
        public static let guestLimitExceeded = Code(rawValue: "guestLimitExceeded")

        /// The stable name of the category.
        public var description: String { rawValue }
    }

    /// The category of the failure.
    public let code: Code
    /// What was being done, e.g. `"KVM_GET_MSRS"`, `"open /dev/kvm"` or `"KVM_RUN"`.
    public let operation: String
    /// The errno value of a failed system call, `nil` when no system call failed.
    public let errno: Int32?
    /// A human-readable explanation.
    public let message: String
    /// The underlying error: the ``Errno`` of a failed system call (the same value as ``errno``),
    /// `nil` when the failure has no error underneath.
    public let cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the failure.
    ///   - operation: What was being done.
    ///   - errno: The errno value of a failed system call, if any.
    ///   - message: A human-readable explanation.
    ///   - cause: The underlying error, if any.
    public init(
        code: Code,
        operation: String,
        errno: Int32? = nil,
        message: String,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.operation = operation
        self.errno = errno
        self.message = message
        self.cause = cause
    }

    /// Creates a `.systemCall` error whose message is the C library's text for `errno`, with the
    /// ``Errno`` as its cause.
    /// - Parameters:
    ///   - operation: The failed call, e.g. `"KVM_CREATE_VM"`.
    ///   - errno: The (positive) errno value.
    ///   - detail: Optional context appended to the message.
    public static func systemCall(_ operation: String, errno: Int32, detail: String? = nil) -> ProbeError {
        let reason = String(cString: strerror(errno))
        let message = detail.map { "\(reason) (\($0))" } ?? reason
        return ProbeError(code: .systemCall, operation: operation, errno: errno, message: message, cause: Errno(errno))
    }

    /// The symbolic errno name (`"ENOTTY"`, `"EINVAL"`, `"EACCES"`, `"ENOENT"`…), `nil` when no
    /// system call failed.
    public var errnoName: String? {
        errno.map(ErrnoName.name(of:))
    }

    /// Whether two errors have the same code, operation, errno and message; ``cause`` is not compared.
    public static func == (lhs: ProbeError, rhs: ProbeError) -> Bool {
        lhs.code == rhs.code && lhs.operation == rhs.operation && lhs.errno == rhs.errno && lhs.message == rhs.message
    }

    /// Hashes the parts ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(operation)
        hasher.combine(errno)
        hasher.combine(message)
    }

    /// `operation: message [ERRNO]`.
    public var description: String {
        if let errnoName {
            return "\(operation): \(message) [\(errnoName)]"
        }
        return "\(operation): \(message)"
    }
}
