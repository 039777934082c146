/*
 * test_probe_ldap.c - whole checks of the ldap kind (probe_new,
 * probe_check, so probe.c and probe_conn.c too) against a scripted LDAP
 * fake that speaks raw BER: anonymous bind and search up, a bind with
 * credentials (the exact request bytes), invalidCredentials (49),
 * noSuchObject (32), a search that finds nothing, StartTLS refused,
 * garbage, silence within the timeout, the server closing mid-reply, a
 * huge length, a reply for another messageID, a notice of disconnection,
 * long-form lengths and references on the way, plain text injected
 * after the StartTLS response.
 *
 * The fake is here, not in fake_server.c: that one is line-oriented
 * (NUL-terminated text, EXPECT reads a line), and LDAP is binary with
 * NUL bytes and no lines.  It frames what the client sends by its BER
 * header on its own (short or long form), without ber.c, so a framing
 * bug of the codec cannot hide itself here.
 *
 * The replies' bytes are derived as in test_ber.c (RFC 4511, X.690).
 * The dialog numbers its requests 1, 2, 3... (StartTLS first when asked).
 */
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ber.h"
#include "monotonic.h"
#include "probe.h"
#include "probe_fixture.h"
#include "ut_probe.h"
#include "unit_util.h"

#define STR(s) ((char *)(s))

/* ------------------------------------------------------------------------ */
/* The raw LDAP fake                                                         */

enum lf_kind {
    LF_END = 0,   /* read (recording) until the client closes, then close */
    LF_READ,      /* read one whole LDAPMessage (recorded) */
    LF_SEND,      /* send bytes */
    LF_SILENT,    /* read, send nothing, until the client closes or stop */
    LF_CLOSE,     /* close now */
};

struct lf_step {
    enum lf_kind kind;
    const void *bytes;
    size_t len;
};

#define LF_SEND_(a) {LF_SEND, (a), sizeof(a)}
#define LF_SENDS(s) {LF_SEND, (s), sizeof(s) - 1}

struct lfake {
    int lfd, stop[2];
    uint16_t port;
    pthread_t thread;
    const struct lf_step *script;
    pthread_mutex_t lock;
    uint8_t got[8192];     /* every message the client sent */
    size_t got_len;
    unsigned ops[16];      /* their protocolOp tags */
    size_t n_ops;
    unsigned bad_frames;   /* a message the fake could not frame */
    int done;              /* the script ended (under lock) */
};

/* The one fake of the running test (tests run one after another). */
static struct lfake fake;

/* Read exactly @p n bytes; 0, or -1 at EOF, error, stop or after 5 s. */
static int lf_read(struct lfake *f, int fd, uint8_t *buf, size_t n)
{
    while (n) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {f->stop[0], POLLIN, 0}};
        if (poll(p, 2, 5000) <= 0 || p[1].revents)
            return -1;
        ssize_t r = read(fd, buf, n);
        if (r <= 0)
            return -1;
        buf += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Read one LDAPMessage and record it; 0, or -1. */
static int lf_read_message(struct lfake *f, int fd)
{
    uint8_t m[4096];
    if (lf_read(f, fd, m, 2) < 0)
        return -1;
    size_t head = 2, len = m[1];
    if (m[1] & 0x80) {
        head += m[1] & 0x7fu;
        if (head > 6 || lf_read(f, fd, m + 2, head - 2) < 0)
            goto bad;
        len = 0;
        for (size_t i = 2; i < head; i++)
            len = len << 8 | m[i];
    }
    if (m[0] != 0x30 || len > sizeof m - head || lf_read(f, fd, m + head, len) < 0)
        goto bad;
    pthread_mutex_lock(&f->lock);
    if (f->got_len + head + len <= sizeof f->got) {
        memcpy(f->got + f->got_len, m, head + len);
        f->got_len += head + len;
    }
    /* The op follows the messageID (02 LL ...). */
    if (f->n_ops < 16 && len >= 3 && m[head] == 0x02 && head + 2 + m[head + 1] < head + len)
        f->ops[f->n_ops++] = m[head + 2 + m[head + 1]];
    pthread_mutex_unlock(&f->lock);
    return 0;
bad:
    pthread_mutex_lock(&f->lock);
    f->bad_frames++;
    pthread_mutex_unlock(&f->lock);
    return -1;
}

