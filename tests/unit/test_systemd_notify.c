/*
 * test_systemd_notify.c - the sd_notify(3) protocol of
 * src/common/systemd_notify.c: $NOTIFY_SOCKET's forms and its refusals,
 * datagrams received whole on real path and abstract sockets, a socket
 * nobody listens on, and $WATCHDOG_USEC / $WATCHDOG_PID, well-formed and
 * malformed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit_util.h"
#include "systemd_notify.h"

/* A datagram socket bound to @p addr / @p len: the service manager's side. */
static int bind_receiver(const struct sockaddr_un *addr, socklen_t len)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL_FATAL(bind(fd, (const struct sockaddr *)addr, len), 0);
    return fd;
}

/* Receive one datagram (without waiting) and compare it with @p want. */
static void expect_datagram(int fd, const char *want)
{
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    CU_ASSERT_EQUAL(n, (ssize_t)strlen(want));
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    CU_ASSERT_STRING_EQUAL(buf, want);
}

static void expect_no_datagram(int fd)
{
    char buf[16];
    errno = 0;
    CU_ASSERT_EQUAL(recv(fd, buf, sizeof buf, MSG_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
}

static void test_address_forms(void)
{
    struct sockaddr_un a;
    socklen_t len = 0;
    char err[256] = "";
    size_t base = offsetof(struct sockaddr_un, sun_path);

    CU_ASSERT_EQUAL(systemd_notify_address(NULL, &a, &len, err, sizeof err), 1);
    CU_ASSERT_EQUAL(systemd_notify_address("", &a, &len, err, sizeof err), 1);

    CU_ASSERT_EQUAL(systemd_notify_address("/run/systemd/notify", &a, &len,
                                           err, sizeof err), 0);
    CU_ASSERT_EQUAL(a.sun_family, AF_UNIX);
    CU_ASSERT_STRING_EQUAL(a.sun_path, "/run/systemd/notify");
    CU_ASSERT_EQUAL(len, base + strlen("/run/systemd/notify") + 1);

    /* Abstract: NUL, then the name, and the length ends it. */
    CU_ASSERT_EQUAL(systemd_notify_address("@sd/x", &a, &len, err, sizeof err), 0);
    CU_ASSERT_EQUAL(a.sun_path[0], '\0');
    CU_ASSERT_EQUAL(memcmp(a.sun_path + 1, "sd/x", 4), 0);
    CU_ASSERT_EQUAL(len, base + 5);

    /* The longest that fit: 107 bytes of path (and its NUL), '@' and 107
     * bytes of name. */
    char longest[sizeof a.sun_path + 2];
    memset(longest, 'p', sizeof a.sun_path - 1);
    longest[0] = '/';
    longest[sizeof a.sun_path - 1] = '\0';
    CU_ASSERT_EQUAL(systemd_notify_address(longest, &a, &len, err, sizeof err), 0);
    longest[0] = '@';
    longest[sizeof a.sun_path - 1] = 'n';
    longest[sizeof a.sun_path] = '\0';
    CU_ASSERT_EQUAL(systemd_notify_address(longest, &a, &len, err, sizeof err), 0);
    CU_ASSERT_EQUAL(len, sizeof a);
}

static void expect_refused(const char *value, const char *why)
{
    struct sockaddr_un a;
    socklen_t len = 0;
    char err[256] = "";
    CU_ASSERT_EQUAL(systemd_notify_address(value, &a, &len, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "NOTIFY_SOCKET"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
    if (!strstr(err, why))
        fprintf(stderr, "\n    '%s': %s\n", value, err);

    /* open: refused the same way, and the handle is safe to use. */
    struct systemd_notify n;
    err[0] = '\0';
    CU_ASSERT_EQUAL(systemd_notify_open(&n, value, err, sizeof err), -1);
    CU_ASSERT_EQUAL(n.fd, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
    CU_ASSERT_EQUAL(systemd_notify_send(&n, "READY=1", err, sizeof err), 0);
    systemd_notify_close(&n);
}

static void test_address_refused(void)
{
    struct sockaddr_un a;
    char too_long[sizeof a.sun_path + 2];

    /* A path one byte too long for sun_path (no room for its NUL). */
    memset(too_long, 'p', sizeof a.sun_path);
    too_long[0] = '/';
    too_long[sizeof a.sun_path] = '\0';
    expect_refused(too_long, "the path is longer than 107 bytes");
    /* An abstract name one byte too long. */
    memset(too_long, 'n', sizeof a.sun_path + 1);
    too_long[0] = '@';
    too_long[sizeof a.sun_path + 1] = '\0';
    expect_refused(too_long, "the name is longer than 107 bytes");

    expect_refused("@", "needs a name after '@'");
    expect_refused("run/systemd/notify", "neither an absolute path");
    expect_refused("vsock:2:1234", "neither an absolute path");
    expect_refused(" /run/systemd/notify", "neither an absolute path");
}

static void test_unset_is_noop(void)
{
    struct systemd_notify n;
    char err[256] = "untouched";
    CU_ASSERT_EQUAL(systemd_notify_open(&n, NULL, err, sizeof err), 0);
    CU_ASSERT_EQUAL(n.fd, -1);
    CU_ASSERT_EQUAL(systemd_notify_send(&n, "READY=1", err, sizeof err), 0);
    systemd_notify_close(&n);
    CU_ASSERT_EQUAL(systemd_notify_open(&n, "", err, sizeof err), 0);
    CU_ASSERT_EQUAL(n.fd, -1);
    CU_ASSERT_EQUAL(systemd_notify_send(&n, "STOPPING=1", err, sizeof err), 0);
    systemd_notify_close(&n);
    systemd_notify_close(&n);   /* twice is fine */
    CU_ASSERT_STRING_EQUAL(err, "untouched");
}

/* Send three messages to @p value and receive them whole, in order, on
 * @p rx. */
static void send_and_receive(const char *value, int rx)
{
    struct systemd_notify n;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(systemd_notify_open(&n, value, err, sizeof err), 0);
    CU_ASSERT(n.fd >= 0);
    CU_ASSERT_STRING_EQUAL(n.name, value);
    /* close-on-exec: an alarm's mail command must not inherit it. */
    CU_ASSERT(fcntl(n.fd, F_GETFD) & FD_CLOEXEC);

    CU_ASSERT_EQUAL(systemd_notify_send(&n, "READY=1\nSTATUS=registered with x",
                                        err, sizeof err), 0);
    CU_ASSERT_EQUAL(systemd_notify_send(&n, "WATCHDOG=1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(systemd_notify_send(&n, "STOPPING=1", err, sizeof err), 0);
    expect_datagram(rx, "READY=1\nSTATUS=registered with x");
    expect_datagram(rx, "WATCHDOG=1");
    expect_datagram(rx, "STOPPING=1");
    expect_no_datagram(rx);
    systemd_notify_close(&n);
    CU_ASSERT_EQUAL(n.fd, -1);
}

/* A receiver bound at @p where (a path, or "@name" for an abstract
 * socket) to which a notification goes through: its descriptor. */
static int receiver_at(const char *where)
{
    struct sockaddr_un a;
    socklen_t len;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(systemd_notify_address(where, &a, &len, err, sizeof err), 0);
    int rx = bind_receiver(&a, len);
    send_and_receive(where, rx);
    return rx;
}

static void test_path_socket(void)
{
    char dir[256], path[300];
    ut_make_dir(dir, sizeof dir, "notify");
    snprintf(path, sizeof path, "%s/notify", dir);
    close(receiver_at(path));

    /* Nobody listens any more: the send fails and says where. */
    struct systemd_notify n;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(systemd_notify_open(&n, path, err, sizeof err), 0);
    unlink(path);
    err[0] = '\0';
    CU_ASSERT_EQUAL(systemd_notify_send(&n, "READY=1", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot notify the service manager at "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, strerror(ENOENT)));
    systemd_notify_close(&n);
    ut_remove_tree(dir);
}

static void test_abstract_socket(void)
{
    char name[64];
    snprintf(name, sizeof name, "@mtamon-ut-notify-%ld", (long)getpid());
    int rx = receiver_at(name);

    /* The length matters: a name that is a prefix of ours is another
     * socket, and nobody listens there. */
    name[strlen(name) - 1] = '\0';
    struct systemd_notify n;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(systemd_notify_open(&n, name, err, sizeof err), 0);
    CU_ASSERT_EQUAL(systemd_notify_send(&n, "READY=1", err, sizeof err), -1);
    expect_no_datagram(rx);
    systemd_notify_close(&n);
    close(rx);
}

static void expect_watchdog(const char *usec, const char *pid, pid_t self,
                            int want_rc, uint64_t want_usec)
{
    uint64_t got = 12345;
    char err[256] = "";
    int rc = systemd_notify_watchdog_usec(usec, pid, self, &got, err, sizeof err);
    CU_ASSERT_EQUAL(rc, want_rc);
    CU_ASSERT_EQUAL(got, want_usec);
    if (rc != want_rc || got != want_usec)
        fprintf(stderr, "\n    WATCHDOG_USEC '%s' WATCHDOG_PID '%s': rc %d, "
                        "%llu (%s)\n", usec ? usec : "(unset)",
                pid ? pid : "(unset)", rc, (unsigned long long)got, err);
    if (want_rc == -1)
        CU_ASSERT_PTR_NOT_NULL(strstr(err, pid && strstr(err, "PID")
                                               ? "WATCHDOG_PID" : "WATCHDOG_"));
}

static void test_watchdog_usec(void)
{
    pid_t self = 4242;
    /* Off: unset or empty. */
    expect_watchdog(NULL, NULL, self, 0, 0);
    expect_watchdog("", NULL, self, 0, 0);
    expect_watchdog(NULL, "4242", self, 0, 0);
    /* For us: no WATCHDOG_PID, or ours. */
    expect_watchdog("30000000", NULL, self, 0, 30000000);
    expect_watchdog("30000000", "", self, 0, 30000000);
    expect_watchdog("30000000", "4242", self, 0, 30000000);
    expect_watchdog("1", NULL, self, 0, 1);
    expect_watchdog("18446744073709551614", NULL, self, 0, UINT64_MAX - 1);
    /* For another process of the service. */
    expect_watchdog("30000000", "4243", self, 0, 0);
    expect_watchdog("30000000", "1", self, 0, 0);
}

static void test_watchdog_malformed(void)
{
    pid_t self = 4242;
    static const char *const bad_usec[] = {
        "0", "-1", "+5", " 5", "5 ", "5s", "30s", "1e6", "0x10", "3.5",
        "18446744073709551615",      /* systemd's infinity */
        "18446744073709551616",      /* past 64 bits */
        "99999999999999999999999", "abc", "\n",
    };
    for (size_t i = 0; i < sizeof bad_usec / sizeof bad_usec[0]; i++)
        expect_watchdog(bad_usec[i], NULL, self, -1, 0);
    static const char *const bad_pid[] = {
        "0", "-4242", "4242x", " 4242", "abc", "2147483648", "99999999999",
    };
    for (size_t i = 0; i < sizeof bad_pid / sizeof bad_pid[0]; i++)
        expect_watchdog("30000000", bad_pid[i], self, -1, 0);
}

UT_MAIN("systemd_notify",
        {"NOTIFY_SOCKET forms", test_address_forms},
        {"NOTIFY_SOCKET refused", test_address_refused},
        {"unset NOTIFY_SOCKET: no-op", test_unset_is_noop},
        {"path socket", test_path_socket},
        {"abstract socket", test_abstract_socket},
        {"WATCHDOG_USEC and WATCHDOG_PID", test_watchdog_usec},
        {"malformed WATCHDOG_USEC and WATCHDOG_PID", test_watchdog_malformed})
