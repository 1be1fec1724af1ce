import CKVM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A zero-filled heap allocation laid out like a C struct that ends in a flexible array member
/// (`struct kvm_msrs`, `struct kvm_msr_list`, `struct kvm_cpuid2`).
///
/// The value is `~Copyable`, so the allocation has exactly one owner and is freed when that owner's
/// scope ends, on every path.
struct FlexibleArrayBuffer<Header, Element>: ~Copyable {
    /// The struct header (its count field and padding).
    let header: UnsafeMutablePointer<Header>
    /// The first element of the flexible array.
    let elements: UnsafeMutablePointer<Element>
    /// How many elements fit.
    let capacity: Int

    /// Allocates and zero-fills `byteCount` bytes.
    /// - Parameters:
    ///   - capacity: How many elements fit.
    ///   - byteCount: The total size, from the matching `ckvm_*_size` function.
    ///   - elementsOf: Returns the address of the flexible array for a header (a `ckvm_*_entries` accessor).
    init(
        capacity: Int,
        byteCount: Int,
        elementsOf: (UnsafeMutablePointer<Header>) -> UnsafeMutableRawPointer
    ) {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(byteCount, MemoryLayout<Header>.size),
            alignment: max(MemoryLayout<Header>.alignment, MemoryLayout<Element>.alignment)
        )
        memset(raw, 0, byteCount)
        header = raw.bindMemory(to: Header.self, capacity: 1)
        elements = elementsOf(header).bindMemory(to: Element.self, capacity: capacity)
        self.capacity = capacity
    }

    /// The address to pass to `ckvm_ioctl`.
    var address: UInt { UInt(bitPattern: header) }

    deinit {
        UnsafeMutableRawPointer(header).deallocate()
    }
}

extension FlexibleArrayBuffer where Header == kvm_msrs, Element == kvm_msr_entry {
    /// A `struct kvm_msrs` with room for `capacity` entries; `nmsrs` is left 0.
    static func msrs(capacity: Int) -> Self {
        Self(capacity: capacity, byteCount: ckvm_msrs_size(UInt32(capacity))) {
            UnsafeMutableRawPointer(ckvm_msrs_entries($0))
        }
    }
}

extension FlexibleArrayBuffer where Header == kvm_msr_list, Element == UInt32 {
    /// A `struct kvm_msr_list` with room for `capacity` indices; `nmsrs` is left 0.
    static func msrList(capacity: Int) -> Self {
        Self(capacity: capacity, byteCount: ckvm_msr_list_size(UInt32(capacity))) {
            UnsafeMutableRawPointer(ckvm_msr_list_indices($0))
        }
    }
}

extension FlexibleArrayBuffer where Header == kvm_cpuid2, Element == kvm_cpuid_entry2 {
    /// A `struct kvm_cpuid2` with room for `capacity` entries; `nent` is left 0.
    static func cpuid2(capacity: Int) -> Self {
        Self(capacity: capacity, byteCount: ckvm_cpuid2_size(UInt32(capacity))) {
            UnsafeMutableRawPointer(ckvm_cpuid2_entries($0))
        }
    }
}
