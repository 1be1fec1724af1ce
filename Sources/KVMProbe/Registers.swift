import CKVM

/// The general-purpose registers of a vCPU (`struct kvm_regs`).
public struct GeneralRegisters: Sendable, Hashable {
    /// RAX.
    public var rax: UInt64 = 0
    /// RBX.
    public var rbx: UInt64 = 0
    /// RCX.
    public var rcx: UInt64 = 0
    /// RDX.
    public var rdx: UInt64 = 0
    /// RSI.
    public var rsi: UInt64 = 0
    /// RDI.
    public var rdi: UInt64 = 0
    /// RSP (an offset from SS.base in real mode).
    public var rsp: UInt64 = 0
    /// RBP.
    public var rbp: UInt64 = 0
    /// R8.
    public var r8: UInt64 = 0
    /// R9.
    public var r9: UInt64 = 0
    /// R10.
    public var r10: UInt64 = 0
    /// R11.
    public var r11: UInt64 = 0
    /// R12.
    public var r12: UInt64 = 0
    /// R13.
    public var r13: UInt64 = 0
    /// R14.
    public var r14: UInt64 = 0
    /// R15.
    public var r15: UInt64 = 0
    /// The instruction pointer (an offset from CS.base in real mode).
    public var rip: UInt64 = 0
    /// RFLAGS; bit 1 is reserved and must be 1, so a valid minimal value is `0x2`.
    public var rflags: UInt64 = 0x2

    /// Creates a register file with everything zero except RFLAGS = 0x2.
    public init() {}

    init(_ regs: kvm_regs) {
        (rax, rbx, rcx, rdx) = (regs.rax, regs.rbx, regs.rcx, regs.rdx)
        (rsi, rdi, rsp, rbp) = (regs.rsi, regs.rdi, regs.rsp, regs.rbp)
        (r8, r9, r10, r11) = (regs.r8, regs.r9, regs.r10, regs.r11)
        (r12, r13, r14, r15) = (regs.r12, regs.r13, regs.r14, regs.r15)
        (rip, rflags) = (regs.rip, regs.rflags)
    }

    var kernelValue: kvm_regs {
        kvm_regs(
            rax: rax,
            rbx: rbx,
            rcx: rcx,
            rdx: rdx,
            rsi: rsi,
            rdi: rdi,
            rsp: rsp,
            rbp: rbp,
            r8: r8,
            r9: r9,
            r10: r10,
            r11: r11,
            r12: r12,
            r13: r13,
            r14: r14,
            r15: r15,
            rip: rip,
            rflags: rflags
        )
    }
}

/// One segment register as KVM describes it (`struct kvm_segment`): the visible selector plus the
/// hidden descriptor cache.
public struct SegmentRegister: Sendable, Hashable {
    /// Base address (the hidden descriptor cache; `selector << 4` in real mode).
    public var base: UInt64
    /// Segment limit in bytes.
    public var limit: UInt32
    /// The visible selector.
    public var selector: UInt16
    /// Descriptor type field (4 bits).
    public var type: UInt8
    /// Present bit (P).
    public var present: UInt8
    /// Descriptor privilege level.
    public var dpl: UInt8
    /// Default operation size (D/B): 1 for 32-bit segments.
    public var db: UInt8
    /// Descriptor type (S): 1 for code/data, 0 for system segments.
    public var s: UInt8
    /// 64-bit code segment (L).
    public var l: UInt8
    /// Granularity (G): limit counted in 4 KiB units.
    public var g: UInt8
    /// Available-for-software bit (AVL).
    public var avl: UInt8
    /// KVM's "unusable" flag (a null selector loaded in protected mode).
    public var unusable: UInt8

    init(_ segment: kvm_segment) {
        base = segment.base
        limit = segment.limit
        selector = segment.selector
        type = segment.type
        present = segment.present
        dpl = segment.dpl
        db = segment.db
        s = segment.s
        l = segment.l
        g = segment.g
        avl = segment.avl
        unusable = segment.unusable
    }

    var kernelValue: kvm_segment {
        kvm_segment(
            base: base,
            limit: limit,
            selector: selector,
            type: type,
            present: present,
            dpl: dpl,
            db: db,
            s: s,
            l: l,
            g: g,
            avl: avl,
            unusable: unusable,
            padding: 0
        )
    }
}

