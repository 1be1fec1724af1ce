/// Values of the VMX capability MSRs (0x480–0x493) as one view sees them.
///
/// An MSR that a view did not report is *absent* — never zero: `set[.vmxVMFunc] == nil`
/// means "not reported", which the rules treat differently from a reported 0.
///
/// ```swift
/// var set = VMXMSRSet()
/// set[.vmxTruePinBasedControls] = 0x0000_007f_0000_0016
/// set.count  // 1
/// ```
public struct VMXMSRSet: Hashable, Sendable {
    private static let first: UInt32 = 0x480
    private static let slots = MSRIndex.allVMX.count

    private var values: [UInt64]
    private var present: UInt32

    /// An empty set: nothing reported.
    public init() {
        values = Array(repeating: 0, count: Self.slots)
        present = 0
    }

    /// A set from index → value pairs; indices outside 0x480–0x493 are ignored.
    public init(_ pairs: [MSRIndex: UInt64]) {
        self.init()
        for (index, value) in pairs { self[index] = value }
    }

    /// Whether `index` is one of the VMX capability MSRs this type stores.
    public static func holds(_ index: MSRIndex) -> Bool {
        index.rawValue >= first && index.rawValue < first + UInt32(slots)
    }

    /// The value of `index`, or `nil` when it was not reported. Setting `nil` removes it.
    public subscript(index: MSRIndex) -> UInt64? {
        get {
            guard Self.holds(index) else { return nil }
            let slot = Int(index.rawValue - Self.first)
            return present & (1 << slot) != 0 ? values[slot] : nil
        }
        set {
            guard Self.holds(index) else { return }
            let slot = Int(index.rawValue - Self.first)
            if let newValue {
                values[slot] = newValue
                present |= 1 << slot
            } else {
                values[slot] = 0
                present &= ~(1 << slot)
            }
        }
    }

    /// Number of MSRs reported.
    public var count: Int { present.nonzeroBitCount }

    /// `true` when nothing was reported.
    public var isEmpty: Bool { present == 0 }

    /// The reported indices in ascending order.
    public var indices: [MSRIndex] {
        MSRIndex.allVMX.filter { self[$0] != nil }
    }

    /// The reported (index, value) pairs in ascending index order.
    public var entries: [(index: MSRIndex, value: UInt64)] {
        MSRIndex.allVMX.compactMap { index in self[index].map { (index, $0) } }
    }

    /// The same set keeping only the indices in `keep`.
    public func restricted(to keep: Set<MSRIndex>) -> VMXMSRSet {
        var copy = self
        for index in indices where !keep.contains(index) { copy[index] = nil }
        return copy
    }
}

extension VMXMSRSet: Codable {
    public init(from decoder: any Decoder) throws {
        self.init()
        let entries = try MSRValueMap.decode(from: decoder, example: "0x48d") { index, key in
            Self.holds(index) ? nil : "\(key) is not a VMX capability MSR (0x480–0x493)"
        }
        for (index, value) in entries { self[index] = value }
    }

    public func encode(to encoder: any Encoder) throws {
        try MSRValueMap.encode(entries.map { ($0.index, $0.value) }, to: encoder)
    }
}

extension VMXMSRSet {
    /// The same set with each absent non-TRUE control MSR derived from its TRUE MSR the way KVM
    /// answers reads of it (`vmx_get_vmx_msr()`: the TRUE value with the default1 bits forced).
    public func withDerivedPlainControls() -> VMXMSRSet {
        var copy = self
        for group in VMXFeatureGroup.allCases {
            guard let plain = group.plainMSR, copy[plain] == nil, let trueValue = copy[group.msr] else { continue }
            copy[plain] = trueValue | UInt64(group.defaultOnes)
        }
        return copy
    }
}
