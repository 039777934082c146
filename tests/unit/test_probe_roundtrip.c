/*
 * test_probe_roundtrip.c - the end-to-end round trip
 * (probe_dialog_roundtrip.c, probe_roundtrip_imap.c, _pop3.c) against a
 * scripted SMTP fake and a scripted IMAP or POP3 fake: the tagged
 * message submitted, found on a later poll, deleted; an earlier round's
 * message deleted and not counted; a message that never comes is down at
 * the deadline; a refused submission.
 *
 * Which poll found the message is told by the scripts (a poll more or
 * less is a mismatch), not by the time it took: no duration is bounded
 * from above here (timings belong to bench/).
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

/* ------------------------------------------------------------------------ */
/* Scripts made at run time (literal sizes, tags)                            */

#define SCRIPT_MAX 64

struct script {
    struct fake_action act[SCRIPT_MAX];
    char text[SCRIPT_MAX][512];
    size_t n;
};

static void add(struct script *s, enum fake_action_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add(struct script *s, enum fake_action_kind kind, const char *fmt, ...)
{
    CU_ASSERT_FATAL(s->n + 1 < SCRIPT_MAX);
    struct fake_action *a = &s->act[s->n];
    a->kind = kind;
    a->ms = 0;
    a->text = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->text[s->n], sizeof s->text[s->n], fmt, ap);
        va_end(ap);
        a->text = s->text[s->n];
    }
    s->n++;
    s->act[s->n].kind = FAKE_ACT_END;
}
#define SEND(s, ...) add((s), FAKE_ACT_SEND, __VA_ARGS__)
#define EXPECT(s, ...) add((s), FAKE_ACT_EXPECT, __VA_ARGS__)

/* The IMAP FETCH response of message @p seq, UID @p uid, whose header
 * is "X-Mtamon-Probe: @p tag" ("" for a message without one), added to
 * the text in @p buf. */
static void fetch_line(char *buf, size_t len, unsigned seq, unsigned uid, const char *tag)
{
    size_t used = strlen(buf);
    char lit[200];
    if (tag[0])
        snprintf(lit, sizeof lit, "X-Mtamon-Probe: %s\r\n\r\n", tag);
    else
        snprintf(lit, sizeof lit, "\r\n");
    snprintf(buf + used, len - used,
             "* %u FETCH (UID %u BODY[HEADER.FIELDS (X-MTAMON-PROBE)] {%zu}\r\n%s)\r\n", seq, uid,
             strlen(lit), lit);
}

/* The SMTP side: a whole submission of one message. */
static void smtp_script(struct script *s)
{
    SEND(s, "220 mx.test ESMTP\r\n");
    EXPECT(s, "EHLO probe.test\r");
    SEND(s, "250-mx.test\r\n250 8BITMIME\r\n");
    EXPECT(s, "MAIL FROM:<probe@test.example>\r");
    SEND(s, "250 2.1.0 Ok\r\n");
    EXPECT(s, "RCPT TO:<box@test.example>\r");
    SEND(s, "250 2.1.5 Ok\r\n");
    EXPECT(s, "DATA\r");
    SEND(s, "354 End data with <CR><LF>.<CR><LF>\r\n");
    for (int i = 0; i < 10; i++)  /* 8 header lines, the blank line, the body */
        EXPECT(s, NULL);
    EXPECT(s, ".\r");
    SEND(s, "250 2.0.0 Ok: queued as 4ABC\r\n");
    EXPECT(s, "QUIT\r");
    SEND(s, "221 2.0.0 Bye\r\n");
}

/* ------------------------------------------------------------------------ */
/* The probe                                                                 */

struct rt {
    struct config_probe conf;
    char smtp_addr[32], box_addr[32];
    struct probe_roundtrip_state state;
};

/* @p ep at 127.0.0.1:@p port, its address text in @p addr (32 bytes). */
static void aim(struct config_probe_endpoint *ep, char *addr, uint16_t port)
{
    snprintf(addr, 32, "127.0.0.1:%u", (unsigned)port);
    ep->address = addr;
    ep->port = port;
}

