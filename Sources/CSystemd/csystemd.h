#ifndef CSYSTEMD_H
#define CSYSTEMD_H

/*
 * The few libsystemd functions evmcsd uses, declared here instead of including
 * <systemd/sd-daemon.h> and <systemd/sd-journal.h>: those pull in <sys/socket.h>, which
 * makes SOCK_* constants vanish from other files of the importing module in release builds
 * (see SWIFT-NOTES). Prototypes as in systemd 252's headers.
 */

#include <stdint.h>

struct iovec;

int sd_notify(int unset_environment, const char *state);
int sd_listen_fds(int unset_environment);
int sd_watchdog_enabled(int unset_environment, uint64_t *usec);
int sd_journal_sendv(const struct iovec *iov, int n);

#endif
