#include "ckvm.h"

#include <errno.h>
#include <sys/ioctl.h>

const unsigned long ckvm_request_get_api_version = KVM_GET_API_VERSION;
const unsigned long ckvm_request_check_extension = KVM_CHECK_EXTENSION;
const unsigned long ckvm_request_create_vm = KVM_CREATE_VM;
const unsigned long ckvm_request_get_vcpu_mmap_size = KVM_GET_VCPU_MMAP_SIZE;
const unsigned long ckvm_request_get_msr_feature_index_list = KVM_GET_MSR_FEATURE_INDEX_LIST;
const unsigned long ckvm_request_get_supported_cpuid = KVM_GET_SUPPORTED_CPUID;

const unsigned long ckvm_request_create_vcpu = KVM_CREATE_VCPU;
const unsigned long ckvm_request_set_user_memory_region = KVM_SET_USER_MEMORY_REGION;

const unsigned long ckvm_request_get_msrs = KVM_GET_MSRS;
const unsigned long ckvm_request_set_msrs = KVM_SET_MSRS;
const unsigned long ckvm_request_set_cpuid2 = KVM_SET_CPUID2;
const unsigned long ckvm_request_get_supported_hv_cpuid = KVM_GET_SUPPORTED_HV_CPUID;
const unsigned long ckvm_request_enable_cap = KVM_ENABLE_CAP;
const unsigned long ckvm_request_run = KVM_RUN;
const unsigned long ckvm_request_get_regs = KVM_GET_REGS;
const unsigned long ckvm_request_set_regs = KVM_SET_REGS;
const unsigned long ckvm_request_get_sregs = KVM_GET_SREGS;
const unsigned long ckvm_request_set_sregs = KVM_SET_SREGS;

int ckvm_ioctl(int fd, unsigned long request, uintptr_t argument) {
    int result = ioctl(fd, request, argument);
    return result < 0 ? -errno : result;
}

size_t ckvm_msr_list_size(uint32_t count) {
    return sizeof(struct kvm_msr_list) + (size_t)count * sizeof(uint32_t);
}

uint32_t *_Nonnull ckvm_msr_list_indices(struct kvm_msr_list *_Nonnull list) {
    return list->indices;
}

size_t ckvm_msrs_size(uint32_t count) {
    return sizeof(struct kvm_msrs) + (size_t)count * sizeof(struct kvm_msr_entry);
}

struct kvm_msr_entry *_Nonnull ckvm_msrs_entries(struct kvm_msrs *_Nonnull msrs) {
    return msrs->entries;
}

size_t ckvm_cpuid2_size(uint32_t count) {
    return sizeof(struct kvm_cpuid2) + (size_t)count * sizeof(struct kvm_cpuid_entry2);
}

struct kvm_cpuid_entry2 *_Nonnull ckvm_cpuid2_entries(struct kvm_cpuid2 *_Nonnull cpuid) {
    return cpuid->entries;
}

struct ckvm_io_exit ckvm_run_io(const struct kvm_run *_Nonnull run) {
    struct ckvm_io_exit io = {
        .direction = run->io.direction,
        .size = run->io.size,
        .port = run->io.port,
        .count = run->io.count,
        .data_offset = run->io.data_offset,
    };
    return io;
}

uint64_t ckvm_run_fail_entry_reason(const struct kvm_run *_Nonnull run) {
    return run->fail_entry.hardware_entry_failure_reason;
}

uint32_t ckvm_run_internal_suberror(const struct kvm_run *_Nonnull run) {
    return run->internal.suberror;
}

uint64_t ckvm_run_mmio_address(const struct kvm_run *_Nonnull run) {
    return run->mmio.phys_addr;
}
