#ifndef CPU_AFFINITY_H
#define CPU_AFFINITY_H

// sched_setaffinity and cpu_set_t's macros are GNU extensions that Swift's Glibc module does not
// import; these wrappers expose what the load benchmark needs. The header includes nothing, so
// importing it changes no other declaration Swift sees.

/// Restricts the calling thread to the CPUs whose bits are set in `mask` (CPU 0 is bit 0).
/// Returns 0, or -1 with errno set. Threads and processes created afterwards inherit the mask.
int cpu_affinity_set_current_thread(unsigned long long mask);

/// The calling thread's allowed CPUs as a bit mask (CPUs 0-63), or 0 with errno set.
unsigned long long cpu_affinity_current_thread(void);

#endif
