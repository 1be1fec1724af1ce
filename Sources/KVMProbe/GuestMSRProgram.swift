/// The real-mode micro-guest that executes RDMSR for a table of MSR indices and reports each result
/// through port I/O, plus the guest memory layout it assumes.
///
/// Memory layout (one slot of 64 KiB at guest physical address 0):
///
/// | Range           | Contents                                                                |
/// |-----------------|-------------------------------------------------------------------------|
/// | 0x0000–0x03FF   | Real-mode IVT; the program sets vector 13 (#GP, at 0x34) to `gp_handler` |
/// | 0x1000–0x1050   | The program below (CS = 0, IP = 0x1000)                                 |
/// | 0x2000          | u32 count of indices                                                    |
/// | 0x2004–0x6003   | up to 4096 u32 MSR indices                                              |
/// | below 0x8000    | stack (SS = 0, SP = 0x8000); only the 6-byte #GP frame is ever pushed    |
///
/// Report protocol (every access is a 32-bit OUT, one KVM_EXIT_IO each), per index in table order:
/// - readable: `0xE0` ← index, `0xE1` ← EDX (high half), `0xE2` ← EAX (low half);
/// - #GP: `0xE3` ← index (the handler drops the IP/CS/FLAGS frame and continues with the next index).
///
/// After the last index the guest executes HLT (KVM_EXIT_HLT, as no in-kernel APIC exists).
///
/// Assembled once with `as --32` (`.code16`) and `objcopy -O binary`; the build does not need an
/// assembler. Listing (address, bytes, instruction), with the loop state in EBX (indices left) and
/// SI (next table entry) advanced *before* RDMSR so the #GP handler can simply jump back to `next`:
///
/// ```
/// 1000  31 c0              xor   ax, ax
/// 1002  8e d8              mov   ds, ax
/// 1004  8e d0              mov   ss, ax
/// 1006  bc 00 80           mov   sp, 0x8000
/// 1009  c7 06 34 00 43 10  mov   word [0x34], 0x1043   ; IVT[13].offset = gp_handler
/// 100f  c7 06 36 00 00 00  mov   word [0x36], 0x0000   ; IVT[13].segment = 0
/// 1015  66 8b 1e 00 20     mov   ebx, [0x2000]         ; count
/// 101a  be 04 20           mov   si, 0x2004            ; first index
/// 101d  66 85 db     next: test  ebx, ebx
/// 1020  74 2c              jz    done                  ; -> 104e
/// 1022  66 8b 0c           mov   ecx, [si]
/// 1025  83 c6 04           add   si, 4
/// 1028  66 4b              dec   ebx
/// 102a  0f 32              rdmsr                       ; #GP -> gp_handler
/// 102c  66 89 c7           mov   edi, eax
/// 102f  66 89 c8           mov   eax, ecx
/// 1032  66 e7 e0           out   0xe0, eax             ; index
/// 1035  66 89 d0           mov   eax, edx
/// 1038  66 e7 e1           out   0xe1, eax             ; high half
/// 103b  66 89 f8           mov   eax, edi
/// 103e  66 e7 e2           out   0xe2, eax             ; low half
/// 1041  eb da              jmp   next                  ; -> 101d
/// 1043  83 c4 06   gp_handler: add sp, 6               ; drop IP, CS, FLAGS
/// 1046  66 89 c8           mov   eax, ecx
/// 1049  66 e7 e3           out   0xe3, eax             ; faulted index
/// 104c  eb cf              jmp   next                  ; -> 101d
/// 104e  f4           done: hlt
/// 104f  eb fd              jmp   done                  ; -> 104e
/// ```
enum GuestMSRProgram {
    /// Size of the single memory slot.
    static let memorySize = 0x1_0000
    /// Guest physical address of the first instruction (IP with CS = 0).
    static let codeAddress = 0x1000
    /// Guest physical address of the u32 count; the indices follow it.
    static let tableAddress = 0x2000
    /// How many indices fit between the table and the stack region.
    static let tableCapacity = 4096

