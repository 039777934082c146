/*
 * systemd_notify.h - telling the service manager how a daemon is doing:
 * the sd_notify(3) protocol, written out instead of linked from
 * libsystemd.
 *
 * The protocol is one datagram per message on the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or a name in Linux's abstract namespace when it
 * starts with '@'); the message is "KEY=VALUE" assignments, one a line
 * (READY=1, STATUS=..., WATCHDOG=1, STOPPING=1).  The service manager
 * learns the sender from the socket's credentials.  systemd documents the
 * protocol as its stable interface and suggests exactly this for a daemon
 * that needs nothing else of libsystemd: libsystemd is optional in this
 * project (only `mtamon feed --journal` uses it) and mtamond must not
 * depend on it for four short messages.
 *
 * Each message is sent with sendto() to the address read at start (no
 * connected socket: a re-executed systemd binds its socket anew, and a
 * daemon that drops root sends as its new user, as libsystemd does), on a
 * SOCK_CLOEXEC socket, with MSG_NOSIGNAL.  A blocking send, as
 * libsystemd's: the service manager reads its socket at once.
 *
 * Nothing here reads or changes the environment: the caller passes the
 * variables' values (NULL when unset), so the parsing is tested on
 * strings and the caller decides when to unset them.
 */
#ifndef MTAMON_SYSTEMD_NOTIFY_H
#define MTAMON_SYSTEMD_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/** The notification socket of one daemon. */
struct systemd_notify {
    int fd;                       /**< -1: notifications are off */
    struct sockaddr_un addr;
    socklen_t addrlen;
    char name[sizeof ((struct sockaddr_un *)0)->sun_path + 1];
                                  /**< $NOTIFY_SOCKET as given, for messages */
};

/**
 * Parse @p value, the text of $NOTIFY_SOCKET: "/absolute/path" or
 * "@abstract-name" (at most 107 bytes after the '@'; a path at most 107
 * bytes).  Returns 0 with *@p addr and *@p len set, 1 when @p value is
 * NULL or empty (nobody listens: notifications off), or -1 with "NOTIFY_SOCKET
 * 'VALUE': what is wrong" in @p err (a relative path, a path or name too
 * long for sun_path, another kind of address such as "vsock:...").
 */
int systemd_notify_address(const char *value, struct sockaddr_un *addr,
                           socklen_t *len, char *err, size_t errlen);

/**
 * Prepare @p n to send to @p value ($NOTIFY_SOCKET; NULL or "" when
 * unset).  Returns 0 (n->fd is -1 when @p value is unset: every send is
 * then a no-op), or -1 with a message in @p err for an address that cannot
 * be used or a socket that cannot be made; n->fd is then -1 too, so @p n
 * is always safe to send on and to close.
 */
int systemd_notify_open(struct systemd_notify *n, const char *value,
                        char *err, size_t errlen);

/**
 * Send @p msg (assignments separated by '\n', e.g. "READY=1\nSTATUS=up")
 * as one datagram.  Returns 0 when it was sent or notifications are off,
 * -1 with "cannot notify the service manager at NAME: reason" in @p err.
 */
int systemd_notify_send(struct systemd_notify *n, const char *msg,
                        char *err, size_t errlen);

/** Close the socket (n->fd becomes -1); safe to call twice. */
void systemd_notify_close(struct systemd_notify *n);

/**
 * Whether the service manager expects WATCHDOG=1 from process @p self,
 * from the texts of $WATCHDOG_USEC (@p usec_value) and $WATCHDOG_PID
 * (@p pid_value), each NULL when unset.  It does when WATCHDOG_USEC is set
 * and WATCHDOG_PID is unset or @p self.  Returns 0 with *@p usec set to
 * the timeout in microseconds, or to 0 when no keep-alive is expected
 * (WATCHDOG_USEC unset or empty, or WATCHDOG_PID naming another process);
 * -1 with a message in @p err for a malformed value (not a decimal
 * number, 0, out of range) and *@p usec 0.
 */
int systemd_notify_watchdog_usec(const char *usec_value, const char *pid_value,
                                 pid_t self, uint64_t *usec, char *err,
                                 size_t errlen);

#endif /* MTAMON_SYSTEMD_NOTIFY_H */
