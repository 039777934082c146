/*
 * test_probe.c - whole checks (probe_new, probe_check) of the tcp and
 * http kinds against the scripted fake server, and how the results add
 * up (probe_result_add): refused, accept-and-silent within the timeout,
 * garbage and short status lines, 200 up, 503 down with its code, the
 * wrong status, a body cut short, slow, HTTPS refused / accepted /
 * stalled, a hung resolver that delays no other probe, a Unix socket.
 *
 * No check's duration is bounded here (timings belong to bench/): a
 * check that timed out is known by its error and the deadline it
 * reports (pf_timed_out), "not delayed" by what had finished while
 * what was still blocked.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_server.h"
#include "probe.h"
#include "probe_fixture.h"
#include "test_cert.h"
#include "ut_probe.h"
#include "unit_util.h"

#define STR(s) ((char *)(s))

static struct config_probe conf_of(enum config_probe_kind kind, uint16_t port)
{
    struct config_probe_endpoint ep = {
        .address = STR("test"), .host = STR("127.0.0.1"), .port = port, .unix_path = STR(""),
        .tls = CONFIG_TLS_NONE, .tls_verify = 1, .tls_ca = STR(""), .tls_name = STR(""),
        .credentials = STR(""), .user = STR(""), .password = STR(""),
    };
    struct config_probe c = {
        .name = STR("t"), .kind = kind, .server = ep, .interval_s = 60, .timeout_ms = 2000,
        .slow_ms = 0, .helo = STR(""), .http_path = STR("/"), .http_host = STR(""),
        .http_expect = 200, .ldap_search = STR(""), .mailbox = ep, .mail_from = STR(""),
        .mail_to = STR(""), .poll_ms = 1000,
    };
    return c;
}

/* One check of @p conf. */
static void check_once(const struct config_probe *conf, struct probe_check *out)
{
    char err[256] = "";
    probe *p = probe_new(conf, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(p);
    memset(out, 0, sizeof *out);
    if (!p) {
        fprintf(stderr, "probe_new: %s\n", err);
        snprintf(out->error, sizeof out->error, "probe_new failed");
        return;
    }
    probe_check(p, out);
    probe_free(p);
}

static void test_tcp_up_and_refused(void)
{
    static const struct fake_action script[] = {FAKE_SILENT, FAKE_END};
    fake_server *fs = fake_server_start(script, NULL, NULL, NULL);
    UT_REQUIRE(fs);
    struct config_probe conf = conf_of(CONFIG_PROBE_TCP, fake_server_port(fs));
    struct probe_check ck;
    check_once(&conf, &ck);
    UT_PROBE_EXPECT(&ck, 1, 0, "", NULL);
    CU_ASSERT_EQUAL(ck.n_steps, 1);
    CU_ASSERT_STRING_EQUAL(ck.steps[0].name, "connect");
    fake_server_stop(fs);

    conf.server.port = fake_server_closed_port();
    check_once(&conf, &ck);
    UT_PROBE_EXPECT(&ck, 0, 0, "connect: Connection refused", NULL);
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_result_add(&r, &ck, 0, 1000);
    CU_ASSERT_EQUAL(r.state, PROBE_DOWN);
    CU_ASSERT_STRING_EQUAL(r.last_error, "connect: Connection refused");
}

static void test_http_silent(void)
{
    static const struct fake_action script[] = {FAKE_SILENT, FAKE_END};
    fake_server *fs = fake_server_start(script, NULL, NULL, NULL);
    UT_REQUIRE(fs);
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, fake_server_port(fs));
    conf.timeout_ms = 500;
    struct probe_check ck;
    check_once(&conf, &ck);
    /* The server never closes: only the check's own deadline ended it. */
    UT_PROBE_EXPECT(&ck, 0, 0, NULL, NULL);
    CU_ASSERT(pf_timed_out(&ck, "request", conf.timeout_ms));
    CU_ASSERT_EQUAL(ck.n_steps, 1); /* connect */
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_result_add(&r, &ck, 0, 1000);
    CU_ASSERT_EQUAL(r.state, PROBE_DOWN);
    fake_server_stop(fs);
}

