/*
 * test_probe_mail.c - the SMTP/LMTP, IMAP and POP3 probes
 * (probe_dialog_smtp.c, _imap.c, _pop3.c) against scripted fake servers:
 * steps and their timing, the reply code and text of a failure, STARTTLS,
 * logins; and their pieces without a server: SMTP reply lines and EHLO
 * keywords, AUTH PLAIN, IMAP quoting, the round trip's tags and their
 * matching.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit_util.h"
#include "fake_server.h"
#include "probe_fixture.h"
#include "ut_probe.h"
#include "monotonic.h"
#include "probe_dialog.h"
#include "test_cert.h"
#include "probe_imap.h"
#include "probe_roundtrip.h"
#include "probe_smtp.h"

static void test_smtp_parse_line(void)
{
    int code = 0, more = -1;
    const char *text = NULL;
    CU_ASSERT_EQUAL(probe_smtp_parse_line("220 mx.example ESMTP", &code, &more, &text), 0);
    CU_ASSERT_EQUAL(code, 220);
    CU_ASSERT_EQUAL(more, 0);
    CU_ASSERT_STRING_EQUAL(text, "mx.example ESMTP");
    CU_ASSERT_EQUAL(probe_smtp_parse_line("250-PIPELINING", &code, &more, &text), 0);
    CU_ASSERT_EQUAL(code, 250);
    CU_ASSERT_EQUAL(more, 1);
    CU_ASSERT_STRING_EQUAL(text, "PIPELINING");
    CU_ASSERT_EQUAL(probe_smtp_parse_line("354", &code, &more, &text), 0);
    CU_ASSERT_EQUAL(code, 354);
    CU_ASSERT_EQUAL(more, 0);
    CU_ASSERT_STRING_EQUAL(text, "");
    /* not replies */
    CU_ASSERT_EQUAL(probe_smtp_parse_line("", &code, &more, &text), -1);
    CU_ASSERT_EQUAL(probe_smtp_parse_line("22", &code, &more, &text), -1);
    CU_ASSERT_EQUAL(probe_smtp_parse_line("SSH-2.0-OpenSSH_9.2", &code, &more, &text), -1);
    CU_ASSERT_EQUAL(probe_smtp_parse_line("2200 x", &code, &more, &text), -1);
    CU_ASSERT_EQUAL(probe_smtp_parse_line("620 x", &code, &more, &text), -1);
    CU_ASSERT_EQUAL(probe_smtp_parse_line("022 x", &code, &more, &text), -1);
    CU_ASSERT_EQUAL(probe_smtp_parse_line("* OK IMAP", &code, &more, &text), -1);
}

static void test_smtp_ext(void)
{
    CU_ASSERT_EQUAL(probe_smtp_ext("STARTTLS"), PROBE_SMTP_EXT_STARTTLS);
    CU_ASSERT_EQUAL(probe_smtp_ext("starttls"), PROBE_SMTP_EXT_STARTTLS);
    CU_ASSERT_EQUAL(probe_smtp_ext("STARTTLSX"), 0u);
    CU_ASSERT_EQUAL(probe_smtp_ext("AUTH LOGIN PLAIN"), PROBE_SMTP_EXT_AUTH_PLAIN);
    CU_ASSERT_EQUAL(probe_smtp_ext("AUTH=PLAIN LOGIN"), PROBE_SMTP_EXT_AUTH_PLAIN);
    CU_ASSERT_EQUAL(probe_smtp_ext("AUTH LOGIN CRAM-MD5"), 0u);
    CU_ASSERT_EQUAL(probe_smtp_ext("AUTH PLAINX"), 0u);
    CU_ASSERT_EQUAL(probe_smtp_ext("8BITMIME"), 0u);
}