/* Play the script on connection @p fd. */
static void lf_run(struct lfake *f, int fd)
{
    for (const struct lf_step *s = f->script;; s++) {
        if (s->kind == LF_READ) {
            if (lf_read_message(f, fd) < 0)
                return;
        } else if (s->kind == LF_SEND) {
            if (send(fd, s->bytes, s->len, MSG_NOSIGNAL) != (ssize_t)s->len)
                return;
        } else if (s->kind == LF_SILENT) {
            uint8_t b;
            while (lf_read(f, fd, &b, 1) == 0)
                ;  /* take the requests, answer nothing */
            return;
        } else if (s->kind == LF_CLOSE) {
            return;
        } else { /* LF_END */
            while (lf_read_message(f, fd) == 0)
                ;
            return;
        }
    }
}

static void *lf_main(void *arg)
{
    struct lfake *f = arg;
    struct pollfd p[2] = {{f->lfd, POLLIN, 0}, {f->stop[0], POLLIN, 0}};
    if (poll(p, 2, 10000) <= 0 || p[1].revents)
        return NULL;
    int fd = accept(f->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    lf_run(f, fd);
    close(fd);
    pthread_mutex_lock(&f->lock);
    f->done = 1;
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

static struct lfake *lf_start(const struct lf_step *script)
{
    struct lfake *f = &fake;
    memset(f, 0, sizeof *f);
    f->script = script;
    pthread_mutex_init(&f->lock, NULL);
    CU_ASSERT_EQUAL_FATAL(pipe(f->stop), 0);
    f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    CU_ASSERT_FATAL(f->lfd >= 0 && bind(f->lfd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
                    listen(f->lfd, 4) == 0 &&
                    getsockname(f->lfd, (struct sockaddr *)&sa, &sl) == 0);
    f->port = ntohs(sa.sin_port);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&f->thread, NULL, lf_main, f), 0);
    return f;
}

static int lf_done(struct lfake *f)
{
    pthread_mutex_lock(&f->lock);
    int done = f->done;
    pthread_mutex_unlock(&f->lock);
    return done;
}

/* Wait (up to 2 s) for the fake to finish its script, reading what the
 * client sent last, then stop it.  What it recorded stays readable. */
static void lf_stop(struct lfake *f)
{
    int64_t until = monotonic_ms() + 2000;
    while (monotonic_ms() < until && !lf_done(f))
        usleep(10000);
    if (write(f->stop[1], "x", 1) < 0)
        perror("lf_stop");
    pthread_join(f->thread, NULL);
    close(f->lfd);
    close(f->stop[0]);
    close(f->stop[1]);
    pthread_mutex_destroy(&f->lock);
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */

/* A check of the server at 127.0.0.1 (the port set when it runs). */
static struct config_probe conf_of(const char *search)
{
    struct config_probe_endpoint ep = {
        .address = STR("test"), .host = STR("127.0.0.1"), .port = 0, .unix_path = STR(""),
        .tls = CONFIG_TLS_NONE, .tls_verify = 1, .tls_ca = STR(""), .tls_name = STR(""),
        .credentials = STR(""), .user = STR(""), .password = STR(""),
    };
    struct config_probe c = {
        .name = STR("ldap"), .kind = CONFIG_PROBE_LDAP, .server = ep, .interval_s = 60,
        .timeout_ms = 2000, .slow_ms = 0, .helo = STR(""), .http_path = STR("/"),
        .http_host = STR(""), .http_expect = 200, .ldap_search = STR(search), .mailbox = ep,
        .mail_from = STR(""), .mail_to = STR(""), .poll_ms = 1000,
    };
    return c;
}

static void check_once(const struct config_probe *conf, struct probe_check *out)
{
    char err[256] = "";
    probe *p = probe_new(conf, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    probe_check(p, out);
    probe_free(p);
}

/* One check of @p conf against a fake playing @p script (conf's port is
 * the fake's); the fake is stopped, what it recorded stays readable. */
static struct lfake *run_ldap(const struct lf_step *script, struct config_probe conf,
                              struct probe_check *ck)
{
    struct lfake *f = lf_start(script);
    conf.server.port = f->port;
    check_once(&conf, ck);
    lf_stop(f);
    return f;
}

/* The same against a fake that answers the first request with @p reply
 * (@p len bytes), then reads until the client closes. */
static struct lfake *run_reply(const void *reply, size_t len, struct config_probe conf,
                               struct probe_check *ck)
{
    const struct lf_step script[] = {{LF_READ, NULL, 0}, {LF_SEND, reply, len}, {LF_END, NULL, 0}};
    return run_ldap(script, conf, ck);
}

/* A check with no search whose bind is answered by @p reply fails with
 * @p error and no reply code. */
static void bind_reply_fails(const void *reply, size_t len, const char *error)
{
    struct probe_check ck;
    run_reply(reply, len, conf_of(""), &ck);
    UT_PROBE_EXPECT(&ck, 0, 0, error, NULL);
}

#define DN_PROBE "ou=probe,dc=example,dc=org"   /* 26 = 0x1a */

/* BindResponse success, id 1. */
static const uint8_t bind_ok_1[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a,
                                    0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
/* SearchResultEntry ou=probe,dc=example,dc=org, no attributes, id 2:
 * 64 1e: 28 + 2; 30 23: 3 + 2 + 30. */
static const uint8_t entry_2[] = {
    0x30, 0x23, 0x02, 0x01, 0x02, 0x64, 0x1e, 0x04, 0x1a,
    'o', 'u', '=', 'p', 'r', 'o', 'b', 'e', ',', 'd', 'c', '=', 'e', 'x', 'a',
    'm', 'p', 'l', 'e', ',', 'd', 'c', '=', 'o', 'r', 'g', 0x30, 0x00};
/* SearchResultDone success, id 2. */
static const uint8_t done_2[] = {0x30, 0x0c, 0x02, 0x01, 0x02, 0x65, 0x07, 0x0a,
                                 0x01, 0x00, 0x04, 0x00, 0x04, 0x00};

static void test_anonymous_search_up(void)
{
    static const struct lf_step script[] = {
        {LF_READ, NULL, 0}, LF_SEND_(bind_ok_1),
        {LF_READ, NULL, 0}, LF_SEND_(entry_2), LF_SEND_(done_2),
        {LF_END, NULL, 0}};
    struct probe_check ck;
    struct lfake *f = run_ldap(script, conf_of(DN_PROBE), &ck);
    UT_PROBE_EXPECT(&ck, 1, 0, "", "connect,bind,search");
    /* bindRequest, searchRequest, unbindRequest, nothing else. */
    CU_ASSERT_EQUAL(f->n_ops, 3);
    CU_ASSERT_EQUAL(f->ops[0], 0x60);
    CU_ASSERT_EQUAL(f->ops[1], 0x63);
    CU_ASSERT_EQUAL(f->ops[2], 0x42);
    CU_ASSERT_EQUAL(f->bad_frames, 0);
    /* The anonymous bind, byte for byte (test_ber.c derives it). */
    static const uint8_t anon[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02,
                                   0x01, 0x03, 0x04, 0x00, 0x80, 0x00};
    CU_ASSERT(f->got_len > sizeof anon && memcmp(f->got, anon, sizeof anon) == 0);
    /* The search: id 2, base DN_PROBE, timeLimit 2 (the 2 s timeout);
     * then the unbind, id 3. */
    uint8_t want[128];
    size_t len;
    char err[128];
    CU_ASSERT_EQUAL_FATAL(ber_encode_search(want, sizeof want, &len, 2, DN_PROBE, 2, err,
                                            sizeof err), 0);
    CU_ASSERT(f->got_len == sizeof anon + len + 7 &&
              memcmp(f->got + sizeof anon, want, len) == 0 &&
              memcmp(f->got + sizeof anon + len, "\x30\x05\x02\x01\x03\x42\x00", 7) == 0);
}

static void test_bind_only_with_credentials(void)
{
    struct config_probe conf = conf_of("");
    conf.server.user = STR("cn=probe,dc=example,dc=org");
    conf.server.password = STR("secret");
    struct probe_check ck;
    struct lfake *f = run_reply(bind_ok_1, sizeof bind_ok_1, conf, &ck);
    UT_PROBE_EXPECT(&ck, 1, 0, "", "connect,bind");
    /* test_ber.c's bind vector, with messageID 1, then the unbind (id 2). */
    static const uint8_t want[] = {
        0x30, 0x2c, 0x02, 0x01, 0x01, 0x60, 0x27, 0x02, 0x01, 0x03, 0x04, 0x1a,
        'c', 'n', '=', 'p', 'r', 'o', 'b', 'e', ',', 'd', 'c', '=', 'e', 'x', 'a',
        'm', 'p', 'l', 'e', ',', 'd', 'c', '=', 'o', 'r', 'g',
        0x80, 0x06, 's', 'e', 'c', 'r', 'e', 't',
        0x30, 0x05, 0x02, 0x01, 0x02, 0x42, 0x00};
    CU_ASSERT(f->got_len == sizeof want && memcmp(f->got, want, sizeof want) == 0);
}

static void test_bind_refused(void)
{
    /* invalidCredentials (49 = 0x31), diagnostic "invalid credentials"
     * (19 = 0x13): 61 1a: 3 + 2 + (2 + 19) = 26; 30 1f: 3 + 2 + 26 = 31. */
    static const uint8_t bind_49[] = {
        0x30, 0x1f, 0x02, 0x01, 0x01, 0x61, 0x1a, 0x0a, 0x01, 0x31, 0x04, 0x00, 0x04, 0x13,
        'i', 'n', 'v', 'a', 'l', 'i', 'd', ' ', 'c', 'r', 'e', 'd', 'e', 'n', 't', 'i', 'a',
        'l', 's'};
    struct config_probe conf = conf_of(DN_PROBE);
    conf.server.user = STR("cn=probe,dc=example,dc=org");
    conf.server.password = STR("wrong");
    struct probe_check ck;
    struct lfake *f = run_reply(bind_49, sizeof bind_49, conf, &ck);
    UT_PROBE_EXPECT(&ck, 0, 49, "bind: 49 invalidCredentials: invalid credentials", "connect");
    /* The session stood: the probe still said goodbye (unbind, id 2). */
    CU_ASSERT_EQUAL(f->n_ops, 2);
    CU_ASSERT_EQUAL(f->ops[1], 0x42);
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_result_add(&r, &ck, 0, 1000);
    CU_ASSERT_EQUAL(r.state, PROBE_DOWN);
}

static void test_search_no_such_object(void)
{
    /* noSuchObject (32 = 0x20), matchedDN dc=example,dc=org (17 = 0x11),
     * diagnostic "no such entry" (13 = 0x0d), id 2:
     * 65 25: 3 + (2 + 17) + (2 + 13) = 37; 30 2a: 3 + 2 + 37 = 42. */
    static const uint8_t done_32[] = {
        0x30, 0x2a, 0x02, 0x01, 0x02, 0x65, 0x25, 0x0a, 0x01, 0x20, 0x04, 0x11,
        'd', 'c', '=', 'e', 'x', 'a', 'm', 'p', 'l', 'e', ',', 'd', 'c', '=', 'o', 'r', 'g',
        0x04, 0x0d, 'n', 'o', ' ', 's', 'u', 'c', 'h', ' ', 'e', 'n', 't', 'r', 'y'};
    static const struct lf_step script[] = {
        {LF_READ, NULL, 0}, LF_SEND_(bind_ok_1), {LF_READ, NULL, 0}, LF_SEND_(done_32),
        {LF_END, NULL, 0}};
    struct probe_check ck;
    run_ldap(script, conf_of("ou=gone,dc=example,dc=org"), &ck);
    UT_PROBE_EXPECT(&ck, 0, 32, "search: 32 noSuchObject: no such entry", "connect,bind");
}

static void test_search_nothing_found(void)
{
    /* success, but no entry (an ACL that hides it). */
    static const struct lf_step script[] = {
        {LF_READ, NULL, 0}, LF_SEND_(bind_ok_1), {LF_READ, NULL, 0}, LF_SEND_(done_2),
        {LF_END, NULL, 0}};
    struct probe_check ck;
    run_ldap(script, conf_of(DN_PROBE), &ck);
    UT_PROBE_EXPECT(&ck, 0, 0, "search: no entry returned for \"" DN_PROBE "\"", NULL);
}

static void test_long_lengths_and_references(void)
{
    /* The bind answered in 4-octet lengths (Active Directory style), the
     * search with a reference and the entry before done. */
    static const uint8_t bind_long[] = {0x30, 0x84, 0x00, 0x00, 0x00, 0x10, 0x02, 0x01,
                                        0x01, 0x61, 0x84, 0x00, 0x00, 0x00, 0x07, 0x0a,
                                        0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
    /* SearchResultReference id 2: 73 05 { 04 03 "l:/" }; 30 0a. */
    static const uint8_t ref_2[] = {0x30, 0x0a, 0x02, 0x01, 0x02, 0x73, 0x05,
                                    0x04, 0x03, 'l', ':', '/'};
    static const struct lf_step script[] = {
        {LF_READ, NULL, 0}, LF_SEND_(bind_long), {LF_READ, NULL, 0}, LF_SEND_(ref_2),
        LF_SEND_(entry_2), LF_SEND_(done_2), {LF_END, NULL, 0}};
    struct probe_check ck;
    run_ldap(script, conf_of(DN_PROBE), &ck);
    UT_PROBE_EXPECT(&ck, 1, 0, "", NULL);
}

static void test_garbage(void)
{
    static const char reply[] = "220 mail.example.org ESMTP\r\n";
    struct probe_check ck;
    struct lfake *f = run_reply(reply, sizeof reply - 1, conf_of(DN_PROBE), &ck);
    UT_PROBE_EXPECT(&ck, 0, 0, "bind: malformed reply: not an LDAPMessage: tag 0x32, expected 0x30",
                    "connect");
    /* No unbind into a stream that is not LDAP. */
    CU_ASSERT_EQUAL(f->n_ops, 1);
}

static void test_malformed_inside(void)
{
    /* A BindResponse whose resultCode is an INTEGER (02), not ENUMERATED. */
    static const uint8_t bad[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x02,
                                  0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
    bind_reply_fails(bad, sizeof bad, "bind: malformed reply: resultCode: tag 0x02, expected 0x0a");
}

static void test_huge_length(void)
{
    static const char reply[] = "\x30\x84\x7f\xff\xff\xff\x02\x01\x01";
    bind_reply_fails(reply, sizeof reply - 1,
                     "bind: malformed reply: message of 2147483653 bytes (at most 262144)");
}

static void test_silent(void)
{
    static const struct lf_step script[] = {{LF_SILENT, NULL, 0}};
    struct config_probe conf = conf_of(DN_PROBE);
    conf.timeout_ms = 500;
    struct probe_check ck;
    run_ldap(script, conf, &ck);
    /* The fake never answers nor closes: the check's deadline ended it. */
    UT_PROBE_EXPECT(&ck, 0, 0, NULL, "connect");
    CU_ASSERT(pf_timed_out(&ck, "bind", conf.timeout_ms));
}

static void test_closed_mid_reply(void)
{
    /* The header announces 12 bytes, 5 come, then the server closes. */
    static const struct lf_step script[] = {
        {LF_READ, NULL, 0}, LF_SENDS("\x30\x0c\x02\x01\x01\x61\x07"), {LF_CLOSE, NULL, 0}};
    struct probe_check ck;
    run_ldap(script, conf_of(DN_PROBE), &ck);
    UT_PROBE_EXPECT(&ck, 0, 0, NULL, NULL);
    CU_ASSERT_EQUAL(strncmp(ck.error, "bind: ", 6), 0);
    CU_ASSERT_PTR_NULL(strstr(ck.error, "timed out"));
    CU_ASSERT_PTR_NOT_NULL(strstr(ck.error, "closed"));
    if (!strstr(ck.error, "closed"))
        fprintf(stderr, "\n    error: %s\n", ck.error);
}

static void test_wrong_id_and_notice(void)
{
    /* A BindResponse for messageID 7. */
    static const uint8_t bind_7[] = {0x30, 0x0c, 0x02, 0x01, 0x07, 0x61, 0x07, 0x0a,
                                     0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
    bind_reply_fails(bind_7, sizeof bind_7, "bind: reply to messageID 7, expected 1");

    /* Notice of Disconnection: id 0, unavailable (52 = 0x34), "bye",
     * responseName 1.3.6.1.4.1.1466.20036 (test_ber.c). */
    static const uint8_t notice[] = {
        0x30, 0x27, 0x02, 0x01, 0x00, 0x78, 0x22, 0x0a, 0x01, 0x34, 0x04, 0x00, 0x04, 0x03,
        'b', 'y', 'e', 0x8a, 0x16, '1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1',
        '.', '1', '4', '6', '6', '.', '2', '0', '0', '3', '6'};
    static const struct lf_step s2[] = {
        {LF_READ, NULL, 0}, LF_SEND_(notice), {LF_CLOSE, NULL, 0}};
    struct probe_check ck;
    run_ldap(s2, conf_of(""), &ck);
    UT_PROBE_EXPECT(&ck, 0, 52, "bind: notice of disconnection: 52 unavailable: bye", NULL);
}

/* StartTLS asked for, the certificate not verified (the fakes never get
 * as far as a handshake). */
static struct config_probe conf_starttls(void)
{
    struct config_probe conf = conf_of(DN_PROBE);
    conf.server.tls = CONFIG_TLS_STARTTLS;
    conf.server.tls_verify = 0;
    return conf;
}

static void test_starttls_refused(void)
{
    /* ExtendedResponse protocolError (2), "unsupported extended
     * operation" (30 = 0x1e), id 1: 78 25: 3 + 2 + 32 = 37; 30 2a: 42. */
    static const uint8_t ext_2[] = {
        0x30, 0x2a, 0x02, 0x01, 0x01, 0x78, 0x25, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x1e,
        'u', 'n', 's', 'u', 'p', 'p', 'o', 'r', 't', 'e', 'd', ' ', 'e', 'x', 't', 'e', 'n',
        'd', 'e', 'd', ' ', 'o', 'p', 'e', 'r', 'a', 't', 'i', 'o', 'n'};
    struct probe_check ck;
    struct lfake *f = run_reply(ext_2, sizeof ext_2, conf_starttls(), &ck);
    UT_PROBE_EXPECT(&ck, 0, 2, "starttls: 2 protocolError: unsupported extended operation", NULL);
    CU_ASSERT_EQUAL(f->ops[0], 0x77);
    /* The StartTLS request, byte for byte (test_ber.c). */
    CU_ASSERT(f->got_len >= 31 && memcmp(f->got, "\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
                                                 "1.3.6.1.4.1.1466.20037", 31) == 0);
}

static void test_starttls_injection(void)
{
    /* ExtendedResponse success (id 1) with a BindResponse right behind
     * it in the same packet, before any handshake: plain text that would
     * pass as if it came through TLS (CVE-2011-0411).  Refused. */
    static const uint8_t ext_ok_and_bind[] = {
        0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
        0x30, 0x0c, 0x02, 0x01, 0x02, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
    struct probe_check ck;
    run_reply(ext_ok_and_bind, sizeof ext_ok_and_bind, conf_starttls(), &ck);
    UT_PROBE_EXPECT(&ck, 0, 0, "starttls: the server sent data before the TLS handshake",
                    "connect");
}

static void test_refused(void)
{
    /* Nothing listens: a port bound a moment ago, never listened on. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
                    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
    close(fd);
    struct config_probe conf = conf_of("");
    conf.server.port = ntohs(sa.sin_port);
    struct probe_check ck;
    check_once(&conf, &ck);
    UT_PROBE_EXPECT(&ck, 0, 0, "connect: Connection refused", NULL);
}

UT_MAIN("probe_ldap",
        {"anonymous bind and search up", test_anonymous_search_up},
        {"bind with credentials, no search", test_bind_only_with_credentials},
        {"bind refused: 49", test_bind_refused},
        {"search: 32 noSuchObject", test_search_no_such_object},
        {"search finds nothing", test_search_nothing_found},
        {"long lengths and references", test_long_lengths_and_references},
        {"garbage reply", test_garbage},
        {"malformed response", test_malformed_inside},
        {"huge length", test_huge_length},
        {"silent server", test_silent},
        {"closed in mid reply", test_closed_mid_reply},
        {"wrong messageID, notice of disconnection", test_wrong_id_and_notice},
        {"StartTLS refused", test_starttls_refused},
        {"StartTLS with plain text injected", test_starttls_injection},
        {"connection refused", test_refused})