/* The request the probe sends, line by line. */
#define HTTP_REQUEST(path)                                              \
    FAKE_EXPECT("GET " path " HTTP/1.1\r\n"), FAKE_EXPECT("Host: "),    \
        FAKE_EXPECT("User-Agent: mtamon/"), FAKE_EXPECT("Accept: "),    \
        FAKE_EXPECT("Connection: close\r\n"), FAKE_EXPECT("\r\n")

/* Check an HTTP server answering @p answer; the fake is returned through
 * *@p fsp (stopped by the caller) when not NULL. */
static void http_check(const struct fake_action *script, struct config_probe *conf,
                       struct probe_check *ck, unsigned *mismatches, char **received)
{
    fake_server *fs = fake_server_start(script, NULL, NULL, NULL);
    UT_REQUIRE(fs);
    conf->server.port = fake_server_port(fs);
    check_once(conf, ck);
    if (mismatches)
        *mismatches = fake_server_mismatches(fs);
    if (received)
        *received = fake_server_received(fs);
    fake_server_stop(fs);
}

static void test_http_200(void)
{
    static const struct fake_action script[] = {
        HTTP_REQUEST("/health"),
        FAKE_SEND("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"),
        FAKE_SILENT, /* keeps the connection open: Content-Length ends the body */
        FAKE_END};
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, 0);
    conf.http_path = STR("/health");
    struct probe_check ck;
    unsigned mism = 99;
    char *got = NULL;
    http_check(script, &conf, &ck, &mism, &got);
    /* Up, so Content-Length ended the body: the server stays silent
     * after it, and a read until it closed would be "body: timed out". */
    UT_PROBE_EXPECT(&ck, 1, 0, "", NULL);
    CU_ASSERT_EQUAL(mism, 0);
    CU_ASSERT_EQUAL_FATAL(ck.n_steps, 3);
    CU_ASSERT_STRING_EQUAL(ck.steps[0].name, "connect");
    CU_ASSERT_STRING_EQUAL(ck.steps[1].name, "request");
    CU_ASSERT_STRING_EQUAL(ck.steps[2].name, "body");
    char host[64];
    snprintf(host, sizeof host, "\r\nHost: 127.0.0.1:%u\r\n", (unsigned)conf.server.port);
    CU_ASSERT_PTR_NOT_NULL(got && strstr(got, host));
    free(got);

    /* host_header replaces it; a body until the server closes. */
    static const struct fake_action until_close[] = {
        HTTP_REQUEST("/"), FAKE_SEND("HTTP/1.0 200 OK\r\n\r\nsome body\n"), FAKE_END};
    conf = conf_of(CONFIG_PROBE_HTTP, 0);
    conf.http_host = STR("www.example.org");
    http_check(until_close, &conf, &ck, &mism, &got);
    UT_PROBE_EXPECT(&ck, 1, 0, "", NULL);
    CU_ASSERT_EQUAL(mism, 0);
    CU_ASSERT_PTR_NOT_NULL(got && strstr(got, "\r\nHost: www.example.org\r\n"));
    free(got);
}

