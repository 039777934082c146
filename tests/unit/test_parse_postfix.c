/*
 * test_parse_postfix.c - the Postfix syslog parser (parse_postfix.c) on
 * strings: every record kind gives exact events, the queue-id state
 * carries sizes, sources and deferrals, and malformed lines of any kind
 * give an exact result and no event.
 */
#include <stdlib.h>
#include <time.h>

#include "feed_fixture.h"
#include "unit_util.h"

#define QIDS_REMEMBERED 65536 /* PF_QIDS of parse_postfix.c */

static void fresh(void)
{
    ff_fresh(&feed_format_postfix);
}

/* "Nov 23 16:33:05 mx " + rest, with an RFC 3339 stamp when rfc is set. */
#define RFC "2026-11-23T16:33:05.123456+01:00 mx "
/* 2026-11-23T15:33:05.123Z */
#define RFC_MS 1795447985123LL
/* What follows a stamp in a line whose stamp alone is under test. */
#define CONNECT " mx postfix/smtpd[1]: connect from a[1.2.3.4]"

static void check_msg(const struct feed_event *e, enum feed_event_kind kind,
                      const char *channel, const char *src, uint32_t rcpts,
                      uint64_t octets, mtamon_status_code status)
{
    ff_check_msg(e, kind, channel, src, rcpts, octets, status);
    CU_ASSERT_EQUAL(e->time_ms, RFC_MS);
}

/* ------------------------------------------------------------------------ */
/* Timestamps and tags                                                       */

