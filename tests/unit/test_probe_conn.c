/*
 * test_probe_conn.c - a probe's connection (probe_conn.h) against the
 * scripted fake server: refused, silent, lines (split, too long, after
 * the buffer), exact reads, writes, Unix sockets, TLS (self-signed
 * refused by default, accepted with tls_verify false or its CA, a wrong
 * name refused, a stalled handshake), a hung resolver abandoned at the
 * deadline, and no SIGPIPE writing to a closed server.
 *
 * No duration is bounded from above (timings belong to bench/): what
 * timed out returned at its deadline, not before, with the deadline in
 * its error (timed_out_at); what must not wait says why it stopped.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include "fake_server.h"
#include "monotonic.h"
#include "probe_conn.h"
#include "test_cert.h"
#include "ut_probe.h"
#include "unit_util.h"

#define STR(s) ((char *)(s))

static struct config_probe_endpoint endpoint(const char *host, uint16_t port)
{
    struct config_probe_endpoint ep = {
        .address = STR("test"), .host = STR(host), .port = port, .unix_path = STR(""),
        .tls = CONFIG_TLS_NONE, .tls_verify = 1, .tls_ca = STR(""), .tls_name = STR(""),
        .credentials = STR(""), .user = STR(""), .password = STR(""),
    };
    return ep;
}

static struct config_probe_endpoint endpoint_of(fake_server *fs)
{
    return endpoint("127.0.0.1", fake_server_port(fs));
}

/* When the last open_ep() started to connect (after its TLS settings
 * were made: loading the CA store is not part of the time). */
static int64_t open_start;