    /// I/O ports of the report protocol.
    enum Port {
        static let index: UInt16 = 0xE0
        static let high: UInt16 = 0xE1
        static let low: UInt16 = 0xE2
        static let fault: UInt16 = 0xE3
    }

    /// The machine code, byte for byte as in the listing above.
    static let code: [UInt8] = [
        0x31, 0xC0,  // 1000 xor ax, ax
        0x8E, 0xD8,  // 1002 mov ds, ax
        0x8E, 0xD0,  // 1004 mov ss, ax
        0xBC, 0x00, 0x80,  // 1006 mov sp, 0x8000
        0xC7, 0x06, 0x34, 0x00, 0x43, 0x10,  // 1009 mov word [0x34], 0x1043
        0xC7, 0x06, 0x36, 0x00, 0x00, 0x00,  // 100f mov word [0x36], 0
        0x66, 0x8B, 0x1E, 0x00, 0x20,  // 1015 mov ebx, [0x2000]
        0xBE, 0x04, 0x20,  // 101a mov si, 0x2004
        0x66, 0x85, 0xDB,  // 101d next: test ebx, ebx
        0x74, 0x2C,  // 1020 jz done
        0x66, 0x8B, 0x0C,  // 1022 mov ecx, [si]
        0x83, 0xC6, 0x04,  // 1025 add si, 4
        0x66, 0x4B,  // 1028 dec ebx
        0x0F, 0x32,  // 102a rdmsr
        0x66, 0x89, 0xC7,  // 102c mov edi, eax
        0x66, 0x89, 0xC8,  // 102f mov eax, ecx
        0x66, 0xE7, 0xE0,  // 1032 out 0xe0, eax
        0x66, 0x89, 0xD0,  // 1035 mov eax, edx
        0x66, 0xE7, 0xE1,  // 1038 out 0xe1, eax
        0x66, 0x89, 0xF8,  // 103b mov eax, edi
        0x66, 0xE7, 0xE2,  // 103e out 0xe2, eax
        0xEB, 0xDA,  // 1041 jmp next
        0x83, 0xC4, 0x06,  // 1043 gp_handler: add sp, 6
        0x66, 0x89, 0xC8,  // 1046 mov eax, ecx
        0x66, 0xE7, 0xE3,  // 1049 out 0xe3, eax
        0xEB, 0xCF,  // 104c jmp next
        0xF4,  // 104e done: hlt
        0xEB, 0xFD,  // 104f jmp done
    ]

    /// Writes the program and the index table into `memory`.
    /// - Throws: `.invalidArgument` when there are more than `tableCapacity` indices.
    static func load(indices: [UInt32], into memory: GuestMemory) throws(ProbeError) {
        guard indices.count <= tableCapacity else {
            throw ProbeError(
                code: .invalidArgument,
                operation: "guest MSR read",
                message: "\(indices.count) indices exceed the guest table capacity of \(tableCapacity)"
            )
        }
        try memory.write(code, at: codeAddress)
        try memory.write(UInt32(indices.count), at: tableAddress)
        for (position, index) in indices.enumerated() {
            try memory.write(index, at: tableAddress + 4 + 4 * position)
        }
    }

    /// Puts the vCPU at the first instruction in real mode: CS = 0 (base 0), IP = `codeAddress`,
    /// RFLAGS = 0x2 (interrupts off). The program sets DS, SS and SP itself.
    static func prepare(_ vcpu: KVMVirtualCPU) throws(ProbeError) {
        var special = try vcpu.specialRegisters()
        special.cs.selector = 0
        special.cs.base = 0
        try vcpu.setSpecialRegisters(special)
        var general = GeneralRegisters()
        general.rip = UInt64(codeAddress)
        general.rflags = 0x2
        try vcpu.setRegisters(general)
    }
}