static void test_rfc3339(void)
{
    fresh();
    static const struct {
        const char *stamp;
        int64_t ms;
    } cases[] = {
        {"2026-11-23T16:33:05.123456+01:00", RFC_MS},
        {"2026-11-23T16:33:05.1+01:00", RFC_MS - 23},
        {"2026-11-23T16:33:05+0100", RFC_MS - 123},
        {"2026-11-23T15:33:05Z", RFC_MS - 123},
        {"2026-11-23T10:03:05.123-05:30", RFC_MS},
        {"1970-01-01T00:00:00Z", 0},
        {"2000-02-29T12:00:00Z", 951825600000LL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s" CONNECT, cases[i].stamp);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        CU_ASSERT_EQUAL(ff_events[0].time_ms, cases[i].ms);
    }
    static const char *const bad[] = {
        "2026-11-23 16:33:05Z" CONNECT, "2026-13-23T16:33:05Z" CONNECT,
        "2026-11-23T24:33:05Z" CONNECT, "2026-11-23T16:33:05" CONNECT,
        "2026-11-23T16:33:05.Z" CONNECT, "2026-11-23T16:33:05+1" CONNECT,
        "2026-11-23T16:33:05+25:00" CONNECT, "2026-1-23T16:33:05Z" CONNECT,
        "2026-11-00T16:33:05Z" CONNECT,
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

/* Expected epoch ms of a classic stamp: this year, or last year if that is
 * more than a day ahead. */
static int64_t classic_ms(const struct tm *when, time_t now)
{
    struct tm tm = *when;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t > now + 86400) {
        tm = *when;
        tm.tm_year--;
        tm.tm_isdst = -1;
        t = mktime(&tm);
    }
    return (int64_t)t * 1000;
}

static void classic_case(time_t at, time_t now)
{
    static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    CU_ASSERT_PTR_NOT_NULL_FATAL(localtime_r(&at, &tm));
    struct tm now_tm;
    CU_ASSERT_PTR_NOT_NULL_FATAL(localtime_r(&now, &now_tm));
    tm.tm_year = now_tm.tm_year;
    char line[256];
    snprintf(line, sizeof line,
             "%s %2d %02d:%02d:%02d" CONNECT,
             months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(ff_events[0].time_ms, classic_ms(&tm, now));
}

static void test_classic(void)
{
    fresh();
    time_t now = time(NULL);
    classic_case(now - 3600, now);       /* an hour ago: this year */
    classic_case(now, now);              /* now */
    classic_case(now + 3 * 86400, now);  /* 3 days ahead: last year */
    classic_case(now - 40 * 86400, now); /* 40 days ago */
    /* The same hour twice (cache), and a one-digit day, either padding. */
    CU_ASSERT_EQUAL(ff_parse("Jan  5 01:02:03 mx postfix/smtpd[1]: connect from a[b]"),
                    FEED_LINE_COUNTED);
    int64_t t1 = ff_events[0].time_ms;
    CU_ASSERT_EQUAL(ff_parse("Jan 5 01:02:04 mx postfix/smtpd[1]: connect from a[b]"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].time_ms, t1 + 1000);
    CU_ASSERT_EQUAL(ff_parse("Jan 05 01:03:04 mx postfix/smtpd[1]: connect from a[b]"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].time_ms, t1 + 61000);
    static const char *const bad[] = {
        "Foo 23 16:33:05" CONNECT, "Nov 32 16:33:05" CONNECT, "Nov 23 16:60:05" CONNECT,
        "Nov 23 16:33" CONNECT,    "Nov 23 16:33:5 " CONNECT, "nov 23 16:33:05" CONNECT,
        "Nov 0 16:33:05 " CONNECT,
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

static void test_channels(void)
{
    fresh();
    static const struct {
        const char *tag, *channel, *key;
    } cases[] = {
        {"postfix/smtpd[1234]", "smtpd", "postfix/smtpd[1234]"},
        {"postfix/submission/smtpd[7]", "submission", "postfix/submission/smtpd[7]"},
        {"postfix/smtps/smtpd[7]", "smtps", "postfix/smtps/smtpd[7]"},
        {"postfix-out/smtpd[7]", "postfix-out/smtpd", "postfix-out/smtpd[7]"},
        {"postfix-out/submission/smtpd[7]", "postfix-out/submission",
         "postfix-out/submission/smtpd[7]"},
        {"postfix/10025/smtpd[9]", "10025", "postfix/10025/smtpd[9]"},
        {"postfix/smtpd", "smtpd", "postfix/smtpd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, RFC "%s: connect from h.example[192.0.2.1]",
                 cases[i].tag);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        CU_ASSERT_EQUAL(ff_events[0].kind, FEED_ASSOC_OPEN);
        CU_ASSERT_STRING_EQUAL(ff_events[0].channel, cases[i].channel);
        CU_ASSERT_STRING_EQUAL(ff_events[0].key, cases[i].key);
    }
    /* Delivery agents: the channel is the service, not relay=. */
    static const struct {
        const char *tag, *channel;
    } agents[] = {
        {"postfix/smtp[5]", "smtp"},       {"postfix/relay/smtp[5]", "relay"},
        {"postfix-out/smtp[5]", "postfix-out/smtp"},
        {"postfix/lmtp[5]", "lmtp"},       {"postfix/local[5]", "local"},
        {"postfix/virtual[5]", "virtual"}, {"postfix/pipe[5]", "pipe"},
        {"postfix/error[5]", "error"},     {"postfix/discard[5]", "discard"},
    };
    for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++) {
        char line[512];
        snprintf(line, sizeof line,
                 RFC "%s: 3F2A51C0A12: to=<b@example.org>, relay=x[1.2.3.4]:25, "
                     "delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
                 agents[i].tag);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
        CU_ASSERT_STRING_EQUAL(ff_events[0].channel, agents[i].channel);
        CU_ASSERT_STRING_EQUAL(ff_events[1].channel, agents[i].channel);
    }
}

static void test_skipped(void)
{
    fresh();
    static const char *const lines[] = {
        RFC "dovecot: imap-login: Login: user=<a>",
        RFC "opendkim[12]: 3F2A51C0A12: DKIM-Signature field added",
        RFC "postfixadmin[3]: connect from a[1.2.3.4]",
        RFC "postfix_x/smtpd[3]: connect from a[1.2.3.4]",
        RFC "kernel: [ 1.0] postfix/smtpd[1]: connect from a[1.2.3.4]",
        "Nov 23 16:33:05 mx sshd[99]: Accepted publickey for root",
    };
    FF_EXPECT_NO_EVENTS(lines, FEED_LINE_SKIPPED);
}

/* ------------------------------------------------------------------------ */
/* Associations                                                              */

static void test_smtpd_assoc(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/smtpd[1234]: connect from mail.example.com[192.0.2.7]"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    const struct feed_event *e = &ff_events[0];
    CU_ASSERT_EQUAL(e->kind, FEED_ASSOC_OPEN);
    CU_ASSERT_EQUAL(e->time_ms, RFC_MS);
    CU_ASSERT_STRING_EQUAL(e->channel, "smtpd");
    CU_ASSERT_EQUAL(e->direction, MTAMON_INBOUND);
    CU_ASSERT_STRING_EQUAL(e->remote, "mail.example.com[192.0.2.7]");
    CU_ASSERT_STRING_EQUAL(e->key, "postfix/smtpd[1234]");
    CU_ASSERT_STRING_EQUAL(e->reason, "");
    CU_ASSERT_STRING_EQUAL(e->src, "");
    CU_ASSERT_EQUAL(e->status, 0);

    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/smtpd[1234]: disconnect from mail.example.com[192.0.2.7] "
                              "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(e->kind, FEED_ASSOC_CLOSE);
    CU_ASSERT_STRING_EQUAL(e->channel, "smtpd");
    CU_ASSERT_STRING_EQUAL(e->key, "postfix/smtpd[1234]");
    CU_ASSERT_STRING_EQUAL(e->remote, "");

    /* A remote longer than FEED_REMOTE_MAX is cut. */
    char line[512], host[200];
    memset(host, 'h', sizeof host - 1);
    host[sizeof host - 1] = '\0';
    snprintf(line, sizeof line, RFC "postfix/smtpd[1]: connect from %s[1.2.3.4]", host);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(strlen(e->remote), FEED_REMOTE_MAX);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/smtpd[1]: connect from "), FEED_LINE_UNPARSED);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    /* SASL failures and other smtpd chatter count nothing. */
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/smtpd[1]: warning: unknown[192.0.2.9]: SASL LOGIN "
                              "authentication failed: UGFzc3dvcmQ6"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/smtpd[1]: lost connection after AUTH from unknown[192.0.2.9]"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/anvil[9]: statistics: max connection rate 1/60s"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
}

static void test_postscreen(void)
{
    fresh();
    const struct feed_event *e = &ff_events[0];
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/postscreen[77]: CONNECT from [192.0.2.5]:40000 to [192.0.2.1]:25"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(e->kind, FEED_ASSOC_OPEN);
    CU_ASSERT_STRING_EQUAL(e->channel, "postscreen");
    CU_ASSERT_EQUAL(e->direction, MTAMON_INBOUND);
    CU_ASSERT_STRING_EQUAL(e->remote, "[192.0.2.5]:40000");
    CU_ASSERT_STRING_EQUAL(e->key, "postfix/postscreen[77]:[192.0.2.5]:40000");
    static const char *const closes[] = {
        "PASS NEW [192.0.2.5]:40000", "PASS OLD [192.0.2.5]:40000",
        "DISCONNECT [192.0.2.5]:40000", "WHITELISTED [192.0.2.5]:40000",
        "ALLOWLISTED [192.0.2.5]:40000",
    };
    for (size_t i = 0; i < sizeof closes / sizeof closes[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, RFC "postfix/postscreen[77]: %s", closes[i]);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        CU_ASSERT_EQUAL(e->kind, FEED_ASSOC_CLOSE);
        CU_ASSERT_STRING_EQUAL(e->channel, "postscreen");
        CU_ASSERT_STRING_EQUAL(e->key, "postfix/postscreen[77]:[192.0.2.5]:40000");
    }
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/postscreen[77]: HANGUP after 0.5 from [192.0.2.5]:40000 "
                              "in tests after SMTP handshake"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/postscreen[77]: DNSBL rank 3 for [192.0.2.5]:40000"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/postscreen[77]: PREGREET 11 after 0.1 from "
                              "[192.0.2.5]:40000: EHLO x"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/postscreen[77]: CONNECT from nowhere"),
                    FEED_LINE_UNPARSED);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/postscreen[77]: NOQUEUE: reject: RCPT from "
                              "[192.0.2.5]:40000: 550 5.7.1 Service unavailable; client "
                              "[192.0.2.5] blocked using zen.spamhaus.org; from=<a@b>, "
                              "to=<c@d>, proto=ESMTP, helo=<x>"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(e, FEED_REJECT, "postscreen", "", 1, 0, 5007001u);
    CU_ASSERT_STRING_EQUAL(e->reason, "Service unavailable; client [192.0.2.5] "
                                      "blocked using zen.spamhaus.org");
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/postscreen[77]: NOQUEUE: reject: CONNECT from "
                              "[192.0.2.5]:40000: too many connections"),
                    FEED_LINE_COUNTED);
    check_msg(e, FEED_REJECT, "postscreen", "", 1, 0, 0);
    CU_ASSERT_STRING_EQUAL(e->reason, "too many connections");
    /* IPv6 */
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/postscreen[77]: CONNECT from [2001:db8::5]:4000 to [2001:db8::1]:25"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(e->key, "postfix/postscreen[77]:[2001:db8::5]:4000");
}

static void test_connect_failures(void)
{
    fresh();
    const struct feed_event *e = &ff_events[0];
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/smtp[30568]: connect to 127.0.0.1[127.0.0.1]:41731: "
                              "Connection refused"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(e->kind, FEED_ASSOC_FAIL);
    CU_ASSERT_STRING_EQUAL(e->channel, "smtp");
    CU_ASSERT_EQUAL(e->status, 4004001u);
    CU_ASSERT_STRING_EQUAL(e->reason, "connect to 127.0.0.1[127.0.0.1]:41731: Connection refused");
    CU_ASSERT_EQUAL(e->time_ms, RFC_MS);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix-out/smtp[1]: connect to mx.example[192.0.2.2]:25: "
                              "Connection timed out"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(e->channel, "postfix-out/smtp");
    CU_ASSERT_STRING_EQUAL(e->reason, "connect to mx.example[192.0.2.2]:25: Connection timed out");
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/smtp[1]: 3F2A51C0A12: lost connection with "
                              "mx.example[192.0.2.2] while receiving the initial server greeting"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(e->kind, FEED_ASSOC_FAIL);
    CU_ASSERT_EQUAL(e->status, 4004002u);
    CU_ASSERT_STRING_EQUAL(e->reason, "lost connection with mx.example[192.0.2.2] while "
                                      "receiving the initial server greeting");
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/lmtp[1]: 3F2A51C0A12: conversation with "
                              "x[private/dovecot-lmtp] timed out while sending RCPT TO"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(e->channel, "lmtp");
    CU_ASSERT_EQUAL(e->status, 4004002u);
    /* A reason longer than FEED_REASON_MAX is cut. */
    char line[1024], pad[400];
    memset(pad, 'r', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    snprintf(line, sizeof line, RFC "postfix/smtp[1]: connect to x[1.2.3.4]:25: %s", pad);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(strlen(e->reason), FEED_REASON_MAX);
}

/* ------------------------------------------------------------------------ */
/* Rejections                                                                */

static void test_rejects(void)
{
    fresh();
    const struct feed_event *e = &ff_events[0];
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/smtpd[1]: NOQUEUE: reject: RCPT from x.example[192.0.2.3]: "
                              "554 5.7.1 <b@c.example>: Relay access denied; from=<a@x.example> "
                              "to=<b@c.example> proto=ESMTP helo=<x.example>"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(e, FEED_REJECT, "smtpd", "", 1, 0, 5007001u);
    CU_ASSERT_STRING_EQUAL(e->reason, "<b@c.example>: Relay access denied");

    static const struct {
        const char *rest;
        const char *channel;
        mtamon_status_code status;
        const char *reason;
    } cases[] = {
        {"postfix/submission/smtpd[2]: NOQUEUE: reject: MAIL from a[192.0.2.3]: 553 5.7.1 "
         "<x@y>: Sender address rejected: not owned by user u; from=<x@y> proto=ESMTP helo=<a>",
         "submission", 5007001u, "<x@y>: Sender address rejected: not owned by user u"},
        {"postfix/smtpd[2]: NOQUEUE: reject: CONNECT from a[192.0.2.3]: 554 5.7.1 <a[192.0.2.3]>: "
         "Client host rejected: Access denied; proto=SMTP",
         "smtpd", 5007001u, "<a[192.0.2.3]>: Client host rejected: Access denied; proto=SMTP"},
        {"postfix/smtpd[2]: NOQUEUE: reject: HELO from a[192.0.2.3]: 504 5.5.2 <x>: Helo command "
         "rejected: need fully-qualified hostname; proto=SMTP helo=<x>",
         "smtpd", 5005002u, "<x>: Helo command rejected: need fully-qualified hostname; proto=SMTP helo=<x>"},
        {"postfix/smtpd[2]: 3F2A51C0A12: reject: DATA from a[192.0.2.3]: 550 5.5.3 <DATA>: "
         "Data command rejected: Multi-recipient bounce; from=<> proto=ESMTP helo=<a>",
         "smtpd", 5005003u, "<DATA>: Data command rejected: Multi-recipient bounce"},
        {"postfix/smtpd[2]: NOQUEUE: reject: END-OF-MESSAGE from a[192.0.2.3]: 552 5.3.4 Message "
         "size exceeds fixed limit; from=<a@b> proto=ESMTP helo=<a>",
         "smtpd", 5003004u, "Message size exceeds fixed limit"},
        {"postfix/smtpd[2]: NOQUEUE: reject: RCPT from a[192.0.2.3]: 450 4.1.2 <b@nx>: "
         "Recipient address rejected: Domain not found; from=<a@b> to=<b@nx> proto=SMTP",
         "smtpd", 4001002u, "<b@nx>: Recipient address rejected: Domain not found"},
        {"postfix/smtpd[2]: NOQUEUE: reject: RCPT from a[192.0.2.3]: 550 <b@c>: no such user; "
         "from=<a@b> to=<b@c>",
         "smtpd", 5000000u, "<b@c>: no such user"},
        {"postfix/smtpd[2]: NOQUEUE: milter-reject: RCPT from a[192.0.2.3]: 451 4.7.1 Greylisted; "
         "from=<a@b> to=<b@c> proto=ESMTP helo=<a>",
         "smtpd", 4007001u, "Greylisted"},
        {"postfix/cleanup[3]: 3F2A51C0A12: milter-reject: END-OF-MESSAGE from a[192.0.2.3]: "
         "5.7.1 Spam detected; from=<a@b> to=<b@c> proto=ESMTP helo=<a>",
         "cleanup", 5007001u, "Spam detected"},
        {"postfix/cleanup[3]: 3F2A51C0A12: reject: header Subject: buy now from a[192.0.2.3]; "
         "from=<a@b> to=<b@c> proto=ESMTP helo=<a>: 5.7.1 message content rejected",
         "cleanup", 5007001u, "message content rejected"},
        {"postfix/cleanup[3]: 3F2A51C0A12: reject: body viagra from a[192.0.2.3]; from=<a@b> "
         "to=<b@c> proto=ESMTP helo=<a>: 5.7.1 no spam: please",
         "cleanup", 5007001u, "no spam: please"},
        {"postfix/smtpd[2]: NOQUEUE: reject: RCPT from [2001:db8::5]:4000: 550 5.7.1 x; from=<a>",
         "smtpd", 5007001u, "x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[1024];
        snprintf(line, sizeof line, RFC "%s", cases[i].rest);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        check_msg(e, FEED_REJECT, cases[i].channel, "", 1, 0, cases[i].status);
        CU_ASSERT_STRING_EQUAL(e->reason, cases[i].reason);
        if (strcmp(e->reason, cases[i].reason) != 0)
            fprintf(stderr, "\n    case %zu: reason '%s'\n", i, e->reason);
    }
    static const char *const known[] = {
        RFC "postfix/smtpd[2]: NOQUEUE: reject_warning: RCPT from a[1.2.3.4]: 554 5.7.1 x; from=<a>",
        RFC "postfix/smtpd[2]: NOQUEUE: filter: RCPT from a[1.2.3.4]: <a>: Sender address triggers FILTER",
        RFC "postfix/smtpd[2]: 3F2A51C0A12: hold: RCPT from a[1.2.3.4]: <a>: Sender address triggers HOLD",
        RFC "postfix/cleanup[2]: 3F2A51C0A12: warning: header Subject: x from a[1.2.3.4]; from=<a>",
    };
    FF_EXPECT_NO_EVENTS(known, FEED_LINE_KNOWN);
    static const char *const bad[] = {
        RFC "postfix/smtpd[2]: NOQUEUE: reject: RCPT",
        RFC "postfix/smtpd[2]: NOQUEUE: reject: RCPT from a[1.2.3.4]",
        RFC "postfix/smtpd[2]: NOQUEUE: reject: RCPT from a[1.2.3.4]: ",
        RFC "postfix/smtpd[2]: NOQUEUE: reject:  from a[1.2.3.4]: 550 x",
        RFC "postfix/cleanup[2]: 3F2A51C0A12: reject: header Subject: x; from=<a>",
        RFC "postfix/cleanup[2]: 3F2A51C0A12: reject: header Subject: x; from=<a> helo=<h>: no code",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

/* ------------------------------------------------------------------------ */
/* Messages through the queue                                                */

#define SMTPD RFC "postfix/smtpd[10]: "
#define QMGR RFC "postfix/qmgr[11]: "
#define LOCAL RFC "postfix/local[12]: "
#define SMTP RFC "postfix/smtp[13]: "

static void check_dequeue(const struct feed_event *e, const char *channel,
                          uint64_t octets, int first, int64_t queue_ms)
{
    check_msg(e, FEED_DEQUEUE, channel, "", 1, octets, 0);
    CU_ASSERT_EQUAL(e->first_attempt, first);
    CU_ASSERT_EQUAL(e->queue_ms, queue_ms);
}

static void test_delivered(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(SMTPD "3F2A51C0A12: client=x.example[192.0.2.3]"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/cleanup[9]: 3F2A51C0A12: message-id=<a@b>"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A12: from=<a@x.example>, size=1234, nrcpt=2 (queue active)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    CU_ASSERT_EQUAL(ff_parse(LOCAL "3F2A51C0A12: to=<b@here>, orig_to=<postmaster@here>, relay=local, "
                                "delay=0.35, delays=0.1/0.05/0/0.2, dsn=2.0.0, status=sent "
                                "(delivered to mailbox)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "local", "smtpd", 1, 1234, 0);
    check_dequeue(&ff_events[1], "local", 1234, 1, 350);
    /* Second recipient: no source any more (Submitted counts messages). */
    CU_ASSERT_EQUAL(ff_parse(LOCAL "3F2A51C0A12: to=<c@here>, relay=local, delay=12.3456, "
                                "delays=0.1/0.05/0/0.2, dsn=2.0.0, status=sent (delivered to mailbox)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "local", "", 1, 1234, 0);
    check_dequeue(&ff_events[1], "local", 1234, 1, 12345);
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A12: removed"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    /* Forgotten: the same id again has no size nor source. */
    CU_ASSERT_EQUAL(ff_parse(LOCAL "3F2A51C0A12: to=<c@here>, relay=local, conn_use=2, delay=0, "
                                "dsn=2.0.0, status=sent (delivered to mailbox)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "local", "", 1, 0, 0);
    check_dequeue(&ff_events[1], "local", 0, 1, 0);
    /* No delay field: queue time unknown; no dsn either. */
    CU_ASSERT_EQUAL(ff_parse(LOCAL "4XpBmh0Bq5z9tLd: to=<c@here>, relay=local, status=sent (x)"),
                    FEED_LINE_COUNTED);
    check_dequeue(&ff_events[1], "local", 0, 1, -1);
    /* Address verification probes are no mail. */
    CU_ASSERT_EQUAL(ff_parse(SMTP "3F2A51C0A13: to=<c@there>, relay=mx[192.0.2.4]:25, delay=1, "
                               "delays=0/0/0/1, dsn=2.1.5, status=deliverable (250 ok)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(SMTP "3F2A51C0A13: to=<c@there>, relay=mx[192.0.2.4]:25, delay=1, "
                               "delays=0/0/0/1, dsn=5.1.1, status=undeliverable (550 no)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
}

static void test_sources(void)
{
    fresh();
    /* pickup, a long queue id, the submission service */
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/pickup[5]: 4XpBmh0Bq5z9tLd: uid=1000 from=<u>"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(QMGR "4XpBmh0Bq5z9tLd: from=<u@here>, size=500, nrcpt=1 (queue active)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(SMTP "4XpBmh0Bq5z9tLd: to=<x@there>, relay=mx[192.0.2.4]:25, delay=2, "
                               "delays=0/0/1/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "smtp", "pickup", 1, 500, 0);
    check_dequeue(&ff_events[1], "smtp", 500, 1, 2000);

    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/submission/smtpd[6]: 4XpBmh0Bq6z9tLf: client=u[192.0.2.8], "
                              "sasl_method=PLAIN, sasl_username=u"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/relay/smtp[7]: 4XpBmh0Bq6z9tLf: to=<x@there>, relay=r[192.0.2.4]:25, "
                              "delay=2, delays=0/0/1/1, dsn=2.0.0, status=sent (250 ok)"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_ENQUEUE, "relay", "submission", 1, 0, 0);

    /* local forwards: the new queue id comes from local */
    CU_ASSERT_EQUAL(ff_parse(LOCAL "4XpBmh0Bq7z9tLg: to=<a@here>, relay=local, delay=0.1, "
                                "delays=0/0/0/0.1, dsn=2.0.0, status=sent (forwarded as 4XpBmh0Bq8z9tLh)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_parse(SMTP "4XpBmh0Bq8z9tLh: to=<a@there>, relay=mx[192.0.2.4]:25, delay=1, "
                               "delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_ENQUEUE, "smtp", "local", 1, 0, 0);

    /* bounce notifications come from bounce */
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/bounce[8]: 9E833A748E6: sender non-delivery notification: "
                              "A4092A748ED"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(LOCAL "A4092A748ED: to=<s@here>, relay=local, delay=0, delays=0/0/0/0, "
                                "dsn=2.0.0, status=sent (delivered to mailbox)"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_ENQUEUE, "local", "bounce", 1, 0, 0);
    /* bounce(8) and qmgr log independently: the notification may be
     * delivered before bounce says where it came from.  Its Submitted is
     * counted when that line comes, once: a SUBMIT on bounce. */
    CU_ASSERT_EQUAL(ff_parse(QMGR "B5092A748EE: from=<>, size=2100, nrcpt=1 (queue active)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(LOCAL "B5092A748EE: to=<t@here>, relay=local, delay=0, delays=0/0/0/0, "
                                "dsn=2.0.0, status=sent (delivered to mailbox)"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_ENQUEUE, "local", "", 1, 2100, 0);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/bounce[8]: 9E833A748E6: sender non-delivery notification: "
                              "B5092A748EE"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_SUBMIT, "bounce", "", 1, 2100, 0);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/bounce[8]: 9E833A748E6: sender non-delivery notification: "
                              "B5092A748EE"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);   /* said twice: counted once */
    /* ... even when qmgr removed it before bounce's line came (a loaded
     * machine): still counted, once. */
    CU_ASSERT_EQUAL(ff_parse(QMGR "C6092A748EF: from=<>, size=1800, nrcpt=1 (queue active)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(LOCAL "C6092A748EF: to=<u@here>, relay=local, delay=0, delays=0/0/0/0, "
                                "dsn=2.0.0, status=sent (delivered to mailbox)"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_ENQUEUE, "local", "", 1, 1800, 0);
    CU_ASSERT_EQUAL(ff_parse(QMGR "C6092A748EF: removed"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    CU_ASSERT_EQUAL(ff_parse(QMGR "C6092A748EF: removed"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/bounce[8]: 9E833A748E6: sender non-delivery notification: "
                              "C6092A748EF"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_SUBMIT, "bounce", "", 1, 1800, 0);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/bounce[8]: 9E833A748E6: sender non-delivery notification: "
                              "C6092A748EF"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    /* A removed id kept for that line and reused by a new message starts
     * afresh: the new message's source and size, no SUBMIT on bounce. */
    CU_ASSERT_EQUAL(ff_parse(QMGR "D7092A748F0: from=<>, size=100, nrcpt=1 (queue active)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(LOCAL "D7092A748F0: to=<u@here>, relay=local, delay=0, delays=0/0/0/0, "
                                "dsn=2.0.0, status=sent (delivered to mailbox)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_parse(QMGR "D7092A748F0: removed"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(SMTPD "D7092A748F0: client=x[192.0.2.3]"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(QMGR "D7092A748F0: from=<a@x>, size=300, nrcpt=1 (queue active)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(SMTP "D7092A748F0: to=<b@there>, relay=mx[192.0.2.4]:25, delay=1, "
                               "delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "smtp", "smtpd", 1, 300, 0);
    CU_ASSERT_EQUAL(ff_parse(QMGR "D7092A748F0: removed"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/bounce[8]: 9E833A748E6: sender non-delivery notification: "
                              "D7092A748F0"),
                    FEED_LINE_KNOWN);
    /* another instance */
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix-out/pickup[5]: 4XpBmh0Bq9z9tLj: sender=<u>"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix-out/smtp[5]: 4XpBmh0Bq9z9tLj: to=<x@y>, relay=none, delay=1, "
                              "delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_ENQUEUE, "postfix-out/smtp", "postfix-out/pickup", 1, 0, 0);
}

static void test_deferred_then_sent(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(SMTPD "3F2A51C0A12: client=x[192.0.2.3]"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A12: from=<a@x>, size=700, nrcpt=1 (queue active)"),
                    FEED_LINE_KNOWN);
    const char *deferred = SMTP "3F2A51C0A12: to=<b@there>, relay=none, delay=30, "
                                "delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to "
                                "there[192.0.2.9]:25: Connection timed out)";
    CU_ASSERT_EQUAL(ff_parse(deferred), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "smtp", "smtpd", 1, 700, 0);
    check_msg(&ff_events[1], FEED_TEMPFAIL, "smtp", "", 1, 700, 4004001u);
    /* Again: already queued, only the attempt counts. */
    CU_ASSERT_EQUAL(ff_parse(deferred), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_TEMPFAIL, "smtp", "", 1, 700, 4004001u);
    /* qmgr's own deferrals queue nothing */
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A12: to=<b@there>, relay=none, delay=40, delays=40/0/0/0, "
                               "dsn=4.4.1, status=deferred (delivery temporarily suspended: x)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_TEMPFAIL, "qmgr", "", 1, 700, 4004001u);
    CU_ASSERT_EQUAL(ff_parse(SMTP "3F2A51C0A12: to=<b@there>, relay=there[192.0.2.9]:25, delay=3600.5, "
                               "delays=3600/0/0.3/0.2, dsn=2.0.0, status=sent (250 ok)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_dequeue(&ff_events[0], "smtp", 700, 0, 3600500);
    /* soft_bounce */
    CU_ASSERT_EQUAL(ff_parse(SMTP "3F2A51C0A14: to=<b@there>, relay=there[192.0.2.9]:25, delay=1, "
                               "delays=0/0/0/1, dsn=5.1.1, status=SOFTBOUNCE (host said: 550 no)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "smtp", "", 1, 0, 0);
    check_msg(&ff_events[1], FEED_TEMPFAIL, "smtp", "", 1, 0, 5001001u);
}

static void test_bounced_expired_removed(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A12: from=<a@x>, size=100, nrcpt=3 (queue active)"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/virtual[3]: 3F2A51C0A12: to=<nobody@here>, relay=virtual, "
                              "delay=0.01, delays=0/0/0/0.01, dsn=5.1.1, status=bounced "
                              "(unknown user: \"nobody@here\")"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "virtual", "", 1, 100, 0);
    check_msg(&ff_events[1], FEED_FAIL, "virtual", "", 1, 100, 5001001u);
    /* two recipients deferred, then the message expires */
    for (int i = 0; i < 2; i++) {
        char line[512];
        snprintf(line, sizeof line,
                 SMTP "3F2A51C0A12: to=<r%d@there>, relay=none, delay=9, delays=0/0/9/0, "
                      "dsn=4.4.1, status=deferred (connect to there: refused)", i);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL(ff_n_events, 2);
    }
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A12: from=<a@x>, status=expired, returned to sender"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_FAIL, "smtp", "", 1, 100, 5004007u);
    check_msg(&ff_events[1], FEED_FAIL, "smtp", "", 1, 100, 5004007u);
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A12: removed"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);

    /* Expired with nothing pending: queued and failed on the last
     * transport that deferred it (qmgr deferrals queue nothing)... */
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/relay/smtp[4]: 3F2A51C0A13: to=<r@there>, relay=none, delay=9, "
                              "delays=0/0/9/0, dsn=4.4.1, status=deferred (x)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/relay/smtp[4]: 3F2A51C0A13: to=<r@there>, relay=none, delay=9, "
                              "delays=0/0/9/0, dsn=5.0.0, status=bounced (x)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_FAIL, "relay", "", 1, 0, 5000000u);
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A13: from=<a@x>, status=expired, returned to sender"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "relay", "", 1, 0, 0);
    check_msg(&ff_events[1], FEED_FAIL, "relay", "", 1, 0, 5004007u);
    /* ... or on qmgr if none did */
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A15: from=<a@x>, status=expired, returned to sender"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "qmgr", "", 1, 0, 0);
    check_msg(&ff_events[1], FEED_FAIL, "qmgr", "", 1, 0, 5004007u);

    /* removed while recipients are pending (postsuper -d): they fail */
    CU_ASSERT_EQUAL(ff_parse(SMTP "3F2A51C0A16: to=<r@there>, relay=none, delay=9, delays=0/0/9/0, "
                               "dsn=4.4.1, status=deferred (x)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A16: removed"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_FAIL, "smtp", "", 1, 0, 0);
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A16: removed"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    /* cleanup rejects forget the queue id */
    CU_ASSERT_EQUAL(ff_parse(SMTPD "3F2A51C0A17: client=x[192.0.2.3]"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(RFC "postfix/cleanup[3]: 3F2A51C0A17: reject: body x from x[1.2.3.4]; "
                              "from=<a> to=<b> proto=ESMTP helo=<x>: 5.7.1 no"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_parse(LOCAL "3F2A51C0A17: to=<b@here>, relay=local, delay=0, dsn=2.0.0, status=sent (x)"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_ENQUEUE, "local", "", 1, 0, 0);
}

/* For ff_pending_overflow(): recipient i deferred, or ended in pass 2. */
static void overflow_line(char *buf, size_t n, int pass, int i)
{
    snprintf(buf, n,
             SMTP "3F2A51C0A12: to=<r%d@there>, relay=none, delay=9, delays=0/0/9/0, "
                  "dsn=4.4.1, status=%s (x)",
             i, pass < 2 ? "deferred" : (i % 2 ? "sent" : "bounced"));
}

/* More deferred recipients than a queue id tracks: the extra ones are
 * queued only when they end, so enqueues and ends still balance. */
static void test_pending_overflow(void)
{
    fresh();
    ff_pending_overflow(overflow_line, 8); /* PF_PENDING tracked */
    CU_ASSERT_EQUAL(ff_parse(QMGR "3F2A51C0A12: removed"), FEED_LINE_KNOWN);
}

/* For ff_eviction(): generation 1 from queue id 10000000 on. */
static unsigned evict_id(int gen, unsigned id)
{
    return gen ? 0x10000000u + id : id;
}

static void evict_arrival(char *buf, size_t n, int gen, unsigned id, unsigned size)
{
    snprintf(buf, n, QMGR "%08X: from=<a@x>, size=%u, nrcpt=1 (queue active)",
             evict_id(gen, id), size);
}

static void evict_delivery(char *buf, size_t n, int gen, unsigned id)
{
    snprintf(buf, n, LOCAL "%08X: to=<b@here>, relay=local, delay=0, status=sent (x)",
             evict_id(gen, id));
}

static void evict_end(char *buf, size_t n, unsigned id)
{
    snprintf(buf, n, QMGR "%08X: removed", id);
}

/* A full table forgets the oldest queue ids, and only those; removals
 * free entries that later ids reuse. */
static void test_eviction(void)
{
    static const struct ff_id_lines lines = {
        evict_arrival, FEED_LINE_KNOWN, evict_delivery, 0, evict_end,
    };
    fresh();
    ff_eviction(&lines, QIDS_REMEMBERED);
}

/* ------------------------------------------------------------------------ */
/* Malformed input                                                           */

static void test_malformed(void)
{
    fresh();
    static const struct ff_line_case cases[] = {
        {"", FEED_LINE_UNPARSED},
        {" ", FEED_LINE_UNPARSED},
        {"garbage", FEED_LINE_UNPARSED},
        {RFC "postfix/smtpd[1]: ", FEED_LINE_UNPARSED},
        {RFC "postfix/smtpd[1]:", FEED_LINE_UNPARSED},
        {RFC "postfix/smtpd[]: connect from a[b]", FEED_LINE_UNPARSED},
        {RFC "postfix/smtpd[12x]: connect from a[b]", FEED_LINE_UNPARSED},
        {RFC "postfix/smtpd[1] connect from a[b]", FEED_LINE_UNPARSED},
        {RFC "postfix/: connect from a[b]", FEED_LINE_UNPARSED},
        {"2026-11-23T16:33:05Z  postfix/smtpd[1]: connect from a[b]", FEED_LINE_UNPARSED},
        {RFC "postfix/smtpd[1]: xyzzy \x01\x02 nonsense", FEED_LINE_KNOWN},
        {RFC "postfix/smtpd[1]: \xff\xfe\xc3\x28 invalid utf-8", FEED_LINE_KNOWN},
        {RFC "postfix/local[1]: 3F2A51C0A12: to=<b@here>, relay=local, delay=0, status=gone (x)",
         FEED_LINE_UNPARSED},
        {RFC "postfix/local[1]: 3F2A51C0A12: to=<b@here>, relay=local, delay=x, status=sent (x)",
         FEED_LINE_UNPARSED},
        {RFC "postfix/local[1]: 3F2A51C0A12: to=<b@here>, relay=local, delay=0",
         FEED_LINE_UNPARSED},
        {RFC "postfix/local[1]: 3F2A51C0A12: to=<b@here", FEED_LINE_UNPARSED},
        {RFC "postfix/qmgr[1]: 3F2A51C0A12: from=<a>, size=, nrcpt=1 (queue active)",
         FEED_LINE_UNPARSED},
        {RFC "postfix/qmgr[1]: 3F2A51C0A12: from=<a>, size=12x, nrcpt=1", FEED_LINE_UNPARSED},
        {RFC "postfix/qmgr[1]: 3F2A51C0A12: from=<a", FEED_LINE_UNPARSED},
        {RFC "postfix/local[1]: WARNING: to=<b@here>, status=sent", FEED_LINE_KNOWN},
        {RFC "postfix/master[1]: daemon started -- version 3.7.11", FEED_LINE_KNOWN},
        {RFC "postfix[1]: anything", FEED_LINE_KNOWN},
        {RFC "postfix-out: anything", FEED_LINE_KNOWN},
    };
    FF_EXPECT_RESULTS(cases);
    /* A channel name longer than 63 bytes */
    char line[512], inst[80];
    memset(inst, 'x', sizeof inst - 1);
    inst[sizeof inst - 1] = '\0';
    snprintf(line, sizeof line, RFC "postfix/%s/smtpd[1]: connect from a[b]", inst);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_UNPARSED);
    snprintf(line, sizeof line, RFC "postfix/%.63s/smtpd[1]: connect from a[b]", inst);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(strlen(ff_events[0].channel), 63);
    /* Not NUL-terminated: the parser must stop at len. */
    const char *full = RFC "postfix/smtpd[1]: connect from a[b]XXXX";
    CU_ASSERT_EQUAL(ff_parse_n(full, strlen(full) - 4), FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(ff_events[0].remote, "a[b]");
}

/* Every prefix of real lines: no crash, no event unless the record is
 * complete, and UNPARSED while the header is cut. */
static void test_truncated(void)
{
    static const struct ff_prefix_case cases[] = {
        {"Nov 23 17:32:59 mx postfix/virtual[30565]: 950DAA74784: to=<alice@gt.test>, "
         "relay=virtual, delay=0.04, delays=0.03/0.01/0/0, dsn=2.0.0, status=sent (delivered to maildir)",
         "status=sent", 2},
        {RFC "postfix/smtpd[30561]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 554 5.7.1 "
             "<reject-me@gt.test>: Recipient address rejected: test rejection; from=<sender@gt.test> "
             "to=<reject-me@gt.test> proto=ESMTP helo=<client.gt.test>",
         "[127.0.0.1]: 5", 1}, /* from there on, a reason without a code */
        {RFC "postfix/smtpd[1]: connect from localhost[127.0.0.1]", "connect from l", 1},
        {RFC "postfix/smtp[30568]: connect to 127.0.0.1[127.0.0.1]:41731: Connection refused",
         "connect to ", 1},
    };
    ff_every_prefix(cases, sizeof cases / sizeof cases[0], &feed_format_postfix, ff_syslog_header, 0);
}

/* Every other random line starts with a valid header. */
static void garbage_shape(char *buf, size_t n, int i)
{
    if (i % 2)
        ff_put_head(buf, n, RFC "postfix/smtp[1]: ");
}

static void test_garbage(void)
{
    fresh();
    ff_random_lines(12345, 20000, garbage_shape);
    /* The longest line, of the right shape and of junk */
    CU_ASSERT_EQUAL(ff_parse_longest(RFC "postfix/smtpd[1]: connect from ", 'a'),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(strlen(ff_events[0].remote), FEED_REMOTE_MAX);
    CU_ASSERT_EQUAL(ff_parse_longest(RFC "postfix/local[1]: 3F2A51C0A12: to=<", 'a'),
                    FEED_LINE_UNPARSED);
    CU_ASSERT_EQUAL(ff_parse_longest("", '\0'), FEED_LINE_UNPARSED);
    CU_ASSERT_EQUAL(ff_parse_longest("", ' '), FEED_LINE_UNPARSED);
}

/* ------------------------------------------------------------------------ */
/* A real log: the totals pflogsumm gives for it                             */

struct totals {
    uint64_t submitted[2], received, delivered, delivered_octets, attempted,
        failed, rejected, enq_octets, opens, closes, assoc_fail;
};

static void sum(void *ctx, const struct feed_event *ev)
{
    struct totals *t = ctx;
    switch (ev->kind) {
    case FEED_ENQUEUE:
        t->received += ev->recipients;
        if (strcmp(ev->src, "smtpd") == 0 || strcmp(ev->src, "pickup") == 0) {
            t->submitted[0]++;
            t->enq_octets += ev->octets;
        } else if (ev->src[0]) {
            t->submitted[1]++;
        }
        break;
    case FEED_DEQUEUE:
        t->delivered += ev->recipients;
        t->delivered_octets += ev->octets;
        break;
    case FEED_TEMPFAIL: t->attempted++; break;
    case FEED_FAIL: t->failed++; break;
    case FEED_REJECT: t->rejected++; break;
    case FEED_ASSOC_OPEN: t->opens++; break;
    case FEED_ASSOC_CLOSE: t->closes++; break;
    case FEED_ASSOC_FAIL: t->assoc_fail++; break;
    default: break;
    }
}

static void test_real_log(void)
{
    struct totals t = {0};
    unsigned n[4];
    if (ff_read_log(&feed_format_postfix, "postfix-gt/maillog", sum, &t, n) < 0)
        return;
    CU_ASSERT_EQUAL(n[FEED_LINE_SKIPPED] + n[FEED_LINE_UNPARSED], 0);
    CU_ASSERT_EQUAL(n[FEED_LINE_COUNTED] + n[FEED_LINE_KNOWN], 74);
    /* pflogsumm: 11 received, 10 delivered, 2 deferred (4 deferrals),
     * 1 bounced, 3 rejected, 3800 bytes received, 5242 delivered. */
    CU_ASSERT_EQUAL(t.submitted[0], 11);
    CU_ASSERT_EQUAL(t.enq_octets, 3800);
    CU_ASSERT_EQUAL(t.submitted[1], 1); /* the bounce daemon's notification */
    CU_ASSERT_EQUAL(t.delivered, 10);
    CU_ASSERT_EQUAL(t.delivered_octets, 5242);
    CU_ASSERT_EQUAL(t.attempted, 4);
    CU_ASSERT_EQUAL(t.failed, 1);
    CU_ASSERT_EQUAL(t.rejected, 3);
    /* still queued: the 2 deferred */
    CU_ASSERT_EQUAL(t.received - t.delivered - t.failed, 2);
    CU_ASSERT_EQUAL(t.opens, 1);
    CU_ASSERT_EQUAL(t.closes, 1);
    CU_ASSERT_EQUAL(t.assoc_fail, 4);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"RFC 3339 timestamps", test_rfc3339},
        {"classic timestamps and the year", test_classic},
        {"channels from tags", test_channels},
        {"other programs are skipped", test_skipped},
        {"smtpd associations", test_smtpd_assoc},
        {"postscreen", test_postscreen},
        {"connect failures", test_connect_failures},
        {"rejections", test_rejects},
        {"delivered recipients", test_delivered},
        {"sources: smtpd, submission, pickup, local, bounce", test_sources},
        {"deferred then sent", test_deferred_then_sent},
        {"bounced, expired, removed", test_bounced_expired_removed},
        {"more pending recipients than tracked", test_pending_overflow},
        {"full queue-id table", test_eviction},
        {"malformed lines", test_malformed},
        {"every prefix of real lines", test_truncated},
        {"garbage and 64 KB lines", test_garbage},
        {"a real Postfix log against pflogsumm", test_real_log},
        {NULL, NULL},
    };
    return ff_main("parse_postfix", tests, 0);
}