static void test_http_503_and_expect(void)
{
    static const struct fake_action unavailable[] = {
        HTTP_REQUEST("/"),
        FAKE_SEND("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"), FAKE_END};
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, 0);
    struct probe_check ck;
    http_check(unavailable, &conf, &ck, NULL, NULL);
    UT_PROBE_EXPECT(&ck, 0, 503, "request: 503 Service Unavailable (expected 200)", NULL);

    /* Expecting 503 makes it pass. */
    conf.http_expect = 503;
    http_check(unavailable, &conf, &ck, NULL, NULL);
    UT_PROBE_EXPECT(&ck, 1, 0, "", NULL);

    /* 200 where 301 is expected. */
    static const struct fake_action ok[] = {
        HTTP_REQUEST("/"), FAKE_SEND("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), FAKE_END};
    conf.http_expect = 301;
    http_check(ok, &conf, &ck, NULL, NULL);
    UT_PROBE_EXPECT(&ck, 0, 200, "request: 200 OK (expected 301)", NULL);
}

static void test_http_garbage(void)
{
    static const struct fake_action ssh[] = {
        FAKE_SEND("SSH-2.0-OpenSSH_9.2\r\n"), FAKE_SILENT, FAKE_END};
    static const struct fake_action short_status[] = {
        HTTP_REQUEST("/"), FAKE_SEND("HTTP/1.1 20\r\n\r\n"), FAKE_END};
    static const struct fake_action binary[] = {
        HTTP_REQUEST("/"), FAKE_SEND("HTTP/1.1 2\x01\x02\x03\r\n"), FAKE_END};
    static const struct fake_action four_digits[] = {
        HTTP_REQUEST("/"), FAKE_SEND("HTTP/1.1 2000 OK\r\n\r\n"), FAKE_END};
    static const struct fake_action closed[] = {HTTP_REQUEST("/"), FAKE_SEND("HTTP/1.1 200"),
                                                FAKE_END};
    static const struct {
        const struct fake_action *script;
        const char *error;
    } cases[] = {
        {ssh, "request: not an HTTP status line: \"SSH-2.0-OpenSSH_9.2\""},
        {short_status, "request: not an HTTP status line: \"HTTP/1.1 20\""},
        {binary, "request: not an HTTP status line: \"HTTP/1.1 2???\""},
        {four_digits, "request: not an HTTP status line: \"HTTP/1.1 2000 OK\""},
        {closed, "request: connection closed by the server"},
    };
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, 0);
    struct probe_check ck;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_check(cases[i].script, &conf, &ck, NULL, NULL);
        UT_PROBE_EXPECT(&ck, 0, 0, cases[i].error, NULL);
    }
}

static void test_http_body_short(void)
{
    static const struct fake_action cut[] = {
        HTTP_REQUEST("/"), FAKE_SEND("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello"),
        FAKE_END};
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, 0);
    struct probe_check ck;
    http_check(cut, &conf, &ck, NULL, NULL);
    UT_PROBE_EXPECT(&ck, 0, 0, "body: connection closed by the server after 5 of 100 bytes", NULL);
    CU_ASSERT_EQUAL(ck.n_steps, 2); /* connect, request */
}