/* A plain endpoint on 127.0.0.1 without credentials (aim() gives its port). */
static void endpoint(struct config_probe_endpoint *ep)
{
    ep->host = (char *)"127.0.0.1";
    ep->unix_path = (char *)"";
    ep->tls = CONFIG_TLS_NONE;
    ep->tls_verify = 1;
    ep->tls_ca = ep->tls_name = ep->credentials = (char *)"";
    ep->user = ep->password = (char *)"";
}

/* A round trip into a mailbox of kind @p box (rt_round() gives the ports). */
static void rt_init(struct rt *r, enum config_probe_kind box, unsigned timeout_ms,
                    unsigned poll_ms)
{
    memset(r, 0, sizeof *r);
    struct config_probe *c = &r->conf;
    c->name = (char *)"rt";
    c->kind = CONFIG_PROBE_ROUNDTRIP;
    endpoint(&c->server);
    endpoint(&c->mailbox);
    c->mailbox.user = (char *)"box";
    c->mailbox.password = (char *)"pw";
    c->mailbox_kind = box;
    c->timeout_ms = timeout_ms;
    c->poll_ms = poll_ms;
    c->helo = (char *)"probe.test";
    c->http_path = c->http_host = c->ldap_search = (char *)"";
    c->mail_from = (char *)"probe@test.example";
    c->mail_to = (char *)"box@test.example";
    /* this round's tag is rt.abc123.5; earlier rounds' rt.abc123.4... */
    snprintf(r->state.run_id, sizeof r->state.run_id, "abc123");
    r->state.sequence = 4;
}

static void rt_run(struct rt *r, struct probe_check *out)
{
    char err[256] = "";
    probe_tls *tls = probe_tls_new(&r->conf.server, err, sizeof err);
    probe_tls *box_tls = probe_tls_new(&r->conf.mailbox, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tls);
    CU_ASSERT_PTR_NOT_NULL_FATAL(box_tls);
    memset(out, 0, sizeof *out);
    int64_t start = monotonic_ms();
    probe_dialog_roundtrip(&r->conf, tls, box_tls, &r->state, start + r->conf.timeout_ms, out);
    out->total_ms = (uint32_t)(monotonic_ms() - start);
    probe_tls_free(tls);
    probe_tls_free(box_tls);
}

/* The two fakes of a round: the submission server and the mailbox. */
struct fakes {
    fake_server *smtp, *box;
};

/* Start fakes playing @p smtp and @p box (NULL: a mailbox port where
 * nothing listens), aim @p r at them and run one round into @p out. */
static void rt_round(struct rt *r, const struct fake_action *smtp, const struct fake_action *box,
                     struct fakes *fs, struct probe_check *out)
{
    fs->smtp = fake_server_start(smtp, NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fs->smtp);
    aim(&r->conf.server, r->smtp_addr, fake_server_port(fs->smtp));
    fs->box = NULL;
    if (box) {
        fs->box = fake_server_start(box, NULL, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fs->box);
    }
    aim(&r->conf.mailbox, r->box_addr, box ? fake_server_port(fs->box) : fake_server_closed_port());
    rt_run(r, out);
}

static void fakes_stop(struct fakes *fs)
{
    fake_server_stop(fs->smtp);
    fake_server_stop(fs->box);
}

/* Fresh scripts: a whole submission in @p smtp, the mailbox's log-in
 * (@p open) in @p box. */
static void scripts_begin(struct script *smtp, struct script *box, void (*open)(struct script *))
{
    memset(smtp, 0, sizeof *smtp);
    memset(box, 0, sizeof *box);
    smtp_script(smtp);
    open(box);
}

/* ------------------------------------------------------------------------ */
/* IMAP                                                                      */

