import CKVM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Issues `ioctl(fd, request, argument)` and throws a `.systemCall` error on failure.
/// - Parameters:
///   - fd: The KVM system, VM or vCPU file descriptor.
///   - request: A `ckvm_request_*` request number.
///   - argument: An integer argument, or a pointer converted with `UInt(bitPattern:)`.
///   - operation: The ioctl name used in the error, e.g. `"KVM_GET_MSRS"`.
/// - Returns: The non-negative ioctl result.
func checkedIoctl(_ fd: Int32, _ request: UInt, _ argument: UInt, _ operation: String) throws(ProbeError) -> Int32 {
    let result = ckvm_ioctl(fd, request, argument)
    guard result >= 0 else {
        throw ProbeError.systemCall(operation, errno: -result)
    }
    return result
}

/// Opens `path` with `flags | O_CLOEXEC`, retrying only on EINTR (an interrupted open did nothing).
/// - Returns: The file descriptor, or the errno value of the failure.
func openFile(_ path: String, flags: Int32) -> Result<Int32, Errno> {
    while true {
        let fd = open(path, flags | O_CLOEXEC)
        if fd >= 0 {
            return .success(fd)
        }
        let failure = errno
        if failure != EINTR {
            return .failure(Errno(failure))
        }
    }
}

/// A failed system call's errno value, as an error: what `Result`s of file reads carry, and the
/// ``ProbeError/cause`` of a `.systemCall` ``ProbeError``.
public struct Errno: Error, Sendable, Hashable, CustomStringConvertible {
    /// The positive errno value.
    public let value: Int32

    /// Wraps a (positive) errno value.
    public init(_ value: Int32) {
        self.value = value
    }

    /// The symbolic name, e.g. `"ENOENT"`.
    public var name: String { ErrnoName.name(of: value) }

    /// The symbolic name.
    public var description: String { name }
}

/// The system page size in bytes.
let systemPageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))
