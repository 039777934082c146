/*
 * test_probe_url.c - ad hoc probe targets as URLs (src/common/probe_url.c):
 * every scheme, its default port and TLS mode, paths and DNs, Unix
 * sockets, the command-line options on top, and the refusals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_util.h"
#include "probe_url.h"

/* Parse @p url with @p o; it must pass.  Free with config_probe_clear(). */
static int parse_ok(const char *url, const struct probe_url_options *o,
                    struct config_probe *p)
{
    char err[512] = "";
    int rc = probe_url_parse(url, o, p, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "\n    %s: %s\n", url, err);
    return rc;
}

static void expect_refused(const char *url, const struct probe_url_options *o,
                           const char *want)
{
    struct config_probe p;
    char err[512] = "";
    CU_ASSERT_EQUAL(probe_url_parse(url, o, &p, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, want);
    if (strcmp(err, want) != 0)
        fprintf(stderr, "\n    expected: %s\n    actual:   %s\n", want, err);
    config_probe_clear(&p);
}

static void test_schemes(void)
{
    static const struct {
        const char *url;
        enum config_probe_kind kind;
        enum config_probe_tls tls;
        unsigned port;
        const char *name, *address;
    } cases[] = {
        {"smtp://mx.example", CONFIG_PROBE_SMTP, CONFIG_TLS_NONE, 25, "smtp", "mx.example:25"},
        {"smtps://mx.example", CONFIG_PROBE_SMTP, CONFIG_TLS_IMPLICIT, 465, "smtp",
         "mx.example:465"},
        {"lmtp://127.0.0.1", CONFIG_PROBE_LMTP, CONFIG_TLS_NONE, 24, "lmtp", "127.0.0.1:24"},
        {"imap://h", CONFIG_PROBE_IMAP, CONFIG_TLS_NONE, 143, "imap", "h:143"},
        {"imaps://h/", CONFIG_PROBE_IMAP, CONFIG_TLS_IMPLICIT, 993, "imap", "h:993"},
        {"pop3://h", CONFIG_PROBE_POP3, CONFIG_TLS_NONE, 110, "pop3", "h:110"},
        {"pop3s://h", CONFIG_PROBE_POP3, CONFIG_TLS_IMPLICIT, 995, "pop3", "h:995"},
        {"http://h", CONFIG_PROBE_HTTP, CONFIG_TLS_NONE, 80, "http", "h:80"},
        {"https://h", CONFIG_PROBE_HTTP, CONFIG_TLS_IMPLICIT, 443, "http", "h:443"},
        {"ldap://h", CONFIG_PROBE_LDAP, CONFIG_TLS_NONE, 389, "ldap", "h:389"},
        {"ldaps://h", CONFIG_PROBE_LDAP, CONFIG_TLS_IMPLICIT, 636, "ldap", "h:636"},
        {"tcp://h:7", CONFIG_PROBE_TCP, CONFIG_TLS_NONE, 7, "tcp", "h:7"},
        {"smtp://[::1]:2525", CONFIG_PROBE_SMTP, CONFIG_TLS_NONE, 2525, "smtp", "[::1]:2525"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct config_probe p;
        if (parse_ok(cases[i].url, NULL, &p) == 0) {
            CU_ASSERT_EQUAL(p.kind, cases[i].kind);
            CU_ASSERT_EQUAL(p.server.tls, cases[i].tls);
            CU_ASSERT_EQUAL(p.server.port, cases[i].port);
            CU_ASSERT_STRING_EQUAL(p.name, cases[i].name);
            CU_ASSERT_STRING_EQUAL(p.server.address, cases[i].address);
            CU_ASSERT_EQUAL(p.server.tls_verify, 1);
            CU_ASSERT_EQUAL(p.timeout_ms, 10000);
            CU_ASSERT_EQUAL(p.slow_ms, 2000);
            CU_ASSERT_STRING_EQUAL(p.server.user, "");
        }
        config_probe_clear(&p);
    }
    struct config_probe p;
    if (parse_ok("https://www.example:8443/health?x=1", NULL, &p) == 0) {
        CU_ASSERT_STRING_EQUAL(p.http_path, "/health?x=1");
        CU_ASSERT_STRING_EQUAL(p.http_host, "www.example");
        CU_ASSERT_STRING_EQUAL(p.server.tls_name, "www.example");
        CU_ASSERT_EQUAL(p.http_expect, 200);
    }
    config_probe_clear(&p);
    if (parse_ok("http://h", NULL, &p) == 0)
        CU_ASSERT_STRING_EQUAL(p.http_path, "/");
    config_probe_clear(&p);
    if (parse_ok("ldap://h/uid=probe,dc=example", NULL, &p) == 0)
        CU_ASSERT_STRING_EQUAL(p.ldap_search, "uid=probe,dc=example");
    config_probe_clear(&p);
    if (parse_ok("lmtp:///run/dovecot/lmtp", NULL, &p) == 0) {
        CU_ASSERT_STRING_EQUAL(p.server.unix_path, "/run/dovecot/lmtp");
        CU_ASSERT_STRING_EQUAL(p.server.address, "/run/dovecot/lmtp");
        CU_ASSERT_EQUAL(p.server.port, 0);
    }
    config_probe_clear(&p);
    CU_ASSERT(probe_url_is_url("smtp://h"));
    CU_ASSERT(!probe_url_is_url("smtp"));
    CU_ASSERT(!probe_url_is_url(NULL));
}

static void test_options(void)
{
    struct probe_url_options o = {.starttls = 1, .insecure = 1, .timeout_ms = 1000};
    struct config_probe p;
    if (parse_ok("smtp://h:587", &o, &p) == 0) {
        CU_ASSERT_EQUAL(p.server.tls, CONFIG_TLS_STARTTLS);
        CU_ASSERT_EQUAL(p.server.port, 587);
        CU_ASSERT_EQUAL(p.server.tls_verify, 0);
        CU_ASSERT_EQUAL(p.timeout_ms, 1000);
        CU_ASSERT_EQUAL(p.slow_ms, 0); /* 2 s could never be reached */
    }
    config_probe_clear(&p);
    /* STARTTLS keeps the plain port. */
    if (parse_ok("imap://h", &o, &p) == 0)
        CU_ASSERT_EQUAL(p.server.port, 143);
    config_probe_clear(&p);
    o = (struct probe_url_options){.timeout_ms = 5000, .have_slow = 1, .slow_ms = 250};
    if (parse_ok("pop3://h", &o, &p) == 0) {
        CU_ASSERT_EQUAL(p.timeout_ms, 5000);
        CU_ASSERT_EQUAL(p.slow_ms, 250);
    }
    config_probe_clear(&p);

    char dir[] = "/tmp/mtamon-ut-url.XXXXXX";
    UT_REQUIRE(mkdtemp(dir));
    char file[64];
    snprintf(file, sizeof file, "%s/creds", dir);
    FILE *f = fopen(file, "w");
    UT_REQUIRE(f);
    fputs("alice:pw:x\n", f);
    fclose(f);
    int ok = chmod(file, 0600) == 0;
    CU_ASSERT(ok);
    o = (struct probe_url_options){.credentials = file};
    if (parse_ok("imaps://h", &o, &p) == 0) {
        CU_ASSERT_STRING_EQUAL(p.server.user, "alice");
        CU_ASSERT_STRING_EQUAL(p.server.password, "pw:x");
        CU_ASSERT_STRING_EQUAL(p.server.credentials, file);
    }
    config_probe_clear(&p);
    ok = chmod(file, 0644) == 0;
    CU_ASSERT(ok);
    char want[256];
    snprintf(want, sizeof want, "credentials file %s has mode 0644: its group or others may "
             "read or write it; refused (run chmod 600 %s)", file, file);
    expect_refused("imap://h", &o, want);
    expect_refused("smtp://h", &o, "smtp://h: --credentials: a smtp target does not log in");
    unlink(file);
    rmdir(dir);

    o = (struct probe_url_options){.starttls = 1};
    expect_refused("smtps://h", &o, "smtps://h: --starttls with a TLS scheme (use smtp://)");
    expect_refused("https://h", &o, "https://h: --starttls with a TLS scheme (use http://)");
    expect_refused("tcp://h:1", &o, "tcp://h:1: --starttls: a tcp target has no STARTTLS");
    o = (struct probe_url_options){.timeout_ms = 1000, .have_slow = 1, .slow_ms = 1000};
    expect_refused("smtp://h", &o, "smtp://h: --slow 1000 ms is not below the timeout (1000 ms)");
}

static void test_refused(void)
{
    expect_refused("ftp://h", NULL, "ftp://h: unknown scheme 'ftp' (tcp, smtp, smtps, lmtp, "
                   "imap, imaps, pop3, pop3s, http, https, ldap, ldaps)");
    expect_refused("smtp:/h", NULL, "smtp:/h: not a URL such as smtp://HOST:PORT");
    expect_refused("smtp://h x", NULL, "smtp://h x: not a URL such as smtp://HOST:PORT");
    expect_refused("smtp://h:0", NULL, "smtp://h:0: port 0 is out of range (1..65535)");
    expect_refused("smtp://h:70000", NULL, "smtp://h:70000: port 70000 is out of range "
                   "(1..65535)");
    expect_refused("smtp://", NULL, "smtp://: must not be empty (host:port, [IPv6]:port, "
                   "host or /absolute/socket)");
    expect_refused("tcp://h", NULL, "tcp://h: a tcp target needs a port (tcp://HOST:PORT)");
    expect_refused("smtp://h/x", NULL, "smtp://h/x: a smtp URL has no path");
    expect_refused("imap://bob:pw@h", NULL, "imap://bob:pw@h: no user or password in the URL "
                   "(every user can read a command line): use --credentials FILE");
}

UT_MAIN("probe_url",
        {"schemes, ports, paths", test_schemes},
        {"command-line options", test_options},
        {"refused URLs", test_refused})