/* Open @p ep (TLS settings made here), within @p ms. */
static probe_conn *open_ep(const struct config_probe_endpoint *ep, probe_tls **tls,
                           struct probe_check *check, int ms)
{
    char err[256] = "";
    memset(check, 0, sizeof *check);
    *tls = probe_tls_new(ep, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(*tls);
    if (!*tls) {
        fprintf(stderr, "probe_tls_new: %s\n", err);
        return NULL;
    }
    open_start = monotonic_ms();
    return probe_conn_open(ep, *tls, open_start + ms, check);
}

/*
 * Did a call that returned with the error @p err time out at
 * @p deadline_ms, given @p ms from open_start?  @p err is exactly
 * "PREFIXtimed out after N ms", N (the deadline less the connection's
 * start) at most @p ms, and the deadline has passed (checked right after
 * the call: it did not give up before).  When not, prints @p err.
 */
static int timed_out_at(const char *err, const char *prefix, int64_t deadline_ms, int ms)
{
    int past = monotonic_ms() >= deadline_ms;
    char want[96];
    int n = snprintf(want, sizeof want, "%stimed out after ", prefix);
    int same = n > 0 && (size_t)n < sizeof want && strncmp(err, want, (size_t)n) == 0;
    if (same) {
        char *end = NULL;
        long got = strtol(err + n, &end, 10);
        same = end != err + n && strcmp(end, " ms") == 0 && got <= ms;
    }
    if (!same || !past)
        fprintf(stderr, "\n    \"%s\": want \"%sN ms\" with N <= %d, at the deadline (%s)\n",
                err, want, ms, past ? "it was" : "it was not");
    return same && past;
}

/* One connection to a fake server: the fake, the endpoint the probe
 * opens, its TLS settings, the connection and what opening it found. */
struct session {
    fake_server *fs;
    struct config_probe_endpoint ep;
    probe_tls *tls;
    probe_conn *c;
    struct probe_check check;
};

/* Start a fake playing @p script (with the test certificate when
 * @p with_cert) and aim s->ep at it. */
static void serve(struct session *s, const struct fake_action *script, int with_cert)
{
    memset(s, 0, sizeof *s);
    s->fs = fake_server_start(script, NULL, with_cert ? ut_probe_cert.cert : NULL,
                              with_cert ? ut_probe_cert.key : NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->fs);
    s->ep = endpoint_of(s->fs);
}

/* Open s->ep within @p ms: the connection, or NULL. */
static probe_conn *session_open(struct session *s, int ms)
{
    s->c = open_ep(&s->ep, &s->tls, &s->check, ms);
    return s->c;
}

/* serve() @p script without TLS and open a connection to it within
 * @p ms, which must succeed: the connection. */
static probe_conn *serve_open(struct session *s, const struct fake_action *script, int ms)
{
    serve(s, script, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(session_open(s, ms));
    return s->c;
}

/* Close the connection and free its TLS settings; the fake plays on. */
static void session_close(struct session *s)
{
    probe_conn_close(s->c);
    probe_tls_free(s->tls);
    s->c = NULL;
    s->tls = NULL;
}

/* Close, and stop the fake. */
static void session_end(struct session *s)
{
    session_close(s);
    fake_server_stop(s->fs);
    s->fs = NULL;
}

static void test_refused(void)
{
    uint16_t port = fake_server_closed_port();
    CU_ASSERT_NOT_EQUAL_FATAL(port, 0);
    struct session s = {.ep = endpoint("127.0.0.1", port)};
    CU_ASSERT_PTR_NULL(session_open(&s, 1000));
    CU_ASSERT_STRING_EQUAL(s.check.error, "connect: Connection refused");
    CU_ASSERT_EQUAL(s.check.n_steps, 0);
    CU_ASSERT_EQUAL(s.check.ok, 0);
    session_close(&s);
}

static void test_silent_times_out(void)
{
    static const struct fake_action script[] = {FAKE_SILENT, FAKE_END};
    struct session s;
    serve_open(&s, script, 300);
    int64_t t0 = open_start;
    /* A numeric address: no "resolve" step. */
    CU_ASSERT_EQUAL(s.check.n_steps, 1);
    CU_ASSERT_STRING_EQUAL(s.check.steps[0].name, "connect");
    char line[64], err[128] = "";
    CU_ASSERT_EQUAL(probe_conn_read_line(s.c, line, sizeof line, t0 + 300, err, sizeof err), -1);
    CU_ASSERT(timed_out_at(err, "", t0 + 300, 300));
    session_end(&s);
}

static void test_lines_and_exact(void)
{
    static const struct fake_action script[] = {
        FAKE_SEND("one\r\ntw"), FAKE_SLEEP(50), FAKE_SEND("o\nabcdefthree"), FAKE_END};
    struct session s;
    probe_conn *c = serve_open(&s, script, 2000);
    int64_t d = monotonic_ms() + 2000;
    char line[64], err[128] = "", six[6];
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, d, err, sizeof err), 3);
    CU_ASSERT_STRING_EQUAL(line, "one");
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, d, err, sizeof err), 3);
    CU_ASSERT_STRING_EQUAL(line, "two");
    CU_ASSERT_EQUAL(probe_conn_read_exact(c, six, sizeof six, d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(memcmp(six, "abcdef", 6), 0);
    /* "three" has no end of line: the server closes first. */
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, d, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "connection closed by the server");
    session_end(&s);
}

static char long_line[20001];