static void test_slow(void)
{
    static const struct fake_action slow[] = {
        HTTP_REQUEST("/"), FAKE_SLEEP(300),
        FAKE_SEND("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), FAKE_END};
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, 0);
    conf.slow_ms = 100;
    struct probe_check ck;
    http_check(slow, &conf, &ck, NULL, NULL);
    UT_PROBE_EXPECT(&ck, 1, 0, "", NULL);
    CU_ASSERT(ck.total_ms >= 295);
    CU_ASSERT_EQUAL_FATAL(ck.n_steps, 3);
    CU_ASSERT(ck.steps[1].ms >= 295); /* the request step waited */
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_result_add(&r, &ck, conf.slow_ms, 1000);
    CU_ASSERT_EQUAL(r.state, PROBE_SLOW);
    CU_ASSERT_EQUAL(r.failures, 0);
    CU_ASSERT_EQUAL(r.last_success, 1000);
    /* The same check with no slow threshold, or a higher one, is up. */
    memset(&r, 0, sizeof r);
    probe_result_add(&r, &ck, 0, 1000);
    CU_ASSERT_EQUAL(r.state, PROBE_UP);
    probe_result_add(&r, &ck, 5000, 1001);
    CU_ASSERT_EQUAL(r.state, PROBE_UP);
}

static void test_result_add(void)
{
    struct probe_check up = {.ok = 1, .total_ms = 10};
    struct probe_check slow = {.ok = 1, .total_ms = 3000};
    struct probe_check down = {.ok = 0, .total_ms = 5, .reply_code = 421};
    snprintf(down.error, sizeof down.error, "greeting: 421 busy");
    struct probe_result r;
    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(r.state, PROBE_NOT_YET);

    probe_result_add(&r, &up, 2000, 100);
    CU_ASSERT_EQUAL(r.state, PROBE_UP);
    CU_ASSERT_EQUAL(r.last_change, 100);
    CU_ASSERT_EQUAL(r.last_success, 100);
    CU_ASSERT_EQUAL(r.last_failure, 0);
    CU_ASSERT_EQUAL(r.last_check, 100);

    probe_result_add(&r, &up, 2000, 160);
    CU_ASSERT_EQUAL(r.last_change, 100); /* no change */
    CU_ASSERT_EQUAL(r.last_success, 160);

    probe_result_add(&r, &down, 2000, 220);
    probe_result_add(&r, &down, 2000, 280);
    CU_ASSERT_EQUAL(r.state, PROBE_DOWN);
    CU_ASSERT_EQUAL(r.last_change, 220);
    CU_ASSERT_EQUAL(r.consecutive_failures, 2);
    CU_ASSERT_EQUAL(r.failures, 2);
    CU_ASSERT_EQUAL(r.checks, 4);
    CU_ASSERT_EQUAL(r.last_failure, 280);
    CU_ASSERT_EQUAL(r.last_success, 160);
    CU_ASSERT_STRING_EQUAL(r.last_error, "greeting: 421 busy");
    CU_ASSERT_EQUAL(r.last.reply_code, 421);

    probe_result_add(&r, &slow, 2000, 340);
    CU_ASSERT_EQUAL(r.state, PROBE_SLOW);
    CU_ASSERT_EQUAL(r.last_change, 340);
    CU_ASSERT_EQUAL(r.consecutive_failures, 0);
    CU_ASSERT_EQUAL(r.failures, 2);
    CU_ASSERT_EQUAL(r.checks, 5);
    CU_ASSERT_EQUAL(r.last_success, 340);
    CU_ASSERT_EQUAL(r.last_failure, 280);
    CU_ASSERT_STRING_EQUAL(r.last_error, "greeting: 421 busy"); /* kept */
    CU_ASSERT_EQUAL(r.last.total_ms, 3000);

    probe_result_add(&r, &up, 2000, 400);
    CU_ASSERT_EQUAL(r.state, PROBE_UP);
    CU_ASSERT_EQUAL(r.last_change, 400);
    probe_result_add(&r, &down, 2000, 460);
    CU_ASSERT_EQUAL(r.consecutive_failures, 1);
    CU_ASSERT_EQUAL(r.failures, 3);
    CU_ASSERT_EQUAL(r.checks, 7);
    CU_ASSERT_EQUAL(r.last_change, 460);
    CU_ASSERT_EQUAL(r.last_check, 460);
}

static void test_state_names(void)
{
    CU_ASSERT_STRING_EQUAL(probe_state_name(PROBE_NOT_YET), "notYet");
    CU_ASSERT_STRING_EQUAL(probe_state_name(PROBE_UP), "up");
    CU_ASSERT_STRING_EQUAL(probe_state_name(PROBE_SLOW), "slow");
    CU_ASSERT_STRING_EQUAL(probe_state_name(PROBE_DOWN), "down");
}

static void test_https(void)
{
    static const struct fake_action script[] = {
        FAKE_TLS, HTTP_REQUEST("/"),
        FAKE_SEND("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), FAKE_END};
    fake_server *fs = fake_server_start(script, NULL, ut_probe_cert.cert, ut_probe_cert.key);
    UT_REQUIRE(fs);
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, fake_server_port(fs));
    conf.server.tls = CONFIG_TLS_IMPLICIT;
    struct probe_check ck;
    check_once(&conf, &ck);
    UT_PROBE_EXPECT(&ck, 0, 0, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(ck.error, "tls: certificate verify failed: self"));
    /* The fake's handshake failed too (the probe sent an alert): wait
     * until it has counted that, so the next connection starts clean. */
    for (int i = 0; i < 100 && fake_server_mismatches(fs) < 1; i++)
        usleep(10000);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 1);

    conf.server.tls_verify = 0;
    check_once(&conf, &ck);
    UT_PROBE_EXPECT(&ck, 1, 0, "", NULL);
    CU_ASSERT_EQUAL_FATAL(ck.n_steps, 4);
    CU_ASSERT_STRING_EQUAL(ck.steps[1].name, "tls");
    /* Wait for the fake to finish that connection, then: no mismatch. */
    for (int i = 0; i < 100 && fake_server_completed(fs) < 1; i++)
        usleep(10000);
    CU_ASSERT_EQUAL(fake_server_completed(fs), 1);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 1);
    char *got = fake_server_received(fs);
    char host[64];
    snprintf(host, sizeof host, "Host: 127.0.0.1:%u\r\n", (unsigned)conf.server.port);
    CU_ASSERT_PTR_NOT_NULL(got && strstr(got, host));
    free(got);
    fake_server_stop(fs);

    static const struct fake_action stall[] = {FAKE_TLS_STALL, FAKE_END};
    fs = fake_server_start(stall, NULL, NULL, NULL);
    UT_REQUIRE(fs);
    conf.server.port = fake_server_port(fs);
    conf.timeout_ms = 400;
    check_once(&conf, &ck);
    CU_ASSERT(pf_timed_out(&ck, "tls", conf.timeout_ms));
    fake_server_stop(fs);
}

