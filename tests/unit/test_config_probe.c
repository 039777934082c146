/*
 * test_config_probe.c - the probes: section of mtamon.yaml
 * (src/common/config_probe.c): every key's value and default, addresses
 * and default ports, the credentials file (mode, format, never the
 * password in a message), applications[].probe, and one exact message
 * per kind of error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_util.h"
#include "ut_config.h"

static char creds[128]; /* a good credentials file (0600) */
static char cafile[128];

/* Write @p text to @p name in the private directory, mode @p mode. */
static const char *write_file(const char *name, const char *text, mode_t mode, char *out,
                              size_t outlen)
{
    return ut_config_write(name, text, strlen(text), mode, out, outlen);
}

static void setup_files(void)
{
    if (creds[0])
        return;
    UT_REQUIRE(write_file("creds", "probe:s3cr:et\nsecond line\n", 0600, creds, sizeof creds));
    UT_REQUIRE(write_file("ca.pem", "not checked here\n", 0644, cafile, sizeof cafile));
}

/* @p yaml with every "CREDS" replaced by the credentials file's path and
 * "CA" by the CA file's. */
static const char *expand(const char *yaml)
{
    static char out[8192];
    size_t o = 0;
    for (const char *p = yaml; *p && o < sizeof out - 200;) {
        if (strncmp(p, "CREDS", 5) == 0) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%s", creds);
            p += 5;
        } else if (strncmp(p, "CAFILE", 6) == 0) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%s", cafile);
            p += 6;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

static const char *write_yaml(const char *yaml)
{
    setup_files();
    const char *text = expand(yaml);
    return ut_config_yaml(text, strlen(text));
}

static struct config *load_ok(const char *yaml)
{
    return ut_config_load_ok(write_yaml(yaml));
}

/* Load @p yaml; the message must be "PATH:" @p want. */
static void expect_error(const char *yaml, const char *want)
{
    const char *path = write_yaml(yaml);
    ut_config_expect_error(path, expand(want));
}

/* ------------------------------------------------------------------------ */

static void test_full(void)
{
    struct config *c = load_ok(
        "probes:\n"
        "  - {name: smtp, kind: smtp, address: 'mx.example.org:2525', helo: probe.example,"
        " interval: 30, timeout: 0.5, slow: 0.25}\n"
        "  - {name: imaps, kind: imap, address: '[::1]', tls: implicit, tls_verify: false,"
        " tls_ca: CAFILE, tls_name: imap.example, credentials: CREDS}\n"
        "  - {name: web, kind: http, address: www.example, tls: implicit, path: /health,"
        " host_header: h.example, expect: 204}\n"
        "  - {name: dir, kind: ldap, address: 'ldap.example', tls: starttls,"
        " search: 'cn=probe,dc=example', credentials: CREDS}\n"
        "  - {name: lmtp, kind: lmtp, address: /run/dovecot/lmtp}\n"
        "  - {name: port, kind: tcp, address: '127.0.0.1:7', slow: 0}\n"
        "  - name: rt\n"
        "    kind: roundtrip\n"
        "    address: 127.0.0.1:587\n"
        "    tls: starttls\n"
        "    mailbox: {kind: pop3, address: 127.0.0.1, tls: implicit, credentials: CREDS}\n"
        "    from: probe@example.org\n"
        "    to: probe@example.org\n"
        "    poll: 0.5\n"
        "  - {name: pop, kind: pop3, address: pop.example}\n"
        "applications:\n"
        "  - {type: service, name: IMAP, probe: imaps}\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL_FATAL(c->n_probes, 8);

    const struct config_probe *p = &c->probes[0];
    CU_ASSERT_PTR_EQUAL(config_probe_find(c, "smtp"), p);
    CU_ASSERT_EQUAL(p->kind, CONFIG_PROBE_SMTP);
    CU_ASSERT_STRING_EQUAL(p->server.address, "mx.example.org:2525");
    CU_ASSERT_STRING_EQUAL(p->server.host, "mx.example.org");
    CU_ASSERT_EQUAL(p->server.port, 2525);
    CU_ASSERT_STRING_EQUAL(p->server.unix_path, "");
    CU_ASSERT_EQUAL(p->server.tls, CONFIG_TLS_NONE);
    CU_ASSERT_EQUAL(p->server.tls_verify, 1);
    CU_ASSERT_STRING_EQUAL(p->server.tls_name, "mx.example.org");
    CU_ASSERT_STRING_EQUAL(p->helo, "probe.example");
    CU_ASSERT_EQUAL(p->interval_s, 30);
    CU_ASSERT_EQUAL(p->timeout_ms, 500);
    CU_ASSERT_EQUAL(p->slow_ms, 250);
    CU_ASSERT_STRING_EQUAL(p->server.user, "");
    CU_ASSERT_STRING_EQUAL(p->server.password, "");
    CU_ASSERT_EQUAL(p->line, 2);

    p = &c->probes[1];
    CU_ASSERT_EQUAL(p->kind, CONFIG_PROBE_IMAP);
    CU_ASSERT_STRING_EQUAL(p->server.host, "::1");
    CU_ASSERT_EQUAL(p->server.port, 993);
    CU_ASSERT_EQUAL(p->server.tls, CONFIG_TLS_IMPLICIT);
    CU_ASSERT_EQUAL(p->server.tls_verify, 0);
    CU_ASSERT_STRING_EQUAL(p->server.tls_ca, cafile);
    CU_ASSERT_STRING_EQUAL(p->server.tls_name, "imap.example");
    CU_ASSERT_STRING_EQUAL(p->server.credentials, creds);
    CU_ASSERT_STRING_EQUAL(p->server.user, "probe");
    CU_ASSERT_STRING_EQUAL(p->server.password, "s3cr:et"); /* split at the first ':' */
    CU_ASSERT_EQUAL(p->interval_s, 60);
    CU_ASSERT_EQUAL(p->timeout_ms, 10000);
    CU_ASSERT_EQUAL(p->slow_ms, 2000);

    p = &c->probes[2];
    CU_ASSERT_EQUAL(p->kind, CONFIG_PROBE_HTTP);
    CU_ASSERT_EQUAL(p->server.port, 443);
    CU_ASSERT_STRING_EQUAL(p->http_path, "/health");
    CU_ASSERT_STRING_EQUAL(p->http_host, "h.example");
    CU_ASSERT_EQUAL(p->http_expect, 204);

    p = &c->probes[3];
    CU_ASSERT_EQUAL(p->kind, CONFIG_PROBE_LDAP);
    CU_ASSERT_EQUAL(p->server.port, 389);
    CU_ASSERT_EQUAL(p->server.tls, CONFIG_TLS_STARTTLS);
    CU_ASSERT_STRING_EQUAL(p->ldap_search, "cn=probe,dc=example");
    CU_ASSERT_STRING_EQUAL(p->server.user, "probe");

    p = &c->probes[4];
    CU_ASSERT_EQUAL(p->kind, CONFIG_PROBE_LMTP);
    CU_ASSERT_STRING_EQUAL(p->server.unix_path, "/run/dovecot/lmtp");
    CU_ASSERT_STRING_EQUAL(p->server.host, "");
    CU_ASSERT_EQUAL(p->server.port, 0);
    CU_ASSERT(p->helo[0] != '\0'); /* this machine's name */

    p = &c->probes[5];
    CU_ASSERT_EQUAL(p->kind, CONFIG_PROBE_TCP);
    CU_ASSERT_EQUAL(p->server.port, 7);
    CU_ASSERT_EQUAL(p->slow_ms, 0);

    p = config_probe_find(c, "rt");
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->kind, CONFIG_PROBE_ROUNDTRIP);
    CU_ASSERT_EQUAL(p->server.port, 587);
    CU_ASSERT_EQUAL(p->server.tls, CONFIG_TLS_STARTTLS);
    CU_ASSERT_EQUAL(p->timeout_ms, 120000);
    CU_ASSERT_EQUAL(p->slow_ms, 60000);
    CU_ASSERT_EQUAL(p->mailbox_kind, CONFIG_PROBE_POP3);
    CU_ASSERT_EQUAL(p->mailbox.port, 995);
    CU_ASSERT_EQUAL(p->mailbox.tls, CONFIG_TLS_IMPLICIT);
    CU_ASSERT_STRING_EQUAL(p->mailbox.tls_name, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(p->mailbox.user, "probe");
    CU_ASSERT_STRING_EQUAL(p->mail_from, "probe@example.org");
    CU_ASSERT_STRING_EQUAL(p->mail_to, "probe@example.org");
    CU_ASSERT_EQUAL(p->poll_ms, 500);
    CU_ASSERT_STRING_EQUAL(p->server.user, "");

    p = config_probe_find(c, "pop");
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->server.port, 110);
    CU_ASSERT_PTR_NULL(config_probe_find(c, "nope"));
    CU_ASSERT_PTR_NULL(config_probe_find(NULL, "pop"));

    int found = 0;
    for (size_t i = 0; i < c->n_apps; i++) {
        if (strcmp(c->apps[i].name, "IMAP") == 0) {
            CU_ASSERT_STRING_EQUAL(c->apps[i].probe, "imaps");
            found = 1;
        } else {
            CU_ASSERT_STRING_EQUAL(c->apps[i].probe, "");
        }
    }
    CU_ASSERT(found);
    config_free(c);

    c = load_ok("probes:\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->n_probes, 0);
    config_free(c);
    /* A short timeout without slow: the default 2 s could never be reached. */
    c = load_ok("probes: [{name: a, kind: smtp, address: h, timeout: 1}]\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->probes[0].slow_ms, 0);
    config_free(c);
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(config_probe_kind_name(CONFIG_PROBE_TCP), "tcp");
    CU_ASSERT_STRING_EQUAL(config_probe_kind_name(CONFIG_PROBE_ROUNDTRIP), "roundtrip");
    CU_ASSERT_STRING_EQUAL(config_probe_kind_name(CONFIG_PROBE_POP3), "pop3");
    CU_ASSERT_STRING_EQUAL(config_probe_kind_name((enum config_probe_kind)99), "?");
    CU_ASSERT_STRING_EQUAL(config_probe_tls_name(CONFIG_TLS_STARTTLS), "starttls");
    CU_ASSERT_EQUAL(config_probe_default_port(CONFIG_PROBE_SMTP, CONFIG_TLS_IMPLICIT), 465);
    CU_ASSERT_EQUAL(config_probe_default_port(CONFIG_PROBE_SMTP, CONFIG_TLS_STARTTLS), 25);
    CU_ASSERT_EQUAL(config_probe_default_port(CONFIG_PROBE_LMTP, CONFIG_TLS_NONE), 24);
    CU_ASSERT_EQUAL(config_probe_default_port(CONFIG_PROBE_IMAP, CONFIG_TLS_NONE), 143);
    CU_ASSERT_EQUAL(config_probe_default_port(CONFIG_PROBE_POP3, CONFIG_TLS_IMPLICIT), 995);
    CU_ASSERT_EQUAL(config_probe_default_port(CONFIG_PROBE_HTTP, CONFIG_TLS_NONE), 80);
    CU_ASSERT_EQUAL(config_probe_default_port(CONFIG_PROBE_LDAP, CONFIG_TLS_IMPLICIT), 636);
    CU_ASSERT_EQUAL(config_probe_default_port(CONFIG_PROBE_TCP, CONFIG_TLS_IMPLICIT), 0);
}

/* config_probe_address() alone: @p text gives @p host/@p port/@p unix_path,
 * or (host NULL) the message @p msg. */
static void expect_address(const char *text, const char *host, unsigned port,
                           const char *unix_path, const char *msg)
{
    struct config_probe_endpoint ep = {0};
    char err[256] = "";
    int rc = config_probe_address(&ep, text, err, sizeof err);
    if (host || unix_path) {
        CU_ASSERT_EQUAL(rc, 0);
        if (rc == 0) {
            CU_ASSERT_STRING_EQUAL(ep.address, text);
            CU_ASSERT_STRING_EQUAL(ep.host, host ? host : "");
            CU_ASSERT_STRING_EQUAL(ep.unix_path, unix_path ? unix_path : "");
            CU_ASSERT_EQUAL(ep.port, port);
        } else {
            fprintf(stderr, "\n    '%s': %s\n", text, err);
        }
    } else {
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_STRING_EQUAL(err, msg);
        if (strcmp(err, msg) != 0)
            fprintf(stderr, "\n    expected: %s\n    actual:   %s\n", msg, err);
    }
    free(ep.address);
    free(ep.host);
    free(ep.unix_path);
}

static void test_addresses(void)
{
    expect_address("h:25", "h", 25, NULL, NULL);
    expect_address("mail.example.org", "mail.example.org", 0, NULL, NULL);
    expect_address("192.0.2.1:65535", "192.0.2.1", 65535, NULL, NULL);
    expect_address("[2001:db8::1]:993", "2001:db8::1", 993, NULL, NULL);
    expect_address("[::1]", "::1", 0, NULL, NULL);
    expect_address("/run/s", NULL, 0, "/run/s", NULL);
    expect_address("h:0", NULL, 0, NULL, "port 0 is out of range (1..65535)");
    expect_address("h:70000", NULL, 0, NULL, "port 70000 is out of range (1..65535)");
    expect_address("h:x", NULL, 0, NULL, "'x' is not a port number");
    expect_address("h:", NULL, 0, NULL, "'' is not a port number");
    expect_address("h:-1", NULL, 0, NULL, "'-1' is not a port number");
    expect_address("::1", NULL, 0, NULL,
                   "'::1': an IPv6 address is written in brackets, such as [::1]:25");
    const char *forms = "host:port, [IPv6]:port, host or /absolute/socket";
    char msg[256];
    const char *bad[] = {"[::1", "[]:25", "[h]:25", "[::1]25", ":25", "a@b:25", "run/s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(msg, sizeof msg, "'%s' is not %s", bad[i], forms);
        expect_address(bad[i], NULL, 0, NULL, msg);
    }
    snprintf(msg, sizeof msg, "must not be empty (%s)", forms);
    expect_address("", NULL, 0, NULL, msg);
    char longpath[200];
    memset(longpath, 'x', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    expect_address(longpath, NULL, 0, NULL, "socket path too long: 199 bytes, at most 107");
}

static void test_credentials(void)
{
    setup_files();
    char open_file[192], nocolon[192], nouser[192], dir[192], msg[512];
    UT_REQUIRE(write_file("open", "u:topsecret\n", 0644, open_file, sizeof open_file));
    UT_REQUIRE(write_file("nocolon", "topsecret\n", 0600, nocolon, sizeof nocolon));
    UT_REQUIRE(write_file("nouser", ":topsecret\r\n", 0600, nouser, sizeof nouser));
    snprintf(dir, sizeof dir, "%s/dir", ut_config_dir());
    int made = mkdir(dir, 0700) == 0; /* UT_REQUIRE evaluates twice */
    UT_REQUIRE(made);

    struct config_probe_endpoint ep = {0};
    char err[512];
    CU_ASSERT_EQUAL(config_probe_credentials(&ep, creds, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(ep.user, "probe");
    CU_ASSERT_STRING_EQUAL(ep.password, "s3cr:et");
    struct config_probe p = {0};
    p.server = ep;
    config_probe_clear(&p); /* frees it all */
    CU_ASSERT_PTR_NULL(p.server.password);

    struct {
        const char *file;
        const char *yaml_msg; /* after "credentials file FILE" */
    } bad[] = {
        {open_file, " has mode 0644: its group or others may read or write it; refused "
                    "(run chmod 600 "},
        {nocolon, ": the first line is not USER:PASSWORD"},
        {nouser, ": no USER before the ':' of its first line"},
        {dir, ": not a regular file"},
        {"/nonexistent/creds", ": No such file or directory"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct config_probe_endpoint e = {0};
        char tail[256], want[512];
        /* The mode message ends with the file's name again. */
        snprintf(tail, sizeof tail, "%s%s%s", bad[i].yaml_msg, i == 0 ? bad[i].file : "",
                 i == 0 ? ")" : "");
        snprintf(want, sizeof want, "credentials file %s%s", bad[i].file, tail);
        err[0] = '\0';
        CU_ASSERT_EQUAL(config_probe_credentials(&e, bad[i].file, err, sizeof err), -1);
        CU_ASSERT_STRING_EQUAL(err, want);
        if (strcmp(err, want) != 0)
            fprintf(stderr, "\n    expected: %s\n    actual:   %s\n", want, err);
        CU_ASSERT_PTR_NULL(strstr(err, "topsecret"));
        CU_ASSERT_PTR_NULL(e.password);
    }
    /* In a file: at the position of the value, with the key. */
    snprintf(msg, sizeof msg,
             "2:52: probes[0].credentials: credentials file %s has mode 0644: its group or "
             "others may read or write it; refused (run chmod 600 %s)",
             open_file, open_file);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "probes:\n  - {name: i, kind: imap, address: h, credentials: %s}\n",
             open_file);
    expect_error(yaml, msg);
    /* 0640 (group may read) and 0604 are refused too; 0400 is fine. */
    int changed = chmod(open_file, 0640) == 0;
    UT_REQUIRE(changed);
    struct config_probe_endpoint e = {0};
    CU_ASSERT_EQUAL(config_probe_credentials(&e, open_file, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "mode 0640"));
    changed = chmod(open_file, 0604) == 0;
    UT_REQUIRE(changed);
    CU_ASSERT_EQUAL(config_probe_credentials(&e, open_file, err, sizeof err), -1);
    changed = chmod(open_file, 0400) == 0;
    UT_REQUIRE(changed);
    CU_ASSERT_EQUAL(config_probe_credentials(&e, open_file, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(e.password, "topsecret");
    struct config_probe q = {0};
    q.server = e;
    config_probe_clear(&q);
}

static void test_errors(void)
{
    expect_error("probes: {name: a}\n", "1:9: probes: expected a sequence, found a mapping");
    expect_error("probes:\n  - {name: a, kind: smtp}\n",
                 "2:5: probes[0]: missing required key 'address'");
    expect_error("probes:\n  - {kind: smtp, address: h}\n",
                 "2:5: probes[0]: missing required key 'name'");
    expect_error("probes:\n  - {name: a, address: h}\n",
                 "2:5: probes[0]: missing required key 'kind' (tcp, smtp, lmtp, imap, pop3, "
                 "http, ldap or roundtrip)");
    expect_error("probes:\n  - {name: a, kind: ftp, address: h}\n",
                 "2:21: probes[0].kind: 'ftp' is not one of tcp, smtp, lmtp, imap, pop3, "
                 "http, ldap, roundtrip");
    expect_error("probes:\n  - {name: a, kind: smtp, address: 'h:0'}\n",
                 "2:36: probes[0].address: port 0 is out of range (1..65535)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: 'h:70000'}\n",
                 "2:36: probes[0].address: port 70000 is out of range (1..65535)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: 'a b'}\n",
                 "2:36: probes[0].address: must not contain spaces");
    expect_error("probes:\n  - {name: a, kind: tcp, address: h}\n",
                 "2:35: probes[0].address: 'h': a tcp probe needs a port (host:port)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, timeout: 0}\n",
                 "2:48: probes[0].timeout: 0 is out of range (0.001..3600 seconds)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, timeout: 1.0001}\n",
                 "2:48: probes[0].timeout: '1.0001' is not a number of seconds (such as 10 "
                 "or 0.25, at most 3 decimals)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, timeout: '5'}\n",
                 "2:48: probes[0].timeout: expected a number of seconds, found the quoted "
                 "string '5'");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, timeout: 2, slow: 2}\n",
                 "2:57: probes[0].slow: 2 s is not below the timeout (2000 ms): it could "
                 "never be slow");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, slow: 11}\n",
                 "2:45: probes[0].slow: 11 s is not below the timeout (10000 ms): it could "
                 "never be slow");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, interval: 0}\n",
                 "2:49: probes[0].interval: 0 is out of range (1..86400)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, colour: red}\n",
                 "2:39: probes[0].colour: unknown key");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h}\n"
                 "  - {name: a, kind: imap, address: h}\n",
                 "3:12: probes[1].name: duplicate probe 'a' (also probes[0])");
    expect_error("probes:\n  - {name: a/b, kind: smtp, address: h}\n",
                 "2:12: probes[0].name: 'a/b' is not a name: printable ASCII without spaces "
                 "or '/'");
    /* Keys of another kind. */
    expect_error("probes:\n  - {name: a, kind: imap, address: h, helo: x}\n",
                 "2:45: probes[0].helo: not used by a imap probe (only by smtp, lmtp and "
                 "roundtrip)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, path: /}\n",
                 "2:45: probes[0].path: not used by a smtp probe (only by http)");
    expect_error("probes:\n  - {name: a, kind: http, address: h, search: x}\n",
                 "2:47: probes[0].search: not used by a http probe (only by ldap)");
    expect_error("probes:\n  - {name: a, kind: tcp, address: 'h:1', credentials: CREDS}\n",
                 "2:55: probes[0].credentials: not used by a tcp probe (only by imap, pop3, "
                 "ldap and roundtrip)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, to: x@y}\n",
                 "2:43: probes[0].to: not used by a smtp probe (only by roundtrip)");
    expect_error("probes:\n  - {name: a, kind: http, address: h, expect: 600}\n",
                 "2:47: probes[0].expect: 600 is out of range (100..599)");
    expect_error("probes:\n  - {name: a, kind: http, address: h, path: x}\n",
                 "2:45: probes[0].path: 'x' does not start with '/'");
    /* TLS. */
    expect_error("probes:\n  - {name: a, kind: http, address: h, tls: starttls}\n",
                 "2:44: probes[0].tls: a http probe has no STARTTLS (none or implicit)");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, tls: tls}\n",
                 "2:44: probes[0].tls: 'tls' is not one of none, implicit, starttls");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, tls_verify: false}\n",
                 "2:51: probes[0].tls_verify: only with tls: implicit or starttls");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, tls: implicit,"
                 " tls_ca: /nonexistent.pem}\n",
                 "2:62: probes[0].tls_ca: cannot read /nonexistent.pem: No such file or "
                 "directory");
    expect_error("probes:\n  - {name: a, kind: smtp, address: h, tls: implicit,"
                 " tls_ca: ca.pem}\n",
                 "2:62: probes[0].tls_ca: 'ca.pem' is not an absolute path");
    /* Round trip. */
    const char *rt = "probes:\n  - name: rt\n    kind: roundtrip\n    address: h\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%s    from: a@b\n    to: a@b\n", rt);
    expect_error(yaml, "2:5: probes[0]: missing required key 'mailbox' (where the message is "
                       "read)");
    snprintf(yaml, sizeof yaml, "%s    mailbox: {kind: imap, address: h}\n    from: a@b\n"
             "    to: a@b\n", rt);
    expect_error(yaml, "5:14: probes[0].mailbox: missing required key 'credentials' (the "
                       "mailbox's login)");
    snprintf(yaml, sizeof yaml, "%s    mailbox: {address: h, credentials: CREDS}\n", rt);
    expect_error(yaml, "5:14: probes[0].mailbox: missing required key 'kind' (imap or pop3)");
    snprintf(yaml, sizeof yaml, "%s    mailbox: {kind: smtp, address: h}\n", rt);
    expect_error(yaml, "5:21: probes[0].mailbox.kind: 'smtp' is not one of imap, pop3");
    snprintf(yaml, sizeof yaml, "%s    mailbox: {kind: imap, address: h, credentials: CREDS}\n"
             "    to: a@b\n", rt);
    expect_error(yaml, "2:5: probes[0]: missing required key 'from' (the envelope sender)");
    snprintf(yaml, sizeof yaml, "%s    mailbox: {kind: imap, address: h, credentials: CREDS}\n"
             "    from: a@b\n", rt);
    expect_error(yaml, "2:5: probes[0]: missing required key 'to' (the mailbox's address)");
    snprintf(yaml, sizeof yaml, "%s    mailbox: {kind: imap, address: h, credentials: CREDS,"
             " helo: x}\n", rt);
    expect_error(yaml, "5:88: probes[0].mailbox.helo: unknown key");
    snprintf(yaml, sizeof yaml, "%s    from: '<a@b>'\n", rt);
    expect_error(yaml, "5:11: probes[0].from: '<a@b>': the address without '<' and '>'");
    snprintf(yaml, sizeof yaml, "%s    poll: 0\n", rt);
    expect_error(yaml, "5:11: probes[0].poll: 0 is out of range (0.01..60 seconds)");
}