static void test_line_too_long(void)
{
    /* 100 bytes and CRLF: fits 101 bytes of room exactly, not 100. */
    static char hundred[103];
    memset(hundred, 'a', 100);
    memcpy(hundred + 100, "\r\n", 3);
    static const struct fake_action script[] = {FAKE_SEND(hundred), FAKE_SEND(hundred),
                                                FAKE_SLEEP(2000), FAKE_END};
    struct session s;
    probe_conn *c = serve_open(&s, script, 2000);
    int64_t d = monotonic_ms() + 1000;
    char line[200], err[128] = "";
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, 101, d, err, sizeof err), 100);
    CU_ASSERT_EQUAL(strlen(line), 100);
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, 100, d, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "line too long (more than 99 bytes)");
    session_end(&s);

    /* Longer than the connection's buffer, with a bigger line buffer:
     * refused at once, not after the deadline (the server stays silent:
     * a read that waited for more would end "timed out"). */
    memset(long_line, 'b', sizeof long_line - 1);
    static const struct fake_action script2[] = {FAKE_SEND(long_line), FAKE_SILENT, FAKE_END};
    c = serve_open(&s, script2, 2000);
    char *big = malloc(30000);
    UT_REQUIRE(big);
    CU_ASSERT_EQUAL(probe_conn_read_line(c, big, 30000, monotonic_ms() + 2000, err, sizeof err),
                    -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "line too long"));
    free(big);
    session_end(&s);

    /* Longer than the line buffer and no end yet (the server then says
     * nothing): refused as soon as it cannot fit, not at the deadline
     * (which would be "timed out"). */
    static char two_hundred[201];
    memset(two_hundred, 'c', 200);
    static const struct fake_action script3[] = {FAKE_SEND(two_hundred), FAKE_SILENT, FAKE_END};
    c = serve_open(&s, script3, 2000);
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, 100, monotonic_ms() + 2000, err, sizeof err),
                    -1);
    CU_ASSERT_STRING_EQUAL(err, "line too long (more than 99 bytes)");
    session_end(&s);
}

static void test_write_recorded(void)
{
    static const struct fake_action script[] = {FAKE_EXPECT("HELLO there"), FAKE_SEND("ok\r\n"),
                                                FAKE_END};
    struct session s;
    probe_conn *c = serve_open(&s, script, 2000);
    int64_t d = monotonic_ms() + 2000;
    char line[64], err[128] = "";
    CU_ASSERT_EQUAL(probe_conn_write(c, "HELLO there\r\n", 13, d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, d, err, sizeof err), 2);
    CU_ASSERT_STRING_EQUAL(line, "ok");
    session_close(&s);
    char *got = fake_server_received(s.fs);
    CU_ASSERT_STRING_EQUAL(got, "HELLO there\r\n");
    free(got);
    CU_ASSERT_EQUAL(fake_server_mismatches(s.fs), 0);
    session_end(&s);
}

static void test_unix_socket(void)
{
    static const struct fake_action script[] = {FAKE_SEND("* OK unix\r\n"), FAKE_END};
    char dir[64], path[96];
    ut_make_dir(dir, sizeof dir, "probe");
    snprintf(path, sizeof path, "%s/sock", dir);
    struct session s = {.ep = endpoint("", 0)};
    s.ep.unix_path = path;
    s.fs = fake_server_start(script, path, NULL, NULL);
    UT_REQUIRE(s.fs);
    probe_conn *c = session_open(&s, 2000);
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(s.check.n_steps, 1);
    CU_ASSERT_STRING_EQUAL(s.check.steps[0].name, "connect");
    char line[64], err[128] = "";
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, monotonic_ms() + 2000, err,
                                         sizeof err), 9);
    CU_ASSERT_STRING_EQUAL(line, "* OK unix");
    session_end(&s);

    /* Nobody there. */
    memset(&s.check, 0, sizeof s.check);
    probe_tls *tls = probe_tls_new(&s.ep, line, sizeof line);
    CU_ASSERT_PTR_NULL(probe_conn_open(&s.ep, tls, monotonic_ms() + 1000, &s.check));
    CU_ASSERT_STRING_EQUAL(s.check.error, "connect: No such file or directory");
    probe_tls_free(tls);
    ut_remove_tree(dir);
}

static const struct fake_action tls_script[] = {FAKE_TLS, FAKE_SEND("hi\r\n"), FAKE_EXPECT("bye"),
                                                FAKE_SEND("ciao\r\n"), FAKE_END};

static void test_tls_self_signed_refused(void)
{
    struct session s;
    serve(&s, tls_script, 1);
    s.ep.tls = CONFIG_TLS_IMPLICIT;
    CU_ASSERT_PTR_NULL(session_open(&s, 2000));
    /* "self-signed certificate" (OpenSSL 3), "self signed" (1.1.1). */
    CU_ASSERT_PTR_NOT_NULL(strstr(s.check.error, "tls: certificate verify failed: self"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s.check.error, "signed certificate"));
    CU_ASSERT_EQUAL(s.check.n_steps, 1); /* connect, not tls */
    session_end(&s);
}

