/*
 * systemd_notify.c - the sd_notify(3) protocol (see systemd_notify.h).
 */
#include "systemd_notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parse_number.h"

int systemd_notify_address(const char *value, struct sockaddr_un *addr,
                           socklen_t *len, char *err, size_t errlen)
{
    if (!value || !value[0])
        return 1;
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    size_t n = strlen(value);
    if (value[0] == '@') {
        /* Abstract: a leading NUL, then the name without a terminator;
         * the address length says where it ends. */
        if (n == 1) {
            snprintf(err, errlen, "NOTIFY_SOCKET '%s': an abstract socket "
                                  "needs a name after '@'", value);
            return -1;
        }
        if (n > sizeof addr->sun_path) {
            snprintf(err, errlen, "NOTIFY_SOCKET '%.40s...': the name is "
                                  "longer than %zu bytes", value,
                     sizeof addr->sun_path - 1);
            return -1;
        }
        memcpy(addr->sun_path + 1, value + 1, n - 1);
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
        return 0;
    }
    if (value[0] != '/') {
        snprintf(err, errlen, "NOTIFY_SOCKET '%.60s': neither an absolute "
                              "path nor an abstract socket name ('@...')",
                 value);
        return -1;
    }
    if (n >= sizeof addr->sun_path) {
        snprintf(err, errlen, "NOTIFY_SOCKET '%.40s...': the path is longer "
                              "than %zu bytes", value,
                 sizeof addr->sun_path - 1);
        return -1;
    }
    memcpy(addr->sun_path, value, n + 1);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    return 0;
}

int systemd_notify_open(struct systemd_notify *n, const char *value,
                        char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    n->fd = -1;
    int rc = systemd_notify_address(value, &n->addr, &n->addrlen, err, errlen);
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    snprintf(n->name, sizeof n->name, "%s", value);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "cannot make a socket to notify the service "
                              "manager at %s: %s", n->name, strerror(errno));
        return -1;
    }
    n->fd = fd;
    return 0;
}

int systemd_notify_send(struct systemd_notify *n, const char *msg,
                        char *err, size_t errlen)
{
    if (n->fd < 0)
        return 0;
    size_t len = strlen(msg);
    ssize_t sent;
    do
        sent = sendto(n->fd, msg, len, MSG_NOSIGNAL,
                      (const struct sockaddr *)&n->addr, n->addrlen);
    while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        snprintf(err, errlen, "cannot notify the service manager at %s: %s",
                 n->name, strerror(errno));
        return -1;
    }
    if ((size_t)sent != len) {   /* a datagram goes whole or not at all */
        snprintf(err, errlen, "cannot notify the service manager at %s: "
                              "%zd of %zu bytes sent", n->name, sent, len);
        return -1;
    }
    return 0;
}

void systemd_notify_close(struct systemd_notify *n)
{
    if (n->fd >= 0)
        close(n->fd);
    n->fd = -1;
}

int systemd_notify_watchdog_usec(const char *usec_value, const char *pid_value,
                                 pid_t self, uint64_t *usec, char *err,
                                 size_t errlen)
{
    *usec = 0;
    if (!usec_value || !usec_value[0])
        return 0;
    uint64_t v = 0;
    /* UINT64_MAX is systemd's "infinity", never a timeout. */
    if (parse_number_uint(usec_value, 1, UINT64_MAX - 1, &v) != 0) {
        snprintf(err, errlen, "WATCHDOG_USEC '%.40s': not a number of "
                              "microseconds (1..%llu)", usec_value,
                 (unsigned long long)(UINT64_MAX - 1));
        return -1;
    }
    if (pid_value && pid_value[0]) {
        uint64_t pid = 0;
        if (parse_number_uint(pid_value, 1, INT32_MAX, &pid) != 0) {
            snprintf(err, errlen, "WATCHDOG_PID '%.40s': not a process id",
                     pid_value);
            return -1;
        }
        if ((pid_t)pid != self)
            return 0;   /* meant for another process of the service */
    }
    *usec = v;
    return 0;
}
