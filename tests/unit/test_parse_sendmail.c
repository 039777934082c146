/*
 * test_parse_sendmail.c - the Sendmail syslog parser (parse_sendmail.c) on
 * strings: every record kind gives exact events with every field, the
 * queue-id state carries sizes, deferrals and pending recipients, and
 * malformed lines of any kind give an exact result and no event.
 *
 * Ground truth: hand-written lines (tests/data/feed/sendmail/kinds.log and
 * the lines below), from the formats of sendmail's Operations Guide; no
 * private sendmail can run here (see that directory's README).
 */
#include <stdlib.h>
#include <time.h>

#include "feed_fixture.h"
#include "unit_util.h"

#define QIDS_REMEMBERED 65536 /* SM_QIDS of parse_sendmail.c */

static void fresh(void)
{
    ff_fresh(&feed_format_sendmail);
}

/* An RFC 3339 header; 2026-11-23T15:33:05.123Z. */
#define RFC "2026-11-23T16:33:05.123456+01:00 mx sm-mta[42]: "
#define RFC_MS 1795447985123LL
#define QID "4ANFX5Zb012345: "
#define FROM_ESMTP QID "from=<a@example.org>, size=2048, class=0, nrcpts=2, " \
    "msgid=<m.1@example.org>, proto=ESMTP, daemon=MTA-v4, relay=mx.example.org [192.0.2.1]"
#define S511 5001001u
#define S400 4000000u
#define S441 4004001u
#define S447 4004007u
#define S571 5007001u

static void check_msg(const struct feed_event *e, enum feed_event_kind kind,
                      const char *channel, uint32_t rcpts, uint64_t octets,
                      mtamon_status_code status)
{
    ff_check_msg(e, kind, channel, "", rcpts, octets, status);
    CU_ASSERT_EQUAL(e->time_ms, RFC_MS);
    if (kind != FEED_DEQUEUE)
        CU_ASSERT_EQUAL(e->queue_ms, -1);
}

/* ------------------------------------------------------------------------ */
/* Headers                                                                   */