static void test_app_refs(void)
{
    expect_error("probes:\n  - {name: a, kind: smtp, address: h}\n"
                 "applications:\n  - {type: service, name: S, probe: b}\n",
                 "4:37: applications[0].probe: no probe 'b' in probes");
    /* The mta row: its status is the segment's. */
    expect_error("probes:\n  - {name: a, kind: smtp, address: h}\n"
                 "applications:\n  - {type: mta, name: M, probe: a}\n",
                 "4:33: applications[0].probe: only on a service row (type: service): the "
                 "mta row's status is the counter segment's");
    /* After an explicit mta row, the positions are the file's. */
    expect_error("applications:\n  - {type: mta, name: M}\n  - {type: service, name: S,"
                 " probe: x}\n",
                 "3:37: applications[1].probe: no probe 'x' in probes");
    expect_error("applications:\n  - {type: service, name: S, probe: ''}\n",
                 "2:37: applications[0].probe: must not be empty");
    /* probes: after applications: is fine. */
    struct config *c = load_ok("applications:\n  - {type: service, name: S, probe: a}\n"
                               "probes:\n  - {name: a, kind: smtp, address: h}\n");
    UT_REQUIRE(c);
    config_free(c);
}

UT_MAIN("config_probe",
        {"every key and default", test_full},
        {"names and default ports", test_names},
        {"addresses", test_addresses},
        {"credentials files", test_credentials},
        {"bad probes", test_errors},
        {"applications[].probe", test_app_refs})