static void imap_open(struct script *s)
{
    SEND(s, "* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n");
    EXPECT(s, "m1 LOGIN \"box\" \"pw\"\r");
    SEND(s, "m1 OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in\r\n");
    EXPECT(s, "m2 SELECT INBOX\r");
    SEND(s, "* 2 EXISTS\r\n* 0 RECENT\r\nm2 OK [READ-WRITE] Select completed.\r\n");
}

/* A poll's search at tag *@p tag, the next tags after it: it finds the
 * UIDs @p found ("7 8"; "" none, and then no fetch), whose fetch (of
 * @p set, "7,8") answers the FETCH lines @p fetched. */
static void imap_search(struct script *box, unsigned *tag, const char *found, const char *set,
                        const char *fetched)
{
    EXPECT(box, "m%u UID SEARCH HEADER X-Mtamon-Probe \"rt.\"\r", *tag);
    SEND(box, "* SEARCH%s%s\r\nm%u OK Search completed.\r\n", found[0] ? " " : "", found, *tag);
    ++*tag;
    if (!found[0])
        return;
    EXPECT(box, "m%u UID FETCH %s (UID BODY.PEEK[HEADER.FIELDS (X-Mtamon-Probe)])\r", *tag, set);
    SEND(box, "%sm%u OK Fetch completed.\r\n", fetched, *tag);
    ++*tag;
}

/* The deletion of UID @p uid at tag *@p tag, the next tags after it;
 * the expunge reports message @p seq gone (0: does not). */
static void imap_delete(struct script *box, unsigned *tag, unsigned uid, unsigned seq)
{
    char gone[32] = "";
    if (seq)
        snprintf(gone, sizeof gone, "* %u EXPUNGE\r\n", seq);
    EXPECT(box, "m%u UID STORE %u +FLAGS.SILENT (\\Deleted)\r", *tag, uid);
    SEND(box, "m%u OK Store completed.\r\n", *tag);
    ++*tag;
    EXPECT(box, "m%u UID EXPUNGE %u\r", *tag, uid);
    SEND(box, "%sm%u OK Expunge completed.\r\n", gone, *tag);
    ++*tag;
}

/* Found on the second poll; the first finds an earlier round's message
 * (deleted) and another probe's (left alone). */
static void test_imap_second_poll(void)
{
    static struct script smtp, box;
    char fetched[400] = "";
    unsigned tag = 3;
    scripts_begin(&smtp, &box, imap_open);
    /* poll 1 */
    fetch_line(fetched, sizeof fetched, 1, 7, "rt.abc123.4");
    fetch_line(fetched, sizeof fetched, 2, 8, "rt.x.abc123.9");
    imap_search(&box, &tag, "7 8", "7,8", fetched);
    imap_delete(&box, &tag, 7, 1);
    /* poll 2 */
    EXPECT(&box, "m7 NOOP\r");
    SEND(&box, "* 2 EXISTS\r\nm7 OK NOOP completed.\r\n");
    tag++;
    fetched[0] = '\0';
    fetch_line(fetched, sizeof fetched, 1, 8, "rt.x.abc123.9");
    fetch_line(fetched, sizeof fetched, 2, 9, "rt.abc123.5");
    imap_search(&box, &tag, "8 9", "8,9", fetched);
    imap_delete(&box, &tag, 9, 2);
    EXPECT(&box, "m12 LOGOUT\r");
    SEND(&box, "* BYE Logging out\r\nm12 OK Logout completed.\r\n");

    struct rt r;
    struct probe_check out;
    struct fakes fs;
    rt_init(&r, CONFIG_PROBE_IMAP, 5000, 200);
    rt_round(&r, smtp.act, box.act, &fs, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "submit,deliver,delete");
    CU_ASSERT(pf_step_ms(&out, "deliver") >= 200);  /* a poll interval */
    CU_ASSERT(pf_steps_within(&out));
    CU_ASSERT_EQUAL(r.state.sequence, 5);
    CU_ASSERT(pf_sent(fs.smtp, "\r\nX-Mtamon-Probe: rt.abc123.5\r\n"));
    CU_ASSERT(pf_sent(fs.smtp, "\r\nSubject: mtamon round trip rt.abc123.5\r\n"));
    CU_ASSERT(pf_sent(fs.smtp, "\r\nMessage-ID: <"));
    CU_ASSERT(pf_sent(fs.smtp, "\r\nDate: "));
    CU_ASSERT(pf_sent(fs.smtp, "\r\nFrom: <probe@test.example>\r\nTo: <box@test.example>\r\n"));
    CU_ASSERT(!pf_sent(fs.box, "STORE 8"));
    CU_ASSERT(!pf_sent(fs.box, "EXPUNGE 8"));
    CU_ASSERT_EQUAL(fake_server_mismatches(fs.smtp), 0);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs.box), 0);
    CU_ASSERT_EQUAL(pf_completed(fs.smtp, 1), 1);
    CU_ASSERT_EQUAL(pf_completed(fs.box, 1), 1);
    fakes_stop(&fs);
}