static void test_headers(void)
{
    fresh();
    const char *rest = " mx sm-mta[1]: " QID "from=<a@b>, size=1, class=0, nrcpts=1, relay=x [1.2.3.4]";
    static const struct {
        const char *stamp;
        int64_t ms;
    } cases[] = {
        {"2026-11-23T16:33:05.123456+01:00", RFC_MS},
        {"2026-11-23T16:33:05+0100", RFC_MS - 123},
        {"2026-11-23T15:33:05.123Z", RFC_MS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, "%s%s", cases[i].stamp, rest);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        CU_ASSERT_EQUAL(ff_events[0].time_ms, cases[i].ms);
    }
    /* Classic stamps: this year (or last), local time. */
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char line[512];
    snprintf(line, sizeof line, "%s %2d %02d:%02d:%02d%s", months[tm.tm_mon], tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, rest);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].time_ms, (int64_t)mktime(&tm) * 1000);
    /* Every tag of sendmail; Solaris' message id; NOQUEUE. */
    static const char *const tags[] = {
        "sendmail[1]", "sm-mta[1]", "sm-msp-queue[99]", "sendmail-out[1]", "sendmail",
    };
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        snprintf(line, sizeof line, "2026-11-23T15:33:05.123Z mx %s: " QID
                 "from=<a@b>, size=1, class=0, nrcpts=1, relay=x [1.2.3.4]", tags[i]);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    }
    CU_ASSERT_EQUAL(ff_parse("Jul 11 20:37:58 rt sendmail[9156]: [ID 801593 mail.info] "
                             "n6BKbwgB009156: from=nobody, size=2651, class=0, nrcpts=1, "
                             "msgid=<x@rt>, relay=nobody@localhost"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(ff_events[0].channel, "local");
    CU_ASSERT_EQUAL(ff_parse(RFC "NOQUEUE: ruleset=check_relay, arg1=[192.0.2.66], "
                             "arg2=127.0.0.2, relay=[192.0.2.66], reject=550 5.7.1 Listed"),
                    FEED_LINE_COUNTED);
    /* Other programs */
    static const char *const others[] = {
        "Mar 10 12:01:02 mx dovecot: imap-login: Login: user=<bob@example.com>",
        "Mar 10 12:01:03 mx postfix/smtpd[55]: connect from client.example[192.0.2.10]",
        "Mar 10 12:01:03 mx sendmailer[55]: " QID "to=<a>, delay=00:00:00, stat=Sent",
        "Mar 10 12:01:03 mx sm[55]: " QID "to=<a>, delay=00:00:00, stat=Sent",
        "Mar 10 12:01:03 mx smtp[55]: " QID "to=<a>, delay=00:00:00, stat=Sent",
    };
    FF_EXPECT_NO_EVENTS(others, FEED_LINE_SKIPPED);
    static const char *const bad[] = {
        "", "garbage", "Foo 23 16:33:05 mx sm-mta[1]: x", "2026-13-23T16:33:05Z mx sm-mta[1]: x",
        "2026-11-23T16:33:05Z  sm-mta[1]: x", "2026-11-23T16:33:05Z mx sm-mta[]: x",
        "2026-11-23T16:33:05Z mx sm-mta[1x]: x", "2026-11-23T16:33:05Z mx sm-mta[1] x",
        "2026-11-23T16:33:05Z mx sm-mta[1]: ", "2026-11-23T16:33:05Z mx sm-mta",
        "2026-11-23T16:33:05Z mx sm-mta[1]: [ID 801593 mail.info",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

/* ------------------------------------------------------------------------ */
/* Arrivals                                                                  */

static void test_from(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(RFC FROM_ESMTP), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_SUBMIT, "esmtp", 2, 2048, 0);
    /* relay= alone: "HOST [IP]" is the network, "user@localhost" local */
    CU_ASSERT_EQUAL(ff_parse(RFC "4ANFX5Zb000001: from=<a@b>, size=10, class=0, nrcpts=1, "
                             "relay=localhost [127.0.0.1]"), FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_SUBMIT, "esmtp", 1, 10, 0);
    CU_ASSERT_EQUAL(ff_parse(RFC "4ANFX5Zb000002: from=root, size=300, class=0, nrcpts=3, "
                             "msgid=<x@y>, relay=root@localhost"), FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_SUBMIT, "local", 3, 300, 0);
    /* a quoted full name with ", size=" in it: the last one counts */
    CU_ASSERT_EQUAL(ff_parse(RFC "4ANFX5Zb000003: from=\"Doe, size=9\" <d@x>, size=77, "
                             "class=0, nrcpts=1, proto=SMTP, daemon=MTA, relay=h [1.2.3.4]"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_SUBMIT, "esmtp", 1, 77, 0);
    /* nrcpts=0: every recipient refused, nothing queued */
    static const char *const known[] = {
        RFC "4ANFX5Zb000004: from=<x@spam>, size=0, class=0, nrcpts=0, proto=ESMTP, "
            "daemon=MTA-v4, relay=spam [192.0.2.67]",
    };
    FF_EXPECT_NO_EVENTS(known, FEED_LINE_KNOWN);
    static const char *const bad[] = {
        RFC QID "from=<a>, size=, class=0, nrcpts=1, relay=x [1.2.3.4]",
        RFC QID "from=<a>, size=12x, class=0, nrcpts=1, relay=x [1.2.3.4]",
        RFC QID "from=<a>, class=0, nrcpts=1, relay=x [1.2.3.4]",
        RFC QID "from=<a>, size=12, class=0, relay=x [1.2.3.4]",
        RFC QID "from=<a>, size=12, class=0, nrcpts=99999999999, relay=x [1.2.3.4]",
        RFC QID "from=<a>, size=1234567890123456789, class=0, nrcpts=1",
        RFC QID "from=<a",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

/* ------------------------------------------------------------------------ */
/* Deliveries                                                                */

static void test_sent(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(RFC FROM_ESMTP), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_parse(RFC QID "to=<b@example.com>,<c@example.com>, ctladdr=<a@x> (0/0), "
                             "delay=1+02:03:04, xdelay=00:00:01, mailer=local, pri=62096, "
                             "dsn=2.0.0, stat=Sent"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 4);
    int64_t delay = ((24 + 2) * 3600 + 3 * 60 + 4) * 1000LL;
    for (int i = 0; i < 4; i += 2) {
        check_msg(&ff_events[i], FEED_ENQUEUE, "local", 1, 2048, 0);
        check_msg(&ff_events[i + 1], FEED_DEQUEUE, "local", 1, 2048, 0);
        CU_ASSERT_EQUAL(ff_events[i + 1].queue_ms, delay);
        CU_ASSERT_EQUAL(ff_events[i + 1].first_attempt, 1);
    }
    /* All nrcpts had their final status: the queue id is forgotten. */
    CU_ASSERT_EQUAL(ff_parse(RFC QID "to=<d@example.com>, delay=00:00:00, mailer=local, "
                             "pri=1, dsn=2.0.0, stat=Sent"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].octets, 0);
    /* An unknown queue id: size 0; no mailer: "error" */
    CU_ASSERT_EQUAL(ff_parse(RFC "4ANFX5Zb000009: to=\"|/usr/bin/procmail, -a\", "
                             "delay=00:00:02, stat=Sent (ok)"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "error", 1, 0, 0);
    check_msg(&ff_events[1], FEED_DEQUEUE, "error", 1, 0, 0);
    CU_ASSERT_EQUAL(ff_events[1].queue_ms, 2000);
    /* relay= and the MSP's "Sent (ID Message accepted for delivery)" */
    CU_ASSERT_EQUAL(ff_parse("Mar 10 10:01:00 mx sendmail[3001]: 42AA03Xs003001: "
                             "to=erin@example.org, ctladdr=root (0/0), delay=00:00:00, "
                             "xdelay=00:00:00, mailer=relay, pri=30300, relay=[127.0.0.1] "
                             "[127.0.0.1], dsn=2.0.0, stat=Sent (42AA03Xt003002 Message "
                             "accepted for delivery)"), FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(ff_events[1].channel, "relay");
}

static void test_deferred_then_sent(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(RFC FROM_ESMTP), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_parse(RFC QID "to=<k@far>,<l@far>, delay=00:00:05, xdelay=00:00:05, "
                             "mailer=esmtp, pri=150000, relay=mx.far. [203.0.113.20], "
                             "dsn=4.0.0, stat=Deferred: Connection timed out with mx.far."),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 5);
    check_msg(&ff_events[0], FEED_ENQUEUE, "esmtp", 1, 2048, 0);
    check_msg(&ff_events[1], FEED_TEMPFAIL, "esmtp", 1, 2048, S400);
    check_msg(&ff_events[2], FEED_ENQUEUE, "esmtp", 1, 2048, 0);
    check_msg(&ff_events[3], FEED_TEMPFAIL, "esmtp", 1, 2048, S400);
    CU_ASSERT_EQUAL(ff_events[4].kind, FEED_ASSOC_FAIL);
    CU_ASSERT_STRING_EQUAL(ff_events[4].channel, "esmtp");
    CU_ASSERT_EQUAL(ff_events[4].status, S441);
    CU_ASSERT_STRING_EQUAL(ff_events[4].reason, "Deferred: Connection timed out with mx.far.");
    /* Deferred again: no second Received; a 451 is no connection failure */
    CU_ASSERT_EQUAL(ff_parse(RFC QID "to=<k@far>,<l@far>, delay=00:30:05, mailer=esmtp, "
                             "pri=1, dsn=4.7.1, stat=Deferred: 451 4.7.1 Greylisted"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_TEMPFAIL, "esmtp", 1, 2048, 4007001u);
    check_msg(&ff_events[1], FEED_TEMPFAIL, "esmtp", 1, 2048, 4007001u);
    /* Regrouped on the retry: each pending recipient is final on its own */
    CU_ASSERT_EQUAL(ff_parse(RFC QID "to=<k@far>, delay=01:00:05, mailer=esmtp, pri=1, "
                             "dsn=2.0.0, stat=Sent (ok)"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_DEQUEUE, "esmtp", 1, 2048, 0);
    CU_ASSERT_EQUAL(ff_events[0].first_attempt, 0);
    CU_ASSERT_EQUAL(ff_events[0].queue_ms, 3605000);
    CU_ASSERT_EQUAL(ff_parse(RFC QID "to=<l@far>, delay=01:00:07, mailer=esmtp, pri=1, "
                             "dsn=5.1.1, stat=User unknown"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_FAIL, "esmtp", 1, 2048, S511);
    /* Both final: forgotten; a pending one on another mailer is apart */
    CU_ASSERT_EQUAL(ff_parse(RFC QID "to=<k@far>, delay=01:00:05, mailer=relay, pri=1, "
                             "dsn=2.0.0, stat=Sent (ok)"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_n_events, 2);
    CU_ASSERT_EQUAL(ff_events[1].octets, 0);
}

static void test_queued_failed_expired(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(RFC "42AA12Xf012001: from=judy, size=1000, class=0, nrcpts=1, "
                             "relay=judy@localhost"), FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_SUBMIT, "local", 1, 1000, 0);
    CU_ASSERT_EQUAL(ff_parse(RFC "42AA12Xf012001: to=peggy@example.org, ctladdr=judy "
                             "(1000/1000), delay=00:00:00, mailer=relay, pri=31000, stat=queued"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_ENQUEUE, "relay", 1, 1000, 0);
    /* queued again (a queue run that deferred nothing): nothing new */
    CU_ASSERT_EQUAL(ff_parse(RFC "42AA12Xf012001: to=peggy@example.org, delay=00:01:00, "
                             "mailer=relay, pri=31000, stat=queued"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    CU_ASSERT_EQUAL(ff_parse(RFC "42AA12Xf012001: to=peggy@example.org, delay=00:05:00, "
                             "xdelay=00:00:00, mailer=relay, pri=121000, relay=[127.0.0.1] "
                             "[127.0.0.1], dsn=2.0.0, stat=Sent (x Message accepted)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_DEQUEUE, "relay", 1, 1000, 0);
    CU_ASSERT_EQUAL(ff_events[0].first_attempt, 1);
    CU_ASSERT_EQUAL(ff_events[0].queue_ms, 300000);
    /* Failures: any stat= but Sent, Deferred and queued; status from dsn= */
    static const struct {
        const char *stat;
        mtamon_status_code status;
    } fails[] = {
        {"dsn=5.1.1, stat=User unknown", S511},
        {"dsn=5.0.0, stat=Service unavailable", 5000000u},
        {"dsn=4.4.7, stat=Cannot send message for 5 days", S447},
        {"dsn=5.1.2, stat=Host unknown (Name server: nowhere.: host not found)", 5001002u},
        {"stat=Data format error", 0},
    };
    for (size_t i = 0; i < sizeof fails / sizeof fails[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, RFC "42A5Xa1Q00123%zu: to=<i@dead>, delay=5+00:00:04, "
                 "xdelay=00:00:01, mailer=esmtp, pri=8433000, relay=mx.dead., %s",
                 i, fails[i].stat);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
        check_msg(&ff_events[0], FEED_ENQUEUE, "esmtp", 1, 0, 0);
        check_msg(&ff_events[1], FEED_FAIL, "esmtp", 1, 0, fails[i].status);
    }
}

static void test_dsn(void)
{
    fresh();
    static const char *const notes[] = {
        RFC "42AA06Xx006001: 42AA06Xw006001: DSN: User unknown",
        RFC "42AA06Xx006002: 42AA06Xw006001: postmaster notify: User unknown",
        RFC "JAA12346: JAA12345: return to sender: User unknown",
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        CU_ASSERT_EQUAL(ff_parse(notes[i]), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        check_msg(&ff_events[0], FEED_SUBMIT, "local", 1, 0, 0);
    }
    CU_ASSERT_EQUAL(ff_parse(RFC "42AA06Xx006001: to=<heidi@example.org>, delay=00:00:01, "
                             "xdelay=00:00:01, mailer=esmtp, pri=32900, relay=m. [192.0.2.10], "
                             "dsn=2.0.0, stat=Sent (OK)"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_n_events, 2);
    /* Another queue id after the first, but no notification */
    CU_ASSERT_EQUAL(ff_parse(RFC "42AA06Xx006001: 42AA06Xw006001: split into 2"),
                    FEED_LINE_KNOWN);
}

/* ------------------------------------------------------------------------ */
/* Rejections and connections                                                */

static void test_rejects(void)
{
    fresh();
    static const struct {
        const char *line;
        enum feed_event_kind kind;
        const char *channel;
        mtamon_status_code status;
        const char *reason;
    } cases[] = {
        {RFC "ruleset=check_relay, arg1=[192.0.2.66], arg2=127.0.0.2, relay=[192.0.2.66], "
             "reject=550 5.7.1 Rejected: listed at zen",
         FEED_ASSOC_REJECT, "esmtp", S571, "Rejected: listed at zen"},
        {RFC QID "ruleset=check_rcpt, arg1=<s@else>, relay=spam [192.0.2.67], "
             "reject=550 5.7.1 <s@else>... Relaying denied",
         FEED_REJECT, "esmtp", S571, "<s@else>... Relaying denied"},
        {RFC QID "ruleset=check_mail, arg1=<x@nx>, relay=bad [192.0.2.68], reject=553 5.1.8 "
             "<x@nx>... Domain of sender address x@nx does not exist",
         FEED_REJECT, "esmtp", 5001008u, "<x@nx>... Domain of sender address x@nx does not exist"},
        {RFC QID "ruleset=check_mail, arg1=<y@d>, relay=f [192.0.2.69], reject=451 4.1.8 "
             "Domain of sender address y@d does not resolve",
         FEED_REJECT, "esmtp", 4001008u, "Domain of sender address y@d does not resolve"},
        {RFC QID "ruleset=check_rcpt, arg1=<a@b>, relay=root@localhost, reject=550 Denied",
         FEED_REJECT, "local", 5000000u, "Denied"},
        {RFC QID "Milter: data, reject=554 5.7.1 Message rejected as spam",
         FEED_REJECT, "esmtp", 5007001u, "Message rejected as spam"},
        {RFC QID "Milter: to=<a@b>, reject=550 5.7.1 Nope", FEED_REJECT, "esmtp", S571, "Nope"},
        {RFC QID "milter=spamass-milter, action=data, reject=550 5.7.1 Blocked",
         FEED_REJECT, "esmtp", S571, "Blocked"},
        {RFC QID "<nosuch@example.com>... User unknown", FEED_REJECT, "esmtp", S511,
         "User unknown"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_EQUAL(ff_parse(cases[i].line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        const struct feed_event *e = &ff_events[0];
        CU_ASSERT_EQUAL(e->kind, cases[i].kind);
        CU_ASSERT_STRING_EQUAL(e->channel, cases[i].channel);
        CU_ASSERT_EQUAL(e->status, cases[i].status);
        CU_ASSERT_STRING_EQUAL(e->reason, cases[i].reason);
        CU_ASSERT_EQUAL(e->recipients, cases[i].kind == FEED_REJECT ? 1u : 0u);
        CU_ASSERT_EQUAL(e->octets, 0);
        CU_ASSERT_EQUAL(e->time_ms, RFC_MS);
        if (e->status != cases[i].status)
            fprintf(stderr, "\n    case %zu: status %u\n", i, (unsigned)e->status);
    }
    static const char *const known[] = {
        RFC QID "ruleset=check_rcpt, arg1=<a@b>, relay=x [1.2.3.4], discard",
        RFC QID "ruleset=check_rcpt, arg1=<a@b>, relay=x [1.2.3.4], quarantine=spam",
        RFC QID "Milter: data, quarantine=suspicious",
        RFC QID "lost input channel from unknown [192.0.2.99] to MTA-v4 after rcpt",
        RFC "lost input channel from unknown [192.0.2.99] to MTA-v4 after rcpt",
        RFC QID "scanner [192.0.2.77] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA-v4",
        RFC "STARTTLS=server, relay=m [192.0.2.10], version=TLSv1.3, verify=NO",
        RFC "AUTH=server, relay=c [192.0.2.20], authid=bob, mech=PLAIN, bits=0",
        RFC QID "SYSERR(root): collect: I/O error on connection from unknown",
        RFC "alias database /etc/mail/aliases rebuilt by root",
        RFC QID "<someone@x>... Sender ok",
        RFC QID "\xff\xfe\xc3\x28 invalid utf-8",
    };
    FF_EXPECT_NO_EVENTS(known, FEED_LINE_KNOWN);
    static const char *const bad[] = {
        RFC QID "ruleset=check_rcpt, arg1=<a@b>, relay=x [1.2.3.4], reject=Denied",
        RFC QID "ruleset=check_rcpt, arg1=<a@b>, relay=x [1.2.3.4], reject=",
        RFC QID "ruleset=check_relay, arg1=[1.2.3.4], relay=[1.2.3.4],reject=550 x",
        RFC QID "Milter: data, reject=55 too short",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

/* ------------------------------------------------------------------------ */
/* State limits                                                              */

static void test_pending_overflow(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(RFC FROM_ESMTP), FEED_LINE_COUNTED);
    char list[512] = "";
    for (int i = 0; i < 10; i++) {
        char a[32];
        snprintf(a, sizeof a, "%s<r%d@x>", i ? "," : "", i);
        strcat(list, a);
    }
    char line[1024];
    snprintf(line, sizeof line, RFC QID "to=%s, delay=00:00:01, mailer=esmtp, pri=1, "
             "dsn=4.0.0, stat=Deferred", list);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    /* 8 fit (Received + Attempted), 2 do not (Attempted only) */
    size_t enq = 0, temp = 0;
    for (size_t i = 0; i < ff_n_events; i++) {
        enq += ff_events[i].kind == FEED_ENQUEUE;
        temp += ff_events[i].kind == FEED_TEMPFAIL;
    }
    CU_ASSERT_EQUAL(enq, 8);
    CU_ASSERT_EQUAL(temp, 10);
    /* Their final line counts Received for the 2 only */
    snprintf(line, sizeof line, RFC QID "to=%s, delay=00:00:01, mailer=esmtp, pri=1, "
             "dsn=2.0.0, stat=Sent", list);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    enq = 0;
    size_t deq = 0;
    for (size_t i = 0; i < ff_n_events; i++) {
        enq += ff_events[i].kind == FEED_ENQUEUE;
        deq += ff_events[i].kind == FEED_DEQUEUE;
    }
    CU_ASSERT_EQUAL(enq, 2);
    CU_ASSERT_EQUAL(deq, 10);
}

static void test_eviction(void)
{
    fresh();
    const unsigned total = QIDS_REMEMBERED + 1000;
    char line[256];
    for (unsigned i = 0; i < total; i++) {
        snprintf(line, sizeof line, RFC "q%08uX: from=<a@x>, size=%u, class=0, nrcpts=1, "
                 "relay=h [1.2.3.4]", i, 1000 + i);
        CU_ASSERT_EQUAL_FATAL(ff_parse(line), FEED_LINE_COUNTED);
    }
    /* the oldest were evicted: size unknown; a recent one was kept */
    snprintf(line, sizeof line, RFC "q%08uX: to=<b>, delay=00:00:00, mailer=local, stat=Sent", 5u);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].octets, 0);
    snprintf(line, sizeof line, RFC "q%08uX: to=<b>, delay=00:00:00, mailer=local, stat=Sent",
             total - 1);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].octets, 1000 + total - 1);
    /* that delivery ended it: forgotten, its entry reused */
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].octets, 0);
}

/* ------------------------------------------------------------------------ */
/* Malformed input                                                           */

static void test_malformed(void)
{
    fresh();
    static const char *const bad[] = {
        RFC QID "to=<b>, delay=00:00:00, mailer=local, pri=1, dsn=2.0.0",
        RFC QID "to=<b>, delay=00:00:00, mailer=local, stat=",
        RFC QID "to=<b>, delay=soon, mailer=local, stat=Sent",
        RFC QID "to=<b>, delay=00:60:00, mailer=local, stat=Sent",
        RFC QID "to=<b>, delay=x+00:00:00, mailer=local, stat=Sent",
        RFC QID "to=<b>, delay=00:00:00, xdelay=0, mailer=local, stat=Sent",
        RFC QID "to=<b>, mailer=local, stat=Sent",
        RFC QID "to=, delay=00:00:00, mailer=local, stat=Sent",
        RFC QID "to=<a>,, delay=00:00:00, mailer=local, stat=Sent",
        RFC QID "to=<a>,<b>,, delay=00:00:00, mailer=local, stat=Sent",
        RFC QID "to=<b>, delay=00:00:00, mailer=, stat=Sent",
        RFC QID "to=<b>, delay=00:00:00, mailer=lo cal, stat=Sent",
        RFC QID "to=<b>, delay=00:00:00, mailer=\x01, stat=Sent",
        RFC QID "to=<b",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
    /* A mailer name of 63 bytes is a channel; 64 is not. */
    char name[80], line[512];
    memset(name, 'm', sizeof name);
    snprintf(line, sizeof line, RFC QID "to=<b>, delay=00:00:00, mailer=%.63s, stat=Sent", name);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(strlen(ff_events[0].channel), 63);
    snprintf(line, sizeof line, RFC QID "to=<b>, delay=00:00:00, mailer=%.64s, stat=Sent", name);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_UNPARSED);
    /* Not NUL-terminated: the parser stops at len. */
    const char *full = RFC QID "to=<b>, delay=00:00:00, mailer=local, stat=SentXXXX";
    CU_ASSERT_EQUAL(ff_parse_n(full, strlen(full) - 4), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[1].kind, FEED_DEQUEUE);
}

/* Every prefix of real lines: no crash, no event unless the record is
 * complete, and UNPARSED while the header is cut. */
static void test_truncated(void)
{
    static const struct ff_prefix_case cases[] = {
        {"Mar 10 10:02:01 mx sm-mta[4002]: 42AA04Xu004001: to=<frank@slow.example>, "
         "delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=122048, relay=mx.slow.example. "
         "[203.0.113.5], dsn=4.0.0, stat=Deferred: Connection refused by mx.slow.example.",
         "stat=D", 2}, /* ENQUEUE + FAIL until "Deferred", then 3 events */
        {"Mar 10 10:00:02 mx sm-mta[2003]: 42AA02Xr002003: from=<carol@example.net>, size=4096, "
         "class=0, nrcpts=2, msgid=<c.1@example.net>, proto=ESMTP, daemon=MTA-v4, "
         "relay=mx.example.net [198.51.100.7]",
         "nrcpts=2", 1},
        {"Mar 10 10:07:01 mx sm-mta[9002]: 42AA09Xb009001: ruleset=check_rcpt, "
         "arg1=<someone@elsewhere.example>, relay=spam.example [192.0.2.67], reject=550 5.7.1 "
         "<someone@elsewhere.example>... Relaying denied",
         "reject=550", 1},
        {"Mar 10 10:04:00 mx sm-mta[6002]: 42AA06Xx006001: 42AA06Xw006001: DSN: User unknown",
         "DSN: ", 1},
    };
    ff_every_prefix(cases, sizeof cases / sizeof cases[0], &feed_format_sendmail, ff_syslog_header, 1);
}

/* A third of the random lines start with a valid header, a third are to=
 * records of random bytes. */
static void garbage_shape(char *buf, size_t n, int i)
{
    size_t hl = strlen(RFC QID);
    if (i % 3 == 1)
        ff_put_head(buf, n, RFC QID);
    if (i % 3 == 2 && n > hl + 3)
        memcpy(buf, RFC QID "to=", hl + 3);
}

static void test_garbage(void)
{
    fresh();
    ff_random_lines(4242, 20000, garbage_shape);
    /* The longest line: of the right shape, and of junk */
    char *big = malloc(FEED_LINE_MAX);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'a', FEED_LINE_MAX);
    const char *reject = RFC QID "ruleset=check_rcpt, reject=550 5.7.1 ";
    memcpy(big, reject, strlen(reject));
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(strlen(ff_events[0].reason), FEED_REASON_MAX);
    memset(big, ',', FEED_LINE_MAX);
    const char *to = RFC QID "to=<a>";
    memcpy(big, to, strlen(to));
    const char *tail = ", delay=00:00:00, mailer=esmtp, stat=Sent";
    memcpy(big + FEED_LINE_MAX - strlen(tail), tail, strlen(tail));
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_UNPARSED); /* empty addresses */
    size_t list_end = FEED_LINE_MAX - strlen(tail);
    for (size_t i = strlen(to); i < list_end; i++)
        big[i] = (i - strlen(to)) % 2 ? 'x' : ',';
    big[list_end - 1] = 'x';
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_COUNTED); /* ~32000 copies */
    CU_ASSERT_TRUE(ff_n_events + ff_n_dropped > 30000);
    memset(big, 0, FEED_LINE_MAX);
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_UNPARSED);
    memset(big, 0xff, FEED_LINE_MAX);
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_UNPARSED);
    free(big);
}

/* ------------------------------------------------------------------------ */
/* The hand-written log of every kind: its README's figures                  */

struct totals {
    uint64_t submitted[2], submitted_rcpts, submitted_octets, received, received_octets,
        delivered, delivered_octets, first, queue_ms, attempted, failed, rejected,
        assoc_reject, assoc_fail, events;
};

static void sum(void *ctx, const struct feed_event *ev)
{
    struct totals *t = ctx;
    t->events++;
    switch (ev->kind) {
    case FEED_SUBMIT:
        t->submitted[strcmp(ev->channel, "esmtp") == 0 ? 0 : 1]++;
        t->submitted_rcpts += ev->recipients;
        t->submitted_octets += ev->octets;
        break;
    case FEED_ENQUEUE:
        t->received += ev->recipients;
        t->received_octets += ev->octets;
        break;
    case FEED_DEQUEUE:
        t->delivered += ev->recipients;
        t->delivered_octets += ev->octets;
        t->first += ev->first_attempt;
        t->queue_ms += (uint64_t)ev->queue_ms;
        break;
    case FEED_TEMPFAIL: t->attempted++; break;
    case FEED_FAIL: t->failed++; break;
    case FEED_REJECT: t->rejected++; break;
    case FEED_ASSOC_REJECT: t->assoc_reject++; break;
    case FEED_ASSOC_FAIL: t->assoc_fail++; break;
    default: break;
    }
}

static void test_kinds_log(void)
{
    struct totals t = {0};
    unsigned n[4];
    if (ff_read_log(&feed_format_sendmail, "sendmail/kinds.log", sum, &t, n) < 0)
        return;
    CU_ASSERT_EQUAL(n[FEED_LINE_COUNTED], 42);
    CU_ASSERT_EQUAL(n[FEED_LINE_KNOWN], 7);
    CU_ASSERT_EQUAL(n[FEED_LINE_SKIPPED], 2);
    CU_ASSERT_EQUAL(n[FEED_LINE_UNPARSED], 2);
    CU_ASSERT_EQUAL(t.events, 63);
    CU_ASSERT_EQUAL(t.submitted[0], 9);
    CU_ASSERT_EQUAL(t.submitted[1], 6);
    CU_ASSERT_EQUAL(t.submitted_rcpts, 11 + 6);
    CU_ASSERT_EQUAL(t.submitted_octets, 21276 + 3951);
    CU_ASSERT_EQUAL(t.received, 8 + 7 + 3);
    CU_ASSERT_EQUAL(t.received_octets, 18160 + 12212 + 3951);
    CU_ASSERT_EQUAL(t.delivered, 4 + 6 + 3);
    CU_ASSERT_EQUAL(t.delivered_octets, 7660 + 10412 + 3951);
    CU_ASSERT_EQUAL(t.first, 2 + 6 + 3);
    CU_ASSERT_EQUAL(t.queue_ms, (5408 + 3 + 759) * 1000);
    CU_ASSERT_EQUAL(t.attempted, 4);
    CU_ASSERT_EQUAL(t.failed, 3 + 1);
    CU_ASSERT_EQUAL(t.rejected, 6);
    CU_ASSERT_EQUAL(t.assoc_reject, 1);
    CU_ASSERT_EQUAL(t.assoc_fail, 2);
    /* Stored: grace's copy */
    CU_ASSERT_EQUAL(t.received - t.delivered - t.failed, 1);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"headers, tags and other programs", test_headers},
        {"from= arrivals", test_from},
        {"to= Sent, groups of recipients, no mailer", test_sent},
        {"deferred, regrouped, then sent and failed", test_deferred_then_sent},
        {"queued, failed, expired", test_queued_failed_expired},
        {"DSN notifications", test_dsn},
        {"rejections and connection records", test_rejects},
        {"more pending recipients than tracked", test_pending_overflow},
        {"full queue-id table", test_eviction},
        {"malformed lines", test_malformed},
        {"every prefix of real lines", test_truncated},
        {"garbage, invalid UTF-8 and 64 KB lines", test_garbage},
        {"the hand-written log of every kind", test_kinds_log},
        {NULL, NULL},
    };
    return ff_main("parse_sendmail", tests, 0);
}
