// CKVM: the parts of <linux/kvm.h> that Swift cannot use directly.
//
// Swift imports the plain structs and integer constants of <linux/kvm.h> by itself. It cannot
// evaluate the function-like _IO/_IOR/_IOW/_IOWR macros that build ioctl request numbers,
// cannot index the flexible array members at the end of kvm_msr_list, kvm_msrs and kvm_cpuid2,
// cannot reach the anonymous unions inside struct kvm_run, and cannot call the variadic ioctl(2).
// This header covers exactly those gaps and nothing else; all logic lives in Swift.
//
// Only <linux/kvm.h> and fixed-width/size types are included here: system headers such as
// <sys/ioctl.h> stay in ckvm.c so they cannot leak into (and break) the importing Swift module.

#ifndef CKVM_H
#define CKVM_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

// MARK: - ioctl request numbers

// System ioctls (on the /dev/kvm file descriptor).
extern const unsigned long ckvm_request_get_api_version;
extern const unsigned long ckvm_request_check_extension;
extern const unsigned long ckvm_request_create_vm;
extern const unsigned long ckvm_request_get_vcpu_mmap_size;
extern const unsigned long ckvm_request_get_msr_feature_index_list;
extern const unsigned long ckvm_request_get_supported_cpuid;

// VM ioctls.
extern const unsigned long ckvm_request_create_vcpu;
extern const unsigned long ckvm_request_set_user_memory_region;

// vCPU ioctls. KVM_GET_MSRS and KVM_GET_SUPPORTED_HV_CPUID are also system ioctls.
extern const unsigned long ckvm_request_get_msrs;
extern const unsigned long ckvm_request_set_msrs;
extern const unsigned long ckvm_request_set_cpuid2;
extern const unsigned long ckvm_request_get_supported_hv_cpuid;
extern const unsigned long ckvm_request_enable_cap;
extern const unsigned long ckvm_request_run;
extern const unsigned long ckvm_request_get_regs;
extern const unsigned long ckvm_request_set_regs;
extern const unsigned long ckvm_request_get_sregs;
extern const unsigned long ckvm_request_set_sregs;

// MARK: - ioctl(2)

/// Calls ioctl(fd, request, argument). `argument` is either an integer or a pointer converted
/// with UInt(bitPattern:). Returns the non-negative ioctl result, or -errno on failure.
int ckvm_ioctl(int fd, unsigned long request, uintptr_t argument);

// MARK: - Flexible-array structs

/// Byte size of a struct kvm_msr_list holding `count` indices.
size_t ckvm_msr_list_size(uint32_t count);
/// First element of kvm_msr_list.indices.
uint32_t *_Nonnull ckvm_msr_list_indices(struct kvm_msr_list *_Nonnull list);

/// Byte size of a struct kvm_msrs holding `count` entries.
size_t ckvm_msrs_size(uint32_t count);
/// First element of kvm_msrs.entries.
struct kvm_msr_entry *_Nonnull ckvm_msrs_entries(struct kvm_msrs *_Nonnull msrs);

/// Byte size of a struct kvm_cpuid2 holding `count` entries.
size_t ckvm_cpuid2_size(uint32_t count);
/// First element of kvm_cpuid2.entries.
struct kvm_cpuid_entry2 *_Nonnull ckvm_cpuid2_entries(struct kvm_cpuid2 *_Nonnull cpuid);

// MARK: - struct kvm_run exit fields (anonymous unions)

/// The `io` member of struct kvm_run, valid when exit_reason == KVM_EXIT_IO.
struct ckvm_io_exit {
    uint8_t direction;     // KVM_EXIT_IO_IN or KVM_EXIT_IO_OUT
    uint8_t size;          // bytes per access: 1, 2 or 4
    uint16_t port;
    uint32_t count;        // number of accesses (string I/O repeats)
    uint64_t data_offset;  // offset of the data from the start of struct kvm_run
};

/// Reads run->io.
struct ckvm_io_exit ckvm_run_io(const struct kvm_run *_Nonnull run);
/// Reads run->fail_entry.hardware_entry_failure_reason (KVM_EXIT_FAIL_ENTRY).
uint64_t ckvm_run_fail_entry_reason(const struct kvm_run *_Nonnull run);
/// Reads run->internal.suberror (KVM_EXIT_INTERNAL_ERROR).
uint32_t ckvm_run_internal_suberror(const struct kvm_run *_Nonnull run);
/// Reads run->mmio.phys_addr (KVM_EXIT_MMIO).
uint64_t ckvm_run_mmio_address(const struct kvm_run *_Nonnull run);

#endif