static void test_smtp_auth_plain(void)
{
    char buf[128];
    /* RFC 4616's example: "\0tim\0tanstaaftanstaaf" */
    CU_ASSERT_EQUAL(probe_smtp_auth_plain("tim", "tanstaaftanstaaf", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    CU_ASSERT_EQUAL(probe_smtp_auth_plain("a", "b", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "AUTH PLAIN AGEAYg==");
    CU_ASSERT_EQUAL(probe_smtp_auth_plain("ab", "b", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "AUTH PLAIN AGFiAGI=");
    CU_ASSERT_EQUAL(probe_smtp_auth_plain("tim", "tanstaaftanstaaf", buf, 20), -1);
}

static void test_smtp_helo_name(void)
{
    struct config_probe conf;
    char buf[256];
    memset(&conf, 0, sizeof conf);
    conf.helo = (char *)"probe.example";
    CU_ASSERT_STRING_EQUAL(probe_smtp_helo_name(&conf, buf, sizeof buf), "probe.example");
    conf.helo = (char *)"";
    const char *h = probe_smtp_helo_name(&conf, buf, sizeof buf);
    CU_ASSERT(h[0] != '\0');
    CU_ASSERT(strchr(h, ' ') == NULL);
}

static void test_imap_quote(void)
{
    char buf[64];
    CU_ASSERT_EQUAL(probe_imap_quote("user", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "\"user\"");
    CU_ASSERT_EQUAL(probe_imap_quote("", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "\"\"");
    CU_ASSERT_EQUAL(probe_imap_quote("p\"a\\ss word", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "\"p\\\"a\\\\ss word\"");
    CU_ASSERT_EQUAL(probe_imap_quote("caf\xc3\xa9", buf, sizeof buf), 1);
    CU_ASSERT_EQUAL(probe_imap_quote("a\r\nb", buf, sizeof buf), 1);
    CU_ASSERT_EQUAL(probe_imap_quote("abcdef", buf, 9), 0);  /* exactly fits */
    CU_ASSERT_STRING_EQUAL(buf, "\"abcdef\"");
    CU_ASSERT_EQUAL(probe_imap_quote("abcdef", buf, 8), -1);
    CU_ASSERT_EQUAL(probe_imap_quote("abcde\"", buf, 9), -1);
    CU_ASSERT_EQUAL(probe_imap_quote("abcd\"", buf, 9), 0);
}

static void test_roundtrip_tags(void)
{
    char tag[PROBE_ROUNDTRIP_TAG_MAX];
    CU_ASSERT_EQUAL(probe_roundtrip_tag(tag, sizeof tag, "rt", "0a1b2c", 7), 0);
    CU_ASSERT_STRING_EQUAL(tag, "rt.0a1b2c.7");
    CU_ASSERT_EQUAL(probe_roundtrip_tag(tag, 8, "rt", "0a1b2c", 7), -1);
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt.0a1b2c.7", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_THIS);
    /* an earlier round, and an earlier mtamond's run */
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt.0a1b2c.6", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_STALE);
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt.ffff.70", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_STALE);
    /* a later round is not this one either */
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt.0a1b2c.8", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_STALE);
    /* other probes whose names share a prefix */
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt.x.0a1b2c.6", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_OTHER);
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt2.0a1b2c.6", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_OTHER);
    CU_ASSERT_EQUAL(probe_roundtrip_match("r.0a1b2c.6", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_OTHER);
    /* a dotted name of its own */
    CU_ASSERT_EQUAL(probe_roundtrip_match("a.b.ff.1", "a.b", "a.b.ff.2"), PROBE_ROUNDTRIP_STALE);
    CU_ASSERT_EQUAL(probe_roundtrip_match("a.b.ff.1", "a", "a.ff.2"), PROBE_ROUNDTRIP_OTHER);
    /* malformed */
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt.0a1b2c.", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_OTHER);
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt.0a1b2c.x", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_OTHER);
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt..7", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_OTHER);
    CU_ASSERT_EQUAL(probe_roundtrip_match("", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_OTHER);
    CU_ASSERT_EQUAL(probe_roundtrip_match("rt", "rt", "rt.0a1b2c.7"), PROBE_ROUNDTRIP_OTHER);
}

static void test_roundtrip_header(void)
{
    char v[PROBE_ROUNDTRIP_TAG_MAX];
    CU_ASSERT_EQUAL(probe_roundtrip_header("X-Mtamon-Probe: rt.ab.1", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "rt.ab.1");
    CU_ASSERT_EQUAL(probe_roundtrip_header("x-mtamon-probe:\t rt.ab.1 \t", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "rt.ab.1");
    CU_ASSERT_EQUAL(probe_roundtrip_header("X-Mtamon-Probe : my probe.ab.1", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "my probe.ab.1");
    CU_ASSERT_EQUAL(probe_roundtrip_header("X-Mtamon-Probes: rt.ab.1", v, sizeof v), -1);
    CU_ASSERT_EQUAL(probe_roundtrip_header("Subject: mtamon round trip rt.ab.1", v, sizeof v), -1);
    CU_ASSERT_EQUAL(probe_roundtrip_header("", v, sizeof v), -1);
}

/* It sleeps until the earlier of the poll time and the deadline (0 when
 * that is the poll time, -1 when the deadline): checked by which of the
 * two instants had passed when it returned, the later one 10 s away. */
static void test_roundtrip_wait(void)
{
    int64_t t0 = monotonic_ms();
    CU_ASSERT_EQUAL(probe_roundtrip_wait(t0 + 30, t0 + 10000), 0);
    int64_t t1 = monotonic_ms();
    CU_ASSERT(t1 >= t0 + 30);    /* the poll time has passed */
    CU_ASSERT(t1 < t0 + 10000);  /* the deadline has not */
    CU_ASSERT_EQUAL(probe_roundtrip_wait(t1 + 10000, t1 + 30), -1);
    int64_t t2 = monotonic_ms();
    CU_ASSERT(t2 >= t1 + 30);    /* the deadline has passed */
    CU_ASSERT(t2 < t1 + 10000);  /* the poll time has not */
    CU_ASSERT_EQUAL(probe_roundtrip_wait(t2 - 5, t2 - 10), -1);
}

/* ------------------------------------------------------------------------ */
/* Dialogs against fake servers                                              */

/* A probe of @p kind on 127.0.0.1:@p port; strings point at static text. */
struct target {
    struct config_probe conf;
    char address[32];
};

static void target_init(struct target *t, enum config_probe_kind kind, uint16_t port)
{
    memset(t, 0, sizeof *t);
    snprintf(t->address, sizeof t->address, "127.0.0.1:%u", (unsigned)port);
    struct config_probe *c = &t->conf;
    c->name = (char *)"mail";
    c->kind = kind;
    c->server.address = t->address;
    c->server.host = (char *)"127.0.0.1";
    c->server.port = port;
    c->server.unix_path = (char *)"";
    c->server.tls = CONFIG_TLS_NONE;
    c->server.tls_verify = 1;
    c->server.tls_ca = (char *)"";
    c->server.tls_name = (char *)"";
    c->server.credentials = (char *)"";
    c->server.user = (char *)"";
    c->server.password = (char *)"";
    c->timeout_ms = 3000;
    c->helo = (char *)"probe.test";
    c->http_path = c->http_host = c->ldap_search = (char *)"";
    c->mail_from = c->mail_to = (char *)"";
    c->mailbox = c->server;
}

typedef void (*dialog_fn)(const struct config_probe *, probe_tls *, int64_t,
                          struct probe_check *);

/* Run @p fn against @p script; returns the server (stopped by the caller)
 * with *@p out filled and its total_ms set. */
static fake_server *run(const struct fake_action *script, struct target *t,
                        enum config_probe_kind kind, dialog_fn fn, const struct test_cert *tc,
                        struct probe_check *out)
{
    fake_server *fs = fake_server_start(script, NULL, tc ? tc->cert : NULL, tc ? tc->key : NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
    if (!t->conf.name)
        target_init(t, kind, fake_server_port(fs));
    else {
        snprintf(t->address, sizeof t->address, "127.0.0.1:%u", (unsigned)fake_server_port(fs));
        t->conf.server.port = fake_server_port(fs);
    }
    char err[256] = "";
    probe_tls *tls = probe_tls_new(&t->conf.server, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tls);
    memset(out, 0, sizeof *out);
    int64_t start = monotonic_ms();
    fn(&t->conf, tls, start + t->conf.timeout_ms, out);
    out->total_ms = (uint32_t)(monotonic_ms() - start);
    probe_tls_free(tls);
    return fs;
}

static const struct fake_action smtp_up[] = {
    FAKE_SEND("220 mx.test ESMTP\r\n"),
    FAKE_EXPECT("EHLO probe.test\r"),
    FAKE_SLEEP(150),
    FAKE_SEND("250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"),
    FAKE_EXPECT("QUIT\r"),
    FAKE_SEND("221 2.0.0 Bye\r\n"),
    FAKE_END,
};

static void test_smtp_up(void)
{
    struct target t = {0};
    struct probe_check out;
    fake_server *fs = run(smtp_up, &t, CONFIG_PROBE_SMTP, probe_dialog_smtp, NULL, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,ehlo,quit");
    /* the server's 150 ms pause is the EHLO step's, not another's: the
     * steps, one after the other, add up to no more than the check */
    CU_ASSERT(pf_step_ms(&out, "ehlo") >= 150);
    CU_ASSERT(pf_steps_within(&out));
    CU_ASSERT(out.total_ms >= 150);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    CU_ASSERT_EQUAL(pf_completed(fs, 1), 1);
    fake_server_stop(fs);
}

static const struct fake_action smtp_421[] = {
    FAKE_SEND("421 4.3.2 Service not available\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static const struct fake_action smtp_554_multi[] = {
    FAKE_SEND("554-mx.test\r\n554 5.7.1 no \x01service\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static const struct fake_action smtp_garbage[] = {
    FAKE_SEND("SSH-2.0-OpenSSH_9.2\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static void test_smtp_greeting_refused(void)
{
    struct target t = {0};
    struct probe_check out;
    fake_server *fs = run(smtp_421, &t, CONFIG_PROBE_SMTP, probe_dialog_smtp, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 421, "greeting: 421 4.3.2 Service not available", "connect");
    CU_ASSERT(!pf_sent(fs, "EHLO"));
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);

    memset(&t, 0, sizeof t);
    fs = run(smtp_554_multi, &t, CONFIG_PROBE_SMTP, probe_dialog_smtp, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 554, NULL, NULL);
    /* the last line's text, made printable */
    CU_ASSERT(strncmp(out.error, "greeting: 554 5.7.1 no ", 23) == 0);
    CU_ASSERT(strstr(out.error, "service") != NULL);
    CU_ASSERT(strchr(out.error, '\x01') == NULL);
    CU_ASSERT(pf_steps_are(&out, "connect", (char *)NULL));
    fake_server_stop(fs);

    memset(&t, 0, sizeof t);
    fs = run(smtp_garbage, &t, CONFIG_PROBE_SMTP, probe_dialog_smtp, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "greeting: not an SMTP reply: SSH-2.0-OpenSSH_9.2", NULL);
    fake_server_stop(fs);
}

static const struct fake_action smtp_ehlo_502[] = {
    FAKE_SEND("220 mx.test ESMTP\r\n"),
    FAKE_EXPECT("EHLO "),
    FAKE_SEND("502 5.5.2 Error: command not recognized\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static const struct fake_action smtp_mixed_codes[] = {
    FAKE_SEND("220 mx.test ESMTP\r\n"),
    FAKE_EXPECT("EHLO "),
    FAKE_SEND("250-mx.test\r\n251 odd\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static void test_smtp_ehlo_refused(void)
{
    struct target t = {0};
    struct probe_check out;
    fake_server *fs = run(smtp_ehlo_502, &t, CONFIG_PROBE_SMTP, probe_dialog_smtp, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 502, "ehlo: 502 5.5.2 Error: command not recognized",
                    "connect,greeting");
    fake_server_stop(fs);

    memset(&t, 0, sizeof t);
    fs = run(smtp_mixed_codes, &t, CONFIG_PROBE_SMTP, probe_dialog_smtp, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "ehlo: reply codes differ (250, then 251): 251 odd", NULL);
    fake_server_stop(fs);
}

static const struct fake_action smtp_starttls[] = {
    FAKE_SEND("220 mx.test ESMTP\r\n"),
    FAKE_EXPECT("EHLO probe.test\r"),
    FAKE_SEND("250-mx.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n"
              "250 8BITMIME\r\n"),
    FAKE_EXPECT("STARTTLS\r"),
    FAKE_SEND("220 2.0.0 Ready to start TLS\r\n"),
    FAKE_TLS,
    FAKE_EXPECT("EHLO probe.test\r"),
    FAKE_SEND("250-mx.test\r\n250 AUTH PLAIN\r\n"),
    FAKE_EXPECT("QUIT\r"),
    FAKE_SEND("221 2.0.0 Bye\r\n"),
    FAKE_END,
};

static const struct fake_action smtp_no_starttls[] = {
    FAKE_SEND("220 mx.test ESMTP\r\n"),
    FAKE_EXPECT("EHLO "),
    FAKE_SEND("250-mx.test\r\n250-PIPELINING\r\n250 X-STARTTLS\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static void test_smtp_starttls(void)
{
    struct test_cert tc;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(test_cert_make(&tc, err, sizeof err), 0);
    struct target t = {0};
    struct probe_check out;
    target_init(&t, CONFIG_PROBE_SMTP, 1);  /* run() sets the port */
    t.conf.server.tls = CONFIG_TLS_STARTTLS;
    t.conf.server.tls_ca = tc.cert;
    t.conf.server.tls_name = (char *)"localhost";
    fake_server *fs = run(smtp_starttls, &t, CONFIG_PROBE_SMTP, probe_dialog_smtp, &tc, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,ehlo,starttls,ehlo2,quit");
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    CU_ASSERT_EQUAL(pf_completed(fs, 1), 1);
    fake_server_stop(fs);

    /* not offered: never asked for */
    fs = run(smtp_no_starttls, &t, CONFIG_PROBE_SMTP, probe_dialog_smtp, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "starttls: not offered", "connect,greeting,ehlo");
    CU_ASSERT(!pf_sent(fs, "STARTTLS"));
    fake_server_stop(fs);
    test_cert_remove(&tc);
}

static const struct fake_action lmtp_up[] = {
    FAKE_SEND("220 dovecot LMTP ready\r\n"),
    FAKE_EXPECT("LHLO probe.test\r"),
    FAKE_SEND("250-dovecot\r\n250-8BITMIME\r\n250 PIPELINING\r\n"),
    FAKE_EXPECT("QUIT\r"),
    FAKE_SEND("221 2.0.0 OK\r\n"),
    FAKE_END,
};

static void test_lmtp_lhlo(void)
{
    struct target t = {0};
    struct probe_check out;
    fake_server *fs = run(lmtp_up, &t, CONFIG_PROBE_LMTP, probe_dialog_smtp, NULL, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,lhlo,quit");
    CU_ASSERT(!pf_sent(fs, "EHLO"));
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);
}

static const struct fake_action imap_up[] = {
    FAKE_SEND("* OK [CAPABILITY IMAP4rev1 LITERAL+ STARTTLS] Dovecot ready.\r\n"),
    FAKE_EXPECT("m1 LOGOUT\r"),
    FAKE_SEND("* BYE Logging out\r\nm1 OK Logout completed.\r\n"),
    FAKE_END,
};

static const struct fake_action imap_login[] = {
    FAKE_SEND("* OK Dovecot ready.\r\n"),
    FAKE_EXPECT("m1 LOGIN \"probe\" \"p\\\"w\\\\d\"\r"),
    FAKE_SEND("* CAPABILITY IMAP4rev1 IDLE\r\n* OK [ALERT] mind the gap\r\n"
              "m0 OK not yours\r\n"
              "m1 OK [CAPABILITY IMAP4rev1] Logged in\r\n"),
    FAKE_EXPECT("m2 LOGOUT\r"),
    FAKE_SEND("* BYE Logging out\r\nm2 OK Logout completed.\r\n"),
    FAKE_END,
};

static const struct fake_action imap_login_no[] = {
    FAKE_SEND("* OK Dovecot ready.\r\n"),
    FAKE_EXPECT("m1 LOGIN "),
    FAKE_SEND("m1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static const struct fake_action imap_login_literal[] = {
    FAKE_SEND("* OK Dovecot ready.\r\n"),
    FAKE_EXPECT("m1 LOGIN \"probe\" {5}\r"),
    FAKE_SEND("+ OK\r\n"),
    FAKE_EXPECT("caf\xc3\xa9\r"),
    FAKE_SEND("m1 OK Logged in\r\n"),
    FAKE_EXPECT("m2 LOGOUT\r"),
    FAKE_SEND("m2 OK Logout completed.\r\n"),
    FAKE_END,
};

static const struct fake_action imap_bye[] = {
    FAKE_SEND("* BYE Too many connections\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static const struct fake_action imap_preauth[] = {
    FAKE_SEND("* PREAUTH IMAP4rev1 server logged in as probe\r\n"),
    FAKE_EXPECT("m1 LOGOUT\r"),
    FAKE_SEND("* BYE\r\nm1 OK done\r\n"),
    FAKE_END,
};

static void test_imap_up(void)
{
    struct target t = {0};
    struct probe_check out;
    fake_server *fs = run(imap_up, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, NULL, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,logout");
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    CU_ASSERT_EQUAL(pf_completed(fs, 1), 1);
    fake_server_stop(fs);

    /* with LOGIN (quoted), untagged lines and another tag skipped */
    target_init(&t, CONFIG_PROBE_IMAP, 1);
    t.conf.server.user = (char *)"probe";
    t.conf.server.password = (char *)"p\"w\\d";
    fs = run(imap_login, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, NULL, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,login,logout");
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);

    /* an 8-bit password goes as a literal */
    t.conf.server.password = (char *)"caf\xc3\xa9";
    fs = run(imap_login_literal, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, NULL, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,login,logout");
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);

    /* PREAUTH: no LOGIN even with credentials */
    fs = run(imap_preauth, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, NULL, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,logout");
    CU_ASSERT(!pf_sent(fs, "LOGIN"));
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);
}

static void test_imap_refused(void)
{
    struct target t = {0};
    struct probe_check out;
    target_init(&t, CONFIG_PROBE_IMAP, 1);
    t.conf.server.user = (char *)"probe";
    t.conf.server.password = (char *)"wrong";
    fake_server *fs = run(imap_login_no, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "login: NO [AUTHENTICATIONFAILED] Authentication failed.",
                    "connect,greeting");
    CU_ASSERT(!pf_sent(fs, "LOGOUT"));
    fake_server_stop(fs);

    fs = run(imap_bye, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "greeting: BYE Too many connections", "connect");
    fake_server_stop(fs);

    fs = run(smtp_421, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "greeting: not an IMAP greeting: 421 4.3.2 Service not available",
                    NULL);
    fake_server_stop(fs);
}

static const struct fake_action pop3_up[] = {
    FAKE_SEND("+OK Dovecot ready.\r\n"),
    FAKE_EXPECT("QUIT\r"),
    FAKE_SEND("+OK Logging out.\r\n"),
    FAKE_END,
};

static const struct fake_action pop3_login[] = {
    FAKE_SEND("+OK Dovecot ready.\r\n"),
    FAKE_EXPECT("USER probe\r"),
    FAKE_SEND("+OK\r\n"),
    FAKE_EXPECT("PASS s3cret\r"),
    FAKE_SLEEP(120),
    FAKE_SEND("+OK Logged in.\r\n"),
    FAKE_EXPECT("QUIT\r"),
    FAKE_SEND("+OK Logging out.\r\n"),
    FAKE_END,
};

static const struct fake_action pop3_pass_err[] = {
    FAKE_SEND("+OK Dovecot ready.\r\n"),
    FAKE_EXPECT("USER probe\r"),
    FAKE_SEND("+OK\r\n"),
    FAKE_EXPECT("PASS "),
    FAKE_SEND("-ERR [AUTH] Authentication failed.\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static const struct fake_action pop3_greeting_err[] = {
    FAKE_SEND("-ERR [SYS/TEMP] too busy\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static void test_pop3(void)
{
    struct target t = {0};
    struct probe_check out;
    fake_server *fs = run(pop3_up, &t, CONFIG_PROBE_POP3, probe_dialog_pop3, NULL, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,quit");
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    CU_ASSERT_EQUAL(pf_completed(fs, 1), 1);
    fake_server_stop(fs);

    t.conf.server.user = (char *)"probe";
    t.conf.server.password = (char *)"s3cret";
    fs = run(pop3_login, &t, CONFIG_PROBE_POP3, probe_dialog_pop3, NULL, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,user,pass,quit");
    CU_ASSERT(pf_step_ms(&out, "pass") >= 120); /* the server's pause, not USER's */
    CU_ASSERT(pf_steps_within(&out));
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);

    fs = run(pop3_pass_err, &t, CONFIG_PROBE_POP3, probe_dialog_pop3, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "pass: -ERR [AUTH] Authentication failed.",
                    "connect,greeting,user");
    CU_ASSERT(!pf_sent(fs, "QUIT"));
    fake_server_stop(fs);

    fs = run(pop3_greeting_err, &t, CONFIG_PROBE_POP3, probe_dialog_pop3, NULL, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "greeting: -ERR [SYS/TEMP] too busy", "connect");
    fake_server_stop(fs);
}

static const struct fake_action imap_starttls[] = {
    FAKE_SEND("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready.\r\n"),
    FAKE_EXPECT("m1 STARTTLS\r"),
    FAKE_SEND("m1 OK Begin TLS negotiation now.\r\n"),
    FAKE_TLS,
    FAKE_EXPECT("m2 LOGIN \"probe\" \"pw\"\r"),
    FAKE_SEND("m2 OK Logged in\r\n"),
    FAKE_EXPECT("m3 LOGOUT\r"),
    FAKE_SEND("* BYE\r\nm3 OK Logout completed.\r\n"),
    FAKE_END,
};

static const struct fake_action imap_no_starttls[] = {
    FAKE_SEND("* OK ready.\r\n"),
    FAKE_EXPECT("m1 CAPABILITY\r"),
    FAKE_SEND("* CAPABILITY IMAP4rev1 XSTARTTLS AUTH=PLAIN\r\nm1 OK done\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

static const struct fake_action pop3_stls[] = {
    FAKE_SEND("+OK Dovecot ready.\r\n"),
    FAKE_EXPECT("STLS\r"),
    FAKE_SEND("+OK Begin TLS negotiation\r\n"),
    FAKE_TLS,
    FAKE_EXPECT("QUIT\r"),
    FAKE_SEND("+OK Logging out.\r\n"),
    FAKE_END,
};

static const struct fake_action pop3_no_stls[] = {
    FAKE_SEND("+OK Dovecot ready.\r\n"),
    FAKE_EXPECT("STLS\r"),
    FAKE_SEND("-ERR Unknown command.\r\n"),
    FAKE_READ_EOF,
    FAKE_END,
};

/* IMAP STARTTLS and POP3 STLS: upgraded, or refused with the reason. */
static void test_imap_pop3_starttls(void)
{
    struct test_cert tc;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(test_cert_make(&tc, err, sizeof err), 0);
    struct target t;
    struct probe_check out;
    target_init(&t, CONFIG_PROBE_IMAP, 1);
    t.conf.server.tls = CONFIG_TLS_STARTTLS;
    t.conf.server.tls_ca = tc.cert;
    t.conf.server.tls_name = (char *)"localhost";
    t.conf.server.user = (char *)"probe";
    t.conf.server.password = (char *)"pw";
    fake_server *fs = run(imap_starttls, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, &tc, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,starttls,login,logout");
    CU_ASSERT_EQUAL(pf_completed(fs, 1), 1);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);

    fs = run(imap_no_starttls, &t, CONFIG_PROBE_IMAP, probe_dialog_imap, &tc, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "starttls: not offered", "connect,greeting");
    CU_ASSERT(!pf_sent(fs, "STARTTLS"));
    CU_ASSERT(!pf_sent(fs, "LOGIN"));
    fake_server_stop(fs);

    t.conf.kind = CONFIG_PROBE_POP3;
    t.conf.server.user = (char *)"";
    fs = run(pop3_stls, &t, CONFIG_PROBE_POP3, probe_dialog_pop3, &tc, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "connect,greeting,stls,quit");
    CU_ASSERT_EQUAL(pf_completed(fs, 1), 1);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    fake_server_stop(fs);

    fs = run(pop3_no_stls, &t, CONFIG_PROBE_POP3, probe_dialog_pop3, &tc, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "stls: -ERR Unknown command.", "connect,greeting");
    fake_server_stop(fs);
    test_cert_remove(&tc);
}

UT_MAIN("probe_mail",
        {"SMTP reply lines", test_smtp_parse_line},
        {"EHLO keywords", test_smtp_ext},
        {"AUTH PLAIN", test_smtp_auth_plain},
        {"EHLO name", test_smtp_helo_name},
        {"IMAP quoting", test_imap_quote},
        {"round trip tags", test_roundtrip_tags},
        {"round trip header", test_roundtrip_header},
        {"round trip wait", test_roundtrip_wait},
        {"SMTP up, step times", test_smtp_up},
        {"SMTP 421/554/garbage greeting", test_smtp_greeting_refused},
        {"SMTP EHLO refused", test_smtp_ehlo_refused},
        {"SMTP STARTTLS", test_smtp_starttls},
        {"LMTP LHLO", test_lmtp_lhlo},
        {"IMAP up, LOGIN, PREAUTH", test_imap_up},
        {"IMAP refused", test_imap_refused},
        {"POP3", test_pop3},
        {"IMAP STARTTLS, POP3 STLS", test_imap_pop3_starttls})