/// A descriptor-table register (GDTR or IDTR, `struct kvm_dtable`).
public struct DescriptorTableRegister: Sendable, Hashable {
    /// Linear base address of the table.
    public var base: UInt64
    /// Table size in bytes minus one.
    public var limit: UInt16

    init(_ table: kvm_dtable) {
        base = table.base
        limit = table.limit
    }

    var kernelValue: kvm_dtable {
        kvm_dtable(base: base, limit: limit, padding: (0, 0, 0))
    }
}

/// The system registers of a vCPU (`struct kvm_sregs`). Obtain one from
/// `KVMVirtualCPU.specialRegisters()`, change what you need, and write it back.
public struct SpecialRegisters: Sendable, Hashable {
    /// Code segment.
    public var cs: SegmentRegister
    /// Data segment.
    public var ds: SegmentRegister
    /// Extra segment.
    public var es: SegmentRegister
    /// FS.
    public var fs: SegmentRegister
    /// GS.
    public var gs: SegmentRegister
    /// Stack segment.
    public var ss: SegmentRegister
    /// Task register.
    public var tr: SegmentRegister
    /// Local descriptor table register.
    public var ldt: SegmentRegister
    /// GDTR.
    public var gdt: DescriptorTableRegister
    /// IDTR (base 0, limit 0x3FF or more for the real-mode IVT).
    public var idt: DescriptorTableRegister
    /// CR0 (PE bit 0 clear: real mode).
    public var cr0: UInt64
    /// CR2.
    public var cr2: UInt64
    /// CR3.
    public var cr3: UInt64
    /// CR4.
    public var cr4: UInt64
    /// CR8 (task priority).
    public var cr8: UInt64
    /// IA32_EFER.
    public var efer: UInt64
    /// IA32_APIC_BASE.
    public var apicBase: UInt64
    /// The pending-external-interrupt bitmap: 256 bits as four 64-bit words, lowest vector first.
    public var interruptBitmap: [UInt64]

    init(_ sregs: kvm_sregs) {
        cs = SegmentRegister(sregs.cs)
        ds = SegmentRegister(sregs.ds)
        es = SegmentRegister(sregs.es)
        fs = SegmentRegister(sregs.fs)
        gs = SegmentRegister(sregs.gs)
        ss = SegmentRegister(sregs.ss)
        tr = SegmentRegister(sregs.tr)
        ldt = SegmentRegister(sregs.ldt)
        gdt = DescriptorTableRegister(sregs.gdt)
        idt = DescriptorTableRegister(sregs.idt)
        cr0 = sregs.cr0
        cr2 = sregs.cr2
        cr3 = sregs.cr3
        cr4 = sregs.cr4
        cr8 = sregs.cr8
        efer = sregs.efer
        apicBase = sregs.apic_base
        let bitmap = sregs.interrupt_bitmap
        interruptBitmap = [bitmap.0, bitmap.1, bitmap.2, bitmap.3]
    }

    /// The C struct, or an `.invalidArgument` error when `interruptBitmap` does not have 4 words.
    func kernelValue() throws(ProbeError) -> kvm_sregs {
        guard interruptBitmap.count == 4 else {
            throw ProbeError(
                code: .invalidArgument,
                operation: "KVM_SET_SREGS",
                message: "interruptBitmap has \(interruptBitmap.count) words, expected 4"
            )
        }
        var sregs = kvm_sregs()
        sregs.cs = cs.kernelValue
        sregs.ds = ds.kernelValue
        sregs.es = es.kernelValue
        sregs.fs = fs.kernelValue
        sregs.gs = gs.kernelValue
        sregs.ss = ss.kernelValue
        sregs.tr = tr.kernelValue
        sregs.ldt = ldt.kernelValue
        sregs.gdt = gdt.kernelValue
        sregs.idt = idt.kernelValue
        sregs.cr0 = cr0
        sregs.cr2 = cr2
        sregs.cr3 = cr3
        sregs.cr4 = cr4
        sregs.cr8 = cr8
        sregs.efer = efer
        sregs.apic_base = apicBase
        sregs.interrupt_bitmap = (interruptBitmap[0], interruptBitmap[1], interruptBitmap[2], interruptBitmap[3])
        return sregs
    }
}