/* Talk through TLS to the fake: "hi", "bye", "ciao". */
static void tls_talk(probe_conn *c)
{
    int64_t d = monotonic_ms() + 2000;
    char line[64], err[128] = "";
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, d, err, sizeof err), 2);
    CU_ASSERT_STRING_EQUAL(line, "hi");
    CU_ASSERT_EQUAL(probe_conn_write(c, "bye\r\n", 5, d, err, sizeof err), 0);
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, d, err, sizeof err), 4);
    CU_ASSERT_STRING_EQUAL(line, "ciao");
}

static void test_tls_accepted(void)
{
    struct session s;
    serve(&s, tls_script, 1);

    /* tls_verify false: any certificate. */
    s.ep.tls = CONFIG_TLS_IMPLICIT;
    s.ep.tls_verify = 0;
    probe_conn *c = session_open(&s, 2000);
    CU_ASSERT_PTR_NOT_NULL(c);
    CU_ASSERT_STRING_EQUAL(s.check.error, "");
    CU_ASSERT_EQUAL_FATAL(s.check.n_steps, 2);
    CU_ASSERT_STRING_EQUAL(s.check.steps[1].name, "tls");
    if (c)
        tls_talk(c);
    session_close(&s);

    /* Verified against its own CA, by IP address (SAN 127.0.0.1). */
    s.ep.tls_verify = 1;
    s.ep.tls_ca = ut_probe_cert.cert;
    c = session_open(&s, 2000);
    CU_ASSERT_PTR_NOT_NULL(c);
    CU_ASSERT_STRING_EQUAL(s.check.error, "");
    if (c)
        tls_talk(c);
    session_close(&s);

    /* ... by name (SAN localhost) through tls_name. */
    s.ep.tls_name = STR("localhost");
    CU_ASSERT_PTR_NOT_NULL(session_open(&s, 2000));
    CU_ASSERT_STRING_EQUAL(s.check.error, "");
    session_close(&s);

    /* Right CA, wrong name. */
    s.ep.tls_name = STR("mail.example.org");
    CU_ASSERT_PTR_NULL(session_open(&s, 2000));
    CU_ASSERT_STRING_EQUAL(s.check.error, "tls: certificate verify failed: hostname mismatch");
    session_end(&s);
}