/* Only an earlier round's message (a late arrival) ever shows: it is
 * deleted, never taken for this round's, and the round is down at its
 * deadline.  With @p silent the server stops answering mid-poll. */
static void imap_never(int silent)
{
    static struct script smtp, box;
    char f1[400] = "";
    fetch_line(f1, sizeof f1, 1, 7, "rt.abc123.4");
    scripts_begin(&smtp, &box, imap_open);
    unsigned tag = 3;
    /* poll 1: the earlier round's message, deleted; then nothing */
    imap_search(&box, &tag, "7", "7", f1);
    imap_delete(&box, &tag, 7, 1);
    for (int poll = 1; poll < (silent ? 2 : 12); poll++) {
        EXPECT(&box, "m%u NOOP\r", tag);
        SEND(&box, "m%u OK NOOP completed.\r\n", tag++);
        imap_search(&box, &tag, "", "", "");
    }
    if (silent)
        add(&box, FAKE_ACT_SILENT, NULL);

    struct rt r;
    struct probe_check out;
    struct fakes fs;
    rt_init(&r, CONFIG_PROBE_IMAP, 900, 100);
    rt_round(&r, smtp.act, box.act, &fs, &out);
    UT_PROBE_EXPECT(&out, 0, 0, NULL, "submit");
    CU_ASSERT(strncmp(out.error, "deliver: not delivered within ", 30) == 0);
    CU_ASSERT(strstr(out.error, " ms") != NULL);
    CU_ASSERT(out.total_ms >= r.conf.timeout_ms);  /* not before the deadline */
    CU_ASSERT(pf_sent(fs.box, "UID STORE 7 "));
    if (!silent)  /* polled more than once within the deadline */
        CU_ASSERT(pf_sent(fs.box, "m10 UID SEARCH"));
    CU_ASSERT_EQUAL(fake_server_mismatches(fs.smtp), 0);
    fakes_stop(&fs);
}

static void test_imap_never(void)
{
    imap_never(0);
    imap_never(1);
}

