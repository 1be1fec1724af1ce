#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Anonymous, private, zero-filled memory to back a guest memory slot.
///
/// The mapping is removed when the last reference goes away. A VM keeps every `GuestMemory` it
/// registered alive until the VM itself is released, so the kernel never sees a slot whose backing
/// was unmapped underneath it.
///
/// Not `Sendable`: writes through `write(_:at:)` are unsynchronised.
public final class GuestMemory {
    /// The size in bytes (a multiple of the page size).
    public let size: Int
    let base: UnsafeMutableRawPointer

    /// Maps `size` bytes of anonymous memory.
    /// - Parameter size: The size in bytes; must be a positive multiple of the page size.
    /// - Throws: `.invalidArgument` for a bad size, `.systemCall` when mmap(2) fails.
    public init(size: Int) throws(ProbeError) {
        guard size > 0, size % systemPageSize == 0 else {
            throw ProbeError(
                code: .invalidArgument,
                operation: "mmap guest memory",
                message: "size \(size) is not a positive multiple of the page size \(systemPageSize)"
            )
        }
        let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let mapping, mapping != MAP_FAILED else {
            throw ProbeError.systemCall("mmap guest memory", errno: errno, detail: "\(size) bytes")
        }
        self.base = mapping
        self.size = size
    }

    deinit {
        munmap(base, size)
    }

    /// The host address of the mapping, as KVM_SET_USER_MEMORY_REGION wants it.
    var userspaceAddress: UInt64 { UInt64(UInt(bitPattern: base)) }

    /// Copies `bytes` to `offset`.
    /// - Throws: `.invalidArgument` when the range does not fit.
    public func write(_ bytes: [UInt8], at offset: Int) throws(ProbeError) {
        try checkRange(offset: offset, count: bytes.count, "write guest memory")
        bytes.withUnsafeBytes { source in
            guard let sourceBase = source.baseAddress else { return }
            (base + offset).copyMemory(from: sourceBase, byteCount: source.count)
        }
    }

    /// Stores `value` little-endian at `offset`.
    /// - Throws: `.invalidArgument` when the range does not fit.
    public func write(_ value: UInt32, at offset: Int) throws(ProbeError) {
        try checkRange(offset: offset, count: 4, "write guest memory")
        (base + offset).storeBytes(of: value.littleEndian, as: UInt32.self)
    }

    /// Copies `count` bytes starting at `offset`.
    /// - Throws: `.invalidArgument` when the range does not fit.
    public func read(count: Int, at offset: Int) throws(ProbeError) -> [UInt8] {
        try checkRange(offset: offset, count: count, "read guest memory")
        return Array(UnsafeRawBufferPointer(start: base + offset, count: count))
    }

    private func checkRange(offset: Int, count: Int, _ operation: String) throws(ProbeError) {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw ProbeError(
                code: .invalidArgument,
                operation: operation,
                message: "range \(offset)..<\(offset + count) outside 0..<\(size)"
            )
        }
    }
}