static void test_starttls(void)
{
    static const struct fake_action script[] = {
        FAKE_SEND("220 go ahead\r\n"), FAKE_TLS, FAKE_SEND("hi\r\n"), FAKE_EXPECT("bye"),
        FAKE_SEND("ciao\r\n"), FAKE_END};
    struct session s;
    serve(&s, script, 1);
    s.ep.tls = CONFIG_TLS_STARTTLS;
    s.ep.tls_ca = ut_probe_cert.cert;
    probe_conn *c = session_open(&s, 2000);
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(s.check.n_steps, 1); /* no "tls" step: the dialog upgrades */
    int64_t d = monotonic_ms() + 2000;
    char line[64], err[128] = "";
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, d, err, sizeof err), 12);
    CU_ASSERT_EQUAL(probe_conn_start_tls(c, d, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    tls_talk(c);
    session_end(&s);

    /* Bytes sent after the go-ahead, before the handshake: refused. */
    static const struct fake_action inject[] = {FAKE_SEND("220 go ahead\r\nEXTRA\r\n"),
                                                FAKE_SILENT, FAKE_END};
    serve(&s, inject, 1);
    s.ep.tls = CONFIG_TLS_STARTTLS;
    c = session_open(&s, 2000);
    UT_REQUIRE(c);
    d = monotonic_ms() + 2000;
    CU_ASSERT_EQUAL(probe_conn_read_line(c, line, sizeof line, d, err, sizeof err), 12);
    CU_ASSERT_EQUAL(probe_conn_start_tls(c, d, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "the server sent data before the TLS handshake");
    session_close(&s);

    /* tls: none never upgrades. */
    s.ep.tls = CONFIG_TLS_NONE;
    c = session_open(&s, 2000);
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(probe_conn_start_tls(c, d, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "TLS is not configured for this target");
    session_end(&s);
}

static void test_tls_stall(void)
{
    static const struct fake_action script[] = {FAKE_TLS_STALL, FAKE_END};
    struct session s;
    serve(&s, script, 0);
    s.ep.tls = CONFIG_TLS_IMPLICIT;
    s.ep.tls_verify = 0;
    CU_ASSERT_PTR_NULL(session_open(&s, 400));
    CU_ASSERT(timed_out_at(s.check.error, "tls: ", open_start + 400, 400));
    /* The server did get a ClientHello (a TLS handshake record, 0x16). */
    char *got = fake_server_received(s.fs);
    CU_ASSERT_EQUAL(got[0], 0x16);
    free(got);
    session_end(&s);
}

/* A resolver that hangs until released (or, so that a connection that
 * waited for it would fail rather than hang, for 30 s: far longer than
 * the timeout that must abandon it), and one that knows one name. */
static pthread_mutex_t hang_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hang_cond = PTHREAD_COND_INITIALIZER;
static int hang_released;
static atomic_int hang_running;

static int hang_resolver(const char *host, const char *port, const struct addrinfo *hints,
                         struct addrinfo **out)
{
    (void)host, (void)port, (void)hints, (void)out;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    atomic_fetch_add(&hang_running, 1);
    pthread_mutex_lock(&hang_lock);
    int rc = 0;
    while (!hang_released && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&hang_cond, &hang_lock, &until);
    pthread_mutex_unlock(&hang_lock);
    atomic_fetch_sub(&hang_running, 1);
    return EAI_NONAME;
}

static int fake_name_resolver(const char *host, const char *port, const struct addrinfo *hints,
                              struct addrinfo **out)
{
    if (strcmp(host, "fake.test") != 0)
        return EAI_NONAME;
    return getaddrinfo("127.0.0.1", port, hints, out);
}

static void test_resolver_hangs(void)
{
    probe_set_resolver(hang_resolver);
    struct config_probe_endpoint ep = endpoint("hang.invalid", 25);
    probe_tls *tls;
    struct probe_check check;
    probe_conn *c = open_ep(&ep, &tls, &check, 300);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT(timed_out_at(check.error, "resolve: hang.invalid: ", open_start + 300, 300));
    CU_ASSERT_EQUAL(atomic_load(&hang_running), 1); /* abandoned, still hanging */
    probe_tls_free(tls);

    /* Released: the thread ends and frees what it shares (ASan/LSan). */
    pthread_mutex_lock(&hang_lock);
    hang_released = 1;
    pthread_cond_broadcast(&hang_cond);
    pthread_mutex_unlock(&hang_lock);
    for (int i = 0; i < 200 && atomic_load(&hang_running); i++)
        usleep(5000);
    CU_ASSERT_EQUAL(atomic_load(&hang_running), 0);
    usleep(20000); /* its last free, after the resolver returned */
    probe_set_resolver(NULL);
}

static void test_resolver_names(void)
{
    static const struct fake_action script[] = {FAKE_SEND("220 x\r\n"), FAKE_END};
    struct session s;
    serve(&s, script, 0);
    probe_set_resolver(fake_name_resolver);
    s.ep.host = STR("fake.test");
    CU_ASSERT_PTR_NOT_NULL(session_open(&s, 2000));
    CU_ASSERT_EQUAL_FATAL(s.check.n_steps, 2);
    CU_ASSERT_STRING_EQUAL(s.check.steps[0].name, "resolve");
    CU_ASSERT_STRING_EQUAL(s.check.steps[1].name, "connect");
    session_close(&s);

    s.ep.host = STR("nowhere.test");
    CU_ASSERT_PTR_NULL(session_open(&s, 2000));
    CU_ASSERT_PTR_NOT_NULL(strstr(s.check.error, "resolve: nowhere.test: "));
    CU_ASSERT_EQUAL(s.check.n_steps, 0);
    probe_set_resolver(NULL);
    session_end(&s);
}

/* Writing to a server that has closed: an error, never SIGPIPE (the
 * default action would end this program). */
static void write_until_error(probe_conn *c)
{
    static char block[65536];
    char err[128] = "";
    int rc = 0;
    int64_t d = monotonic_ms() + 3000;
    for (int i = 0; i < 200 && rc == 0; i++) {
        rc = probe_conn_write(c, block, sizeof block, d, err, sizeof err);
        usleep(2000);
    }
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT(err[0] != '\0');
}

static void test_no_sigpipe(void)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
    sigaction(SIGPIPE, &dfl, &old);
    static const struct fake_action plain[] = {FAKE_CLOSE};
    struct session s;
    serve_open(&s, plain, 2000);
    usleep(50000);
    write_until_error(s.c);
    session_end(&s);

    static const struct fake_action tls_close[] = {FAKE_TLS, FAKE_CLOSE};
    serve(&s, tls_close, 1);
    s.ep.tls = CONFIG_TLS_IMPLICIT;
    s.ep.tls_verify = 0;
    session_open(&s, 2000);
    UT_REQUIRE(s.c);
    usleep(50000);
    write_until_error(s.c);
    session_end(&s);
    sigaction(SIGPIPE, &old, NULL);
}

static void test_fail_and_steps(void)
{
    struct probe_check check;
    memset(&check, 0, sizeof check);
    check.ok = 1;
    probe_fail(&check, "greeting", "421 %s\x01\xff", "busy");
    CU_ASSERT_STRING_EQUAL(check.error, "greeting: 421 busy??");
    CU_ASSERT_EQUAL(check.ok, 0);
    /* A step that started 5 ms before the call: 5 ms, plus at most the
     * time the calls took (bracketed by the test's own readings). */
    int64_t before = monotonic_ms();
    for (int i = 0; i < PROBE_STEPS_MAX + 2; i++)
        probe_step_add(&check, "a-very-long-step-name", monotonic_ms() - 5);
    int64_t after = monotonic_ms();
    CU_ASSERT_EQUAL(check.n_steps, PROBE_STEPS_MAX);
    CU_ASSERT_STRING_EQUAL(check.steps[0].name, "a-very-long-ste");
    CU_ASSERT(check.steps[0].ms >= 5 && check.steps[0].ms <= after - before + 5);
}

static void test_tls_ca_unreadable(void)
{
    struct config_probe_endpoint ep = endpoint("127.0.0.1", 993);
    ep.tls = CONFIG_TLS_IMPLICIT;
    ep.tls_ca = STR("/nonexistent/ca.pem");
    char err[256] = "";
    CU_ASSERT_PTR_NULL(probe_tls_new(&ep, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "tls_ca: /nonexistent/ca.pem: cannot read the CA file"));
}

UT_MAIN("probe_conn",
        {"test certificate", ut_probe_cert_make},
        {"connection refused", test_refused},
        {"accept and silent: timed out", test_silent_times_out},
        {"lines split, exact reads, closed", test_lines_and_exact},
        {"line too long", test_line_too_long},
        {"write, recorded by the server", test_write_recorded},
        {"Unix-domain socket", test_unix_socket},
        {"TLS self-signed refused", test_tls_self_signed_refused},
        {"TLS accepted: no verify, CA, name", test_tls_accepted},
        {"STARTTLS upgrade, data before it", test_starttls},
        {"TLS handshake stalls", test_tls_stall},
        {"resolver hangs: abandoned", test_resolver_hangs},
        {"resolver: names, steps", test_resolver_names},
        {"no SIGPIPE, plain and TLS", test_no_sigpipe},
        {"probe_fail, probe_step_add", test_fail_and_steps},
        {"tls_ca unreadable", test_tls_ca_unreadable},
        {"remove certificate", ut_probe_cert_remove})