/* A refused recipient: down at "submit" with the code; no mailbox. */
static void test_submit_refused(void)
{
    static const struct fake_action smtp[] = {
        FAKE_SEND("220 mx.test ESMTP\r\n"),
        FAKE_EXPECT("EHLO "),
        FAKE_SEND("250-mx.test\r\n250 8BITMIME\r\n"),
        FAKE_EXPECT("MAIL FROM:"),
        FAKE_SEND("250 2.1.0 Ok\r\n"),
        FAKE_EXPECT("RCPT TO:"),
        FAKE_SEND("550 5.1.1 <box@test.example>: Recipient address rejected\r\n"),
        FAKE_READ_EOF,
        FAKE_END,
    };
    struct rt r;
    struct probe_check out;
    struct fakes fs;
    rt_init(&r, CONFIG_PROBE_IMAP, 3000, 100);
    rt_round(&r, smtp, NULL, &fs, &out);
    UT_PROBE_EXPECT(&out, 0, 550,
                    "submit: RCPT: 550 5.1.1 <box@test.example>: Recipient address rejected", "");
    CU_ASSERT(!pf_sent(fs.smtp, "DATA"));
    fakes_stop(&fs);

    /* AUTH asked for and not offered */
    rt_init(&r, CONFIG_PROBE_IMAP, 3000, 100);
    r.conf.server.user = (char *)"sender";
    r.conf.server.password = (char *)"pw";
    rt_round(&r, smtp, NULL, &fs, &out);
    UT_PROBE_EXPECT(&out, 0, 0, "submit: AUTH: PLAIN not offered", NULL);
    fakes_stop(&fs);

    /* the mailbox refuses connections */
    static struct script ok;
    memset(&ok, 0, sizeof ok);
    smtp_script(&ok);
    rt_init(&r, CONFIG_PROBE_IMAP, 3000, 100);
    rt_round(&r, ok.act, NULL, &fs, &out);
    UT_PROBE_EXPECT(&out, 0, 0, NULL, "submit");
    CU_ASSERT(strncmp(out.error, "deliver: connect: ", 18) == 0);
    fakes_stop(&fs);
}

/* AUTH PLAIN when the submission server has credentials. */
static void test_submit_auth(void)
{
    static struct script smtp, box;
    char f1[400] = "";
    memset(&smtp, 0, sizeof smtp);
    memset(&box, 0, sizeof box);
    SEND(&smtp, "220 mx.test ESMTP\r\n");
    EXPECT(&smtp, "EHLO probe.test\r");
    SEND(&smtp, "250-mx.test\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n");
    /* "\0sender\0pw" */
    EXPECT(&smtp, "AUTH PLAIN AHNlbmRlcgBwdw==\r");
    SEND(&smtp, "235 2.7.0 Authentication successful\r\n");
    EXPECT(&smtp, "MAIL FROM:<probe@test.example>\r");
    SEND(&smtp, "250 2.1.0 Ok\r\n");
    EXPECT(&smtp, "RCPT TO:<box@test.example>\r");
    SEND(&smtp, "250 2.1.5 Ok\r\n");
    EXPECT(&smtp, "DATA\r");
    SEND(&smtp, "354 go ahead\r\n");
    for (int i = 0; i < 10; i++)
        EXPECT(&smtp, NULL);
    EXPECT(&smtp, ".\r");
    SEND(&smtp, "250 2.0.0 Ok: queued\r\n");
    EXPECT(&smtp, "QUIT\r");
    SEND(&smtp, "221 2.0.0 Bye\r\n");
    imap_open(&box);
    unsigned tag = 3;
    fetch_line(f1, sizeof f1, 1, 3, "rt.abc123.5");
    imap_search(&box, &tag, "3", "3", f1);
    imap_delete(&box, &tag, 3, 0);
    EXPECT(&box, "m7 LOGOUT\r");
    SEND(&box, "m7 OK Logout completed.\r\n");
    struct rt r;
    struct probe_check out;
    struct fakes fs;
    /* A poll interval longer than the timeout: up only if the first poll,
     * with no wait before it, found the message. */
    rt_init(&r, CONFIG_PROBE_IMAP, 3000, 60000);
    r.conf.server.user = (char *)"sender";
    r.conf.server.password = (char *)"pw";
    rt_round(&r, smtp.act, box.act, &fs, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "submit,deliver,delete");
    CU_ASSERT(!pf_sent(fs.box, " NOOP\r"));  /* no second poll */
    CU_ASSERT_EQUAL(fake_server_mismatches(fs.smtp), 0);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs.box), 0);
    fakes_stop(&fs);
}

/* ------------------------------------------------------------------------ */
/* POP3: a session per poll; every session of the fake is the same        */

static void pop3_open(struct script *s)
{
    SEND(s, "+OK Dovecot ready.\r\n");
    EXPECT(s, "USER box\r");
    SEND(s, "+OK\r\n");
    EXPECT(s, "PASS pw\r");
    SEND(s, "+OK Logged in.\r\n");
}