/* A resolver that hangs until the test releases it (or, so that an
 * engine that waited for it would fail rather than hang, for 30 s: far
 * longer than any check here that must abandon it). */
#define HANG_GIVE_UP_S 30
static pthread_mutex_t hang_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hang_cond = PTHREAD_COND_INITIALIZER; /* any change below */
static int hang_released, hang_running;

static int hang_resolver(const char *host, const char *port, const struct addrinfo *hints,
                         struct addrinfo **out)
{
    (void)host, (void)port, (void)hints, (void)out;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += HANG_GIVE_UP_S;
    pthread_mutex_lock(&hang_lock);
    hang_running++;
    pthread_cond_broadcast(&hang_cond);
    int rc = 0;
    while (!hang_released && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&hang_cond, &hang_lock, &until);
    hang_running--;
    pthread_cond_broadcast(&hang_cond);
    pthread_mutex_unlock(&hang_lock);
    return EAI_AGAIN;
}

/* A check on a thread of its own; done (under hang_lock) once it returned. */
struct side_check {
    const struct config_probe *conf;
    struct probe_check ck;
    int done;
};

static void *side_thread(void *arg)
{
    struct side_check *s = arg;
    char err[256] = "";
    probe *p = probe_new(s->conf, err, sizeof err);
    if (p) {
        probe_check(p, &s->ck);
        probe_free(p);
    } else {
        snprintf(s->ck.error, sizeof s->ck.error, "probe_new: %s", err);
    }
    pthread_mutex_lock(&hang_lock);
    s->done = 1;
    pthread_cond_broadcast(&hang_cond);
    pthread_mutex_unlock(&hang_lock);
    return NULL;
}

/* Wait until @p n resolvers hang, or until @p s (when not NULL) has
 * returned; the number hanging then. */
static int hang_wait(int n, const struct side_check *s)
{
    pthread_mutex_lock(&hang_lock);
    while (hang_running != n && !(s && s->done))
        pthread_cond_wait(&hang_cond, &hang_lock);
    int running = hang_running;
    pthread_mutex_unlock(&hang_lock);
    return running;
}

static void hang_release(int released)
{
    pthread_mutex_lock(&hang_lock);
    hang_released = released;
    pthread_cond_broadcast(&hang_cond);
    pthread_mutex_unlock(&hang_lock);
}

