/*
 * test_fake_server.c - the probe suites' scripted fake server itself:
 * it plays its script, records what the client sent, counts what did not
 * go as scripted, and stops at once even while a connection waits;
 * its accepts and ends take places in one order over every server.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fake_server.h"
#include "test_cert.h"
#include "unit_util.h"

static int tcp_client(uint16_t port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read until @p want bytes or end of file; the count read. */
static size_t read_all(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return len;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct fake_action dialog[] = {
    FAKE_SEND("220 hello\r\n"),
    FAKE_EXPECT("EHLO "),
    FAKE_SEND("250 ok\r\n"),
    FAKE_EXPECT("QUIT"),
    FAKE_SEND("221 bye\r\n"),
    FAKE_END,
};

static void test_script_played_and_recorded(void)
{
    fake_server *fs = fake_server_start(dialog, NULL, NULL, NULL);
    UT_REQUIRE(fs);
    CU_ASSERT_NOT_EQUAL(fake_server_port(fs), 0);
    int fd = tcp_client(fake_server_port(fs));
    CU_ASSERT_FATAL(fd >= 0);
    const char *says = "EHLO me\r\nQUIT\r\n";
    CU_ASSERT_EQUAL(write(fd, says, strlen(says)), (ssize_t)strlen(says));
    char buf[256];
    read_all(fd, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "220 hello\r\n250 ok\r\n221 bye\r\n");
    close(fd);
    char *got = fake_server_received(fs);
    CU_ASSERT_STRING_EQUAL(got, says);
    free(got);
    CU_ASSERT_EQUAL(fake_server_connections(fs), 1);
    CU_ASSERT_EQUAL(fake_server_completed(fs), 1);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);
}

static void test_mismatch_counted(void)
{
    fake_server *fs = fake_server_start(dialog, NULL, NULL, NULL);
    UT_REQUIRE(fs);
    int fd = tcp_client(fake_server_port(fs));
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "HELO me\r\n", 9), 9);
    char buf[256];
    read_all(fd, buf, sizeof buf); /* the server closes after the mismatch */
    CU_ASSERT_STRING_EQUAL(buf, "220 hello\r\n");
    close(fd);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 1);
    CU_ASSERT_EQUAL(fake_server_completed(fs), 0);
    fake_server_stop(fs);
}

static void test_silent_stops_at_once(void)
{
    static const struct fake_action silent[] = {FAKE_SILENT, FAKE_END};
    fake_server *fs = fake_server_start(silent, NULL, NULL, NULL);
    UT_REQUIRE(fs);
    int fd = tcp_client(fake_server_port(fs));
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "x\n", 2), 2);
    /* Wait until it has the bytes, i.e. it is inside SILENT. */
    char *got = NULL;
    for (int i = 0; i < 200; i++) {
        free(got);
        got = fake_server_received(fs);
        if (got && got[0])
            break;
        usleep(10000);
    }
    CU_ASSERT_STRING_EQUAL(got, "x\n");
    free(got);
    int64_t t0 = now_ms();
    fake_server_stop(fs);
    CU_ASSERT(now_ms() - t0 < 1000);
    close(fd);
}

static void test_sleep_and_unix_socket(void)
{
    static const struct fake_action slow[] = {FAKE_SLEEP(300), FAKE_SEND("late\n"), FAKE_END};
    char dir[64], path[96];
    ut_make_dir(dir, sizeof dir, "fake");
    snprintf(path, sizeof path, "%s/sock", dir);
    fake_server *fs = fake_server_start(slow, path, NULL, NULL);
    UT_REQUIRE(fs);
    CU_ASSERT_EQUAL(fake_server_port(fs), 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
    int64_t t0 = now_ms();
    char buf[64];
    read_all(fd, buf, sizeof buf);
    CU_ASSERT(now_ms() - t0 >= 290);
    CU_ASSERT_STRING_EQUAL(buf, "late\n");
    close(fd);
    fake_server_stop(fs);
    CU_ASSERT_EQUAL(access(path, F_OK), -1); /* the socket is removed */
    ut_remove_tree(dir);
}

/* @p get of @p fs once it is not 0 (or 2 s passed). */
static unsigned wait_set(fake_server *fs, unsigned (*get)(fake_server *))
{
    for (int i = 0; i < 200 && get(fs) == 0; i++)
        usleep(10000);
    return get(fs);
}

static void test_order_of_events(void)
{
    static const struct fake_action silent[] = {FAKE_SILENT, FAKE_END};
    fake_server *a = fake_server_start(silent, NULL, NULL, NULL);
    fake_server *b = fake_server_start(silent, NULL, NULL, NULL);
    UT_REQUIRE(a);
    UT_REQUIRE(b);
    CU_ASSERT_EQUAL(fake_server_accepted_at(a), 0);
    CU_ASSERT_EQUAL(fake_server_ended_at(a), 0);
    /* a's client comes, then b's; a's goes, then b's. */
    int fa = tcp_client(fake_server_port(a));
    CU_ASSERT_FATAL(fa >= 0);
    unsigned a_in = wait_set(a, fake_server_accepted_at);
    int fb = tcp_client(fake_server_port(b));
    CU_ASSERT_FATAL(fb >= 0);
    unsigned b_in = wait_set(b, fake_server_accepted_at);
    close(fa);
    unsigned a_out = wait_set(a, fake_server_ended_at);
    close(fb);
    unsigned b_out = wait_set(b, fake_server_ended_at);
    CU_ASSERT(a_in != 0 && a_in < b_in);
    CU_ASSERT(b_in < a_out);
    CU_ASSERT(a_out < b_out);
    CU_ASSERT_EQUAL(fake_server_completed(a), 1);
    CU_ASSERT_EQUAL(fake_server_completed(b), 1);
    fake_server_stop(a);
    fake_server_stop(b);
}

static void test_closed_port_refuses(void)
{
    uint16_t port = fake_server_closed_port();
    CU_ASSERT_NOT_EQUAL_FATAL(port, 0);
    CU_ASSERT_EQUAL(tcp_client(port), -1);
    CU_ASSERT_EQUAL(errno, ECONNREFUSED);
}

static void test_cert_files_made(void)
{
    struct test_cert tc;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(test_cert_make(&tc, err, sizeof err), 0);
    static const struct fake_action tls[] = {FAKE_TLS, FAKE_END};
    /* The server loads them (it returns NULL when it cannot). */
    fake_server *fs = fake_server_start(tls, NULL, tc.cert, tc.key);
    CU_ASSERT_PTR_NOT_NULL(fs);
    fake_server_stop(fs);
    CU_ASSERT_PTR_NULL(fake_server_start(tls, NULL, tc.key, tc.cert));
    test_cert_remove(&tc);
    CU_ASSERT_EQUAL(access(tc.cert, F_OK), -1);
}

UT_MAIN("fake_server",
        {"script played, bytes recorded", test_script_played_and_recorded},
        {"unexpected line counted", test_mismatch_counted},
        {"silent connection, stop at once", test_silent_stops_at_once},
        {"sleep, Unix socket", test_sleep_and_unix_socket},
        {"accepts and ends in one order", test_order_of_events},
        {"closed port refuses", test_closed_port_refuses},
        {"test certificate loads", test_cert_files_made})