/* Three messages: this round's (newest), another one (dot-stuffed), an
 * earlier round's: this one and the earlier one are deleted. */
static void test_pop3_found(void)
{
    static struct script smtp, box;
    scripts_begin(&smtp, &box, pop3_open);
    EXPECT(&box, "STAT\r");
    SEND(&box, "+OK 3 2710\r\n");
    EXPECT(&box, "TOP 3 0\r");
    SEND(&box, "+OK\r\nReturn-Path: <probe@test.example>\r\nX-Mtamon-Probe: rt.abc123.5\r\n"
               "Subject: mtamon round trip rt.abc123.5\r\n\r\n.\r\n");
    EXPECT(&box, "TOP 2 0\r");
    SEND(&box, "+OK\r\nSubject: hello\r\n..X-Mtamon-Probe: rt.abc123.3\r\n\r\n.\r\n");
    EXPECT(&box, "TOP 1 0\r");
    SEND(&box, "+OK\r\nx-mtamon-probe: rt.0ldrun.77\r\n\r\n.\r\n");
    EXPECT(&box, "DELE 1\r");
    SEND(&box, "+OK Marked to be deleted.\r\n");
    EXPECT(&box, "DELE 3\r");
    SEND(&box, "+OK Marked to be deleted.\r\n");
    EXPECT(&box, "QUIT\r");
    SEND(&box, "+OK Logging out, messages deleted.\r\n");
    struct rt r;
    struct probe_check out;
    struct fakes fs;
    rt_init(&r, CONFIG_PROBE_POP3, 3000, 100);
    rt_round(&r, smtp.act, box.act, &fs, &out);
    UT_PROBE_EXPECT(&out, 1, 0, "", "submit,deliver,delete");
    CU_ASSERT(!pf_sent(fs.box, "DELE 2"));
    CU_ASSERT_EQUAL(fake_server_connections(fs.box), 1);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs.smtp), 0);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs.box), 0);
    CU_ASSERT_EQUAL(pf_completed(fs.box, 1), 1);
    fakes_stop(&fs);
}

/* Every poll shows only an earlier round's message: deleted each time,
 * polled again every poll interval, down at the deadline. */
static void test_pop3_never(void)
{
    static struct script smtp, box;
    scripts_begin(&smtp, &box, pop3_open);
    EXPECT(&box, "STAT\r");
    SEND(&box, "+OK 1 900\r\n");
    EXPECT(&box, "TOP 1 0\r");
    SEND(&box, "+OK\r\nX-Mtamon-Probe: rt.abc123.4\r\n\r\n.\r\n");
    EXPECT(&box, "DELE 1\r");
    SEND(&box, "+OK Marked to be deleted.\r\n");
    EXPECT(&box, "QUIT\r");
    SEND(&box, "+OK Logging out, messages deleted.\r\n");
    struct rt r;
    struct probe_check out;
    struct fakes fs;
    rt_init(&r, CONFIG_PROBE_POP3, 700, 100);
    rt_round(&r, smtp.act, box.act, &fs, &out);
    UT_PROBE_EXPECT(&out, 0, 0, NULL, "submit");
    CU_ASSERT(strncmp(out.error, "deliver: not delivered within ", 30) == 0);
    CU_ASSERT(out.total_ms >= r.conf.timeout_ms);  /* not before the deadline */
    CU_ASSERT(fake_server_connections(fs.box) >= 3);
    CU_ASSERT(pf_completed(fs.box, 3) >= 3);
    fakes_stop(&fs);
}

UT_MAIN("probe_roundtrip",
        {"IMAP: found on the second poll, stale deleted", test_imap_second_poll},
        {"IMAP: never arrives", test_imap_never},
        {"submission refused, no AUTH, mailbox refused", test_submit_refused},
        {"AUTH PLAIN", test_submit_auth},
        {"POP3: found, stale deleted", test_pop3_found},
        {"POP3: never arrives", test_pop3_never})