static void test_resolver_hangs(void)
{
    static const struct fake_action script[] = {
        HTTP_REQUEST("/"), FAKE_SEND("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), FAKE_END};
    fake_server *fs = fake_server_start(script, NULL, NULL, NULL);
    UT_REQUIRE(fs);
    probe_set_resolver(hang_resolver);
    struct config_probe hung = conf_of(CONFIG_PROBE_HTTP, 25);
    hung.server.host = STR("hang.invalid");
    struct config_probe other = conf_of(CONFIG_PROBE_HTTP, fake_server_port(fs));

    /* While a's check hangs in its resolver, b's runs to its end: b is
     * up while a has not returned and its resolver is still blocked (a's
     * deadline is 20 s away; the resolver holds until released). */
    hung.timeout_ms = 20000;
    struct side_check a = {.conf = &hung}, b = {.conf = &other};
    pthread_t ta;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&ta, NULL, side_thread, &a), 0);
    CU_ASSERT_EQUAL(hang_wait(1, &a), 1); /* a is inside the resolver */
    side_thread(&b);
    CU_ASSERT_EQUAL(b.ck.ok, 1);
    CU_ASSERT_STRING_EQUAL(b.ck.error, "");
    pthread_mutex_lock(&hang_lock);
    CU_ASSERT_EQUAL(a.done, 0);
    CU_ASSERT_EQUAL(hang_running, 1);
    pthread_mutex_unlock(&hang_lock);
    /* Released before the deadline: a goes on with what it said. */
    hang_release(1);
    pthread_join(ta, NULL);
    char want[PROBE_ERROR_MAX];
    snprintf(want, sizeof want, "resolve: hang.invalid: %s", gai_strerror(EAI_AGAIN));
    CU_ASSERT_STRING_EQUAL(a.ck.error, want);
    CU_ASSERT_EQUAL(hang_wait(0, NULL), 0);
    hang_release(0);

    /* Still hanging at the deadline, the resolver is abandoned: the check
     * returns timed out while the resolver is blocked. */
    hung.timeout_ms = 600;
    struct side_check c = {.conf = &hung};
    side_thread(&c);
    CU_ASSERT(pf_timed_out(&c.ck, "resolve: hang.invalid", hung.timeout_ms));
    CU_ASSERT_EQUAL(c.ck.n_steps, 0);
    pthread_mutex_lock(&hang_lock);
    CU_ASSERT_EQUAL(hang_running, 1); /* abandoned, still in the resolver */
    pthread_mutex_unlock(&hang_lock);
    hang_release(1);
    CU_ASSERT_EQUAL(hang_wait(0, NULL), 0);
    usleep(20000); /* its last free, after the resolver returned */
    hang_release(0);
    probe_set_resolver(NULL);
    fake_server_stop(fs);
}

static void test_unix_http(void)
{
    static const struct fake_action script[] = {
        FAKE_EXPECT("GET /status HTTP/1.1"), FAKE_EXPECT("Host: localhost\r\n"),
        FAKE_EXPECT("User-Agent: "), FAKE_EXPECT("Accept: "), FAKE_EXPECT("Connection: close"),
        FAKE_EXPECT("\r\n"), FAKE_SEND("HTTP/1.1 200 OK\r\n\r\n"), FAKE_END};
    char dir[64], path[96];
    ut_make_dir(dir, sizeof dir, "probe");
    snprintf(path, sizeof path, "%s/http.sock", dir);
    fake_server *fs = fake_server_start(script, path, NULL, NULL);
    UT_REQUIRE(fs);
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, 0);
    conf.server.host = STR("");
    conf.server.unix_path = path;
    conf.http_path = STR("/status");
    struct probe_check ck;
    check_once(&conf, &ck);
    UT_PROBE_EXPECT(&ck, 1, 0, "", NULL);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);
    ut_remove_tree(dir);
}

static void test_probe_new_bad_ca(void)
{
    struct config_probe conf = conf_of(CONFIG_PROBE_HTTP, 443);
    conf.server.tls = CONFIG_TLS_IMPLICIT;
    conf.server.tls_ca = STR("/nonexistent/ca.pem");
    char err[256] = "";
    CU_ASSERT_PTR_NULL(probe_new(&conf, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "probe t: tls_ca: /nonexistent/ca.pem: cannot read"));
}

UT_MAIN("probe",
        {"test certificate", ut_probe_cert_make},
        {"tcp up, refused", test_tcp_up_and_refused},
        {"http accept and silent", test_http_silent},
        {"http 200, Host header", test_http_200},
        {"http 503, expect", test_http_503_and_expect},
        {"http garbage status lines", test_http_garbage},
        {"http body cut short", test_http_body_short},
        {"slow", test_slow},
        {"result add-up", test_result_add},
        {"state names", test_state_names},
        {"https: refused, accepted, stalled", test_https},
        {"hung resolver delays no other probe", test_resolver_hangs},
        {"http over a Unix socket", test_unix_http},
        {"probe_new: unreadable CA", test_probe_new_bad_ca},
        {"remove certificate", ut_probe_cert_remove})
