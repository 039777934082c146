/*
 * test_parse_sunmta.c - the Sun/Oracle Messaging Server mail.log parser
 * (src/feed/parse_sunmta.c) on strings: every action code it knows, both
 * LOG_FORMATs, with and without LOG_PROCESS, connection records, and
 * malformed lines (exact result, no event).
 *
 * Runs with TZ=UTC so the log's local times have known epoch values.  Each
 * line is copied into a buffer of exactly its length (no NUL after it), so
 * a read past the end shows under ASan.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed_fixture.h"
#include "unit_util.h"

/* Fresh parser state for each test (the retry memory is per state). */
static void fresh(void)
{
    ff_fresh(&feed_format_sunmta);
}

/* A line that counts and emits one message event: the event's fields
 * (recipients 1, queue time unknown, no remote, key or direction). */
struct msg_case {
    const char *line;
    enum feed_event_kind kind;
    int64_t ms;
    const char *channel, *src;
    uint64_t octets;
    int first;
    mtamon_status_code status;
    const char *reason;
};

/* Assert the one event of the last line against @p w, field by field. */
static void check_message(const struct msg_case *w)
{
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    const struct feed_event *e = &ff_events[0];
    ff_check_msg(e, w->kind, w->channel, w->src, 1, w->octets, w->status);
    CU_ASSERT_EQUAL(e->time_ms, w->ms);
    CU_ASSERT_EQUAL(e->first_attempt, w->first);
    CU_ASSERT_EQUAL(e->queue_ms, -1);
    CU_ASSERT_EQUAL(e->ok, 0);
    CU_ASSERT_EQUAL(e->direction, 0);
    CU_ASSERT_STRING_EQUAL(e->reason, w->reason);
    if (strcmp(e->reason, w->reason) != 0)
        fprintf(stderr, "\n    reason '%s', want '%s'\n", e->reason, w->reason);
}

/* Parse each case's line in order (the parser's state carries over):
 * each counts and emits its one event. */
static void expect_messages(const struct msg_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(ff_parse(cases[i].line), FEED_LINE_COUNTED);
        check_message(&cases[i]);
    }
}

#define EXPECT_MESSAGES(cases) expect_messages((cases), sizeof(cases) / sizeof(cases)[0])

/* A connection record that counts: its one association event. */
struct assoc_case {
    const char *line;
    enum feed_event_kind kind;
    int64_t ms;
    const char *channel;
    mtamon_direction dir;
    const char *remote, *key;
    mtamon_status_code status;
    const char *reason;
};

/* Parse each case's line in order: each counts and emits exactly the
 * association event it describes. */
static void expect_assocs(const struct assoc_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct assoc_case *w = &cases[i];
        CU_ASSERT_EQUAL(ff_parse(w->line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        const struct feed_event *e = &ff_events[0];
        CU_ASSERT_EQUAL(e->kind, w->kind);
        CU_ASSERT_EQUAL(e->time_ms, w->ms);
        CU_ASSERT_STRING_EQUAL(e->channel, w->channel);
        CU_ASSERT_STRING_EQUAL(e->src, "");
        CU_ASSERT_EQUAL(e->recipients, 0u);
        CU_ASSERT_EQUAL(e->octets, 0u);
        CU_ASSERT_EQUAL(e->direction, w->dir);
        CU_ASSERT_STRING_EQUAL(e->remote, w->remote);
        CU_ASSERT_STRING_EQUAL(e->key, w->key);
        CU_ASSERT_EQUAL(e->status, w->status);
        CU_ASSERT_STRING_EQUAL(e->reason, w->reason);
        if (strcmp(e->reason, w->reason) != 0 || strcmp(e->key, w->key) != 0)
            fprintf(stderr, "\n    reason '%s' key '%s'\n", e->reason, e->key);
    }
}

#define EXPECT_ASSOCS(cases) expect_assocs((cases), sizeof(cases) / sizeof(cases)[0])

/* 19-Jan-1998 19:16:57.64 and friends, in UTC. */
#define T1998 885237417640LL
#define T2007 1171637653720LL
#define T2003 1065399843660LL
#define T2007C 1172663459100LL

/* ------------------------------------------------------------------------ */

static void test_format(void)
{
    CU_ASSERT_STRING_EQUAL(feed_format_sunmta.name, "sunmta");
    CU_ASSERT_PTR_EQUAL(feed_format_find("sunmta"), &feed_format_sunmta);
    feed_format_sunmta.destroy(NULL);
}

static void test_enqueue(void)
{
    fresh();
    static const struct msg_case cases[] = {
        {"19-Jan-1998 19:16:57.64 l            tcp_local    E 1 "
         "adam@sesta.com rfc822;marlowe@siroe.com marlowe@siroe.com",
         FEED_ENQUEUE, T1998, "tcp_local", "l", 1024, 0, 0, ""},
        /* Optional fields (file name, message id, source host) are ignored. */
        {"16-Feb-2007 14:54:13.72 tcp_intranet tcp_local    EE 3 "
         "adam@sesta.com rfc822;marlowe@siroe.com marlowe@siroe.com "
         "/opt/q/tcp_local/002/ZZf0r4i0Wdy51.01 <0JDJ00D02@sesta.com> "
         "siroe.com (siroe.com [192.160.253.66])",
         FEED_ENQUEUE, T2007, "tcp_local", "tcp_intranet", 3072, 0, 0, ""},
        /* With LOG_PROCESS. */
        {"16-Feb-2007 14:54:13.72 2f3a.1c.204 tcp_local ims-ms EE 0 "
         "a@b.example rfc822;c@d.example c@ims-ms-daemon",
         FEED_ENQUEUE, T2007, "ims-ms", "tcp_local", 0, 0, 0, ""},
    };
    EXPECT_MESSAGES(cases);

    /* ESMTP (EE), ESMTP + chunking (EEC), TLS + SASL (ESA), LMTP (EL). */
    static const char *const codes[] = {"EE", "EEC", "ESA", "EL", "EA", "ES"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "16-Feb-2007 14:54:13.72 tcp_local ims-ms %s 12 adam@sesta.com "
                 "rfc822;marlowe@siroe.com marlowe@ims-ms-daemon", codes[i]);
        const struct msg_case c = {line, FEED_ENQUEUE, T2007, "ims-ms", "tcp_local",
                                   12 * 1024, 0, 0, ""};
        expect_messages(&c, 1);
    }

    /* An enqueue needs both channels. */
    static const char *const bad[] = {
        "16-Feb-2007 14:54:13.72 tcp_local E 1 a@b rfc822;c@d c@d",
        "16-Feb-2007 14:54:13.72 2f3a.1c.204 tcp_local E 1 a@b rfc822;c@d c@d",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

static void test_dequeue(void)
{
    fresh();
    static const struct msg_case cases[] = {
        {"19-Jan-1998 19:16:57.64 tcp_local                  D 1 "
         "adam@sesta.com rfc822;marlowe@siroe.com marlowe@siroe.com "
         "dns;thor.siroe.com (TCP|206.184.139.12|2788|192.160.253.66|25) "
         "(THOR.SIROE.COM -- Server ESMTP [iMS V5.0 #8694]) "
         "smtp;250 2.1.5 marlowe@siroe.com and options OK.",
         FEED_DEQUEUE, T1998, "tcp_local", "", 1024, 1, 0, ""},
        /* With LOG_PROCESS; the size can be large. */
        {"06-Oct-2003 00:24:03.66 501d.0b.9 ims-ms D 999999999999 "
         "a@b rfc822;c@d c@ims-ms-daemon",
         FEED_DEQUEUE, T2003, "ims-ms", "", 999999999999ULL * 1024, 1, 0, ""},
    };
    EXPECT_MESSAGES(cases);

    static const char *const codes[] = {"DE", "DS", "DA", "DSA", "DL"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "16-Feb-2007 14:54:13.72 ims-ms                 %s 7 "
                 "adam@sesta.com rfc822;marlowe@siroe.com marlowe@ims-ms-daemon",
                 codes[i]);
        const struct msg_case c = {line, FEED_DEQUEUE, T2007, "ims-ms", "", 7168, 1, 0, ""};
        expect_messages(&c, 1);
    }
}

#define Q_DURAI "06-Oct-2003 00:24:03.66 501d.0b.9 ims-ms Q 5 " \
                "durai@example.com rfc822;durai@example.com durai@ims-ms-daemon " \
                "<00ce01c38bda$c7e2b240$6501a8c0@guindy> Mailbox is busy"
#define D_DURAI "06-Oct-2003 00:24:03.66 501d.0c.1 ims-ms D 5 " \
                "durai@example.com rfc822;durai@example.com durai@ims-ms-daemon"

/* In order: the parser remembers a retried message until it ends. */
static void test_tempfail_then_dequeue(void)
{
    fresh();
    static const struct msg_case cases[] = {
        {Q_DURAI, FEED_TEMPFAIL, T2003, "ims-ms", "", 5120, 0, 0, ""},
        /* The same (channel, from, recipient) was retried: not first attempt. */
        {D_DURAI, FEED_DEQUEUE, T2003, "ims-ms", "", 5120, 0, 0, ""},
        /* Forgotten once dequeued. */
        {D_DURAI, FEED_DEQUEUE, T2003, "ims-ms", "", 5120, 1, 0, ""},
        /* Another recipient, channel or sender is another message. */
        {Q_DURAI, FEED_TEMPFAIL, T2003, "ims-ms", "", 5120, 0, 0, ""},
        {"06-Oct-2003 00:24:03.66 ims-ms D 5 durai@example.com "
         "rfc822;other@example.com other@ims-ms-daemon",
         FEED_DEQUEUE, T2003, "ims-ms", "", 5120, 1, 0, ""},
        {"06-Oct-2003 00:24:03.66 tcp_local D 5 durai@example.com "
         "rfc822;durai@example.com durai@ims-ms-daemon",
         FEED_DEQUEUE, T2003, "tcp_local", "", 5120, 1, 0, ""},
        /* Z, with an SMTP diagnostic; a failure (R) also forgets the retry. */
        {"16-Feb-2007 14:54:13.72 tcp_local Z 2 a@b.example "
         "rfc822;x@y.example x@y.example dns;mx.y.example "
         "(TCP|10.0.0.1|40000|10.0.0.2|25) smtp;452 4.2.2 Mailbox full",
         FEED_TEMPFAIL, T2007, "tcp_local", "", 2048, 0, 4002002u, ""},
        {"16-Feb-2007 14:54:13.72 tcp_local R 2 a@b.example "
         "rfc822;x@y.example x@y.example smtp;550 5.1.1 unknown user",
         FEED_FAIL, T2007, "tcp_local", "", 2048, 0, 5001001u, ""},
        {"16-Feb-2007 14:54:13.72 tcp_local D 2 a@b.example rfc822;x@y.example x@y.example",
         FEED_DEQUEUE, T2007, "tcp_local", "", 2048, 1, 0, ""},
        /* Q with a plain reply code. */
        {"16-Feb-2007 14:54:13.72 tcp_local QE 1 a@b "
         "rfc822;x@y x@y smtp;421 service not available",
         FEED_TEMPFAIL, T2007, "tcp_local", "", 1024, 0, 4000000u, ""},
    };
    EXPECT_MESSAGES(cases);
}

static void test_log_format_2(void)
{
    fresh();
    /* LOG_FORMAT 1 leaves an empty envelope From blank (two spaces); 2
     * writes "<>".  Both are the same empty sender. */
    static const struct msg_case cases[] = {
        {"16-Feb-2007 14:54:13.72 tcp_local ims-ms E 1  rfc822;adam@sesta.com adam@ims-ms-daemon",
         FEED_ENQUEUE, T2007, "ims-ms", "tcp_local", 1024, 0, 0, ""},
        {"16-Feb-2007 14:54:13.72 ims-ms Q 1  rfc822;adam@sesta.com adam@ims-ms-daemon",
         FEED_TEMPFAIL, T2007, "ims-ms", "", 1024, 0, 0, ""},
        {"16-Feb-2007 14:54:13.72 ims-ms D 1 <> rfc822;adam@sesta.com adam@ims-ms-daemon",
         FEED_DEQUEUE, T2007, "ims-ms", "", 1024, 0, 0, ""},
        {"16-Feb-2007 14:54:13.72 tcp_local ims-ms EE 1 <> rfc822;adam@sesta.com adam@ims-ms-daemon",
         FEED_ENQUEUE, T2007, "ims-ms", "tcp_local", 1024, 0, 0, ""},
        /* Format 2 with an empty original address. */
        {"16-Feb-2007 14:54:13.72 ims-ms D 1 a@b <> c@d",
         FEED_DEQUEUE, T2007, "ims-ms", "", 1024, 1, 0, ""},
    };
    EXPECT_MESSAGES(cases);
}

static void test_reject(void)
{
    fresh();
    static const struct msg_case cases[] = {
        {"28-Feb-2007 11:50:59.10 tcp_local                 J 0 "
         "spam@bad.example rfc822;x@siroe.com x@siroe.com "
         "bad.example (bad.example [10.1.2.3]) "
         "550 5.7.1 Relaying not allowed: x@siroe.com",
         FEED_REJECT, T2007C, "tcp_local", "", 0, 0, 5007001u,
         "550 5.7.1 Relaying not allowed: x@siroe.com"},
        /* With a destination channel and a process id: the source counts. */
        {"28-Feb-2007 11:50:59.10 1a.2b.3 tcp_local ims-ms JE 4 "
         "a@b rfc822;c@d c@d smtp;452 4.2.2 over quota",
         FEED_REJECT, T2007C, "tcp_local", "", 4096, 0, 4002002u, "452 4.2.2 over quota"},
        /* No code: the reason is the text after message id and file name. */
        {"28-Feb-2007 11:50:59.10 tcp_local J 0 a@b rfc822;c@d c@d "
         "/q/ZZ01.00 <id@b> Message\x01too big",
         FEED_REJECT, T2007C, "tcp_local", "", 0, 0, 0, "Message?too big"},
    };
    EXPECT_MESSAGES(cases);
    /* A long reason is cut to FEED_REASON_MAX. */
    char line[600];
    int n = snprintf(line, sizeof line,
                     "28-Feb-2007 11:50:59.10 tcp_local J 0 a@b rfc822;c@d c@d 554 ");
    memset(line + n, 'x', 400);
    line[n + 400] = '\0';
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(strlen(ff_events[0].reason), (size_t)FEED_REASON_MAX);
    CU_ASSERT_EQUAL(strncmp(ff_events[0].reason, "554 xxx", 7), 0);
    CU_ASSERT_EQUAL(ff_events[0].status, 5000000u);
}

static void test_fail(void)
{
    fresh();
    static const struct msg_case cases[] = {
        {"16-Feb-2007 14:54:13.72 tcp_local R 1 adam@sesta.com "
         "rfc822;nobody@siroe.com nobody@siroe.com "
         "dns;thor.siroe.com (TCP|1.2.3.4|2788|5.6.7.8|25) "
         "smtp;550 5.1.1 <nobody@siroe.com>... User unknown",
         FEED_FAIL, T2007, "tcp_local", "", 1024, 0, 5001001u, ""},
        {"16-Feb-2007 14:54:13.72 tcp_local RE 1 a@b rfc822;c@d c@d smtp;550",
         FEED_FAIL, T2007, "tcp_local", "", 1024, 0, 5000000u, ""},
        {"16-Feb-2007 14:54:13.72 ims-ms R 1 a@b rfc822;c@d c@d lmtp;552 5.2.2 over quota",
         FEED_FAIL, T2007, "ims-ms", "", 1024, 0, 5002002u, ""},
        /* No diagnostic (a message that timed out in the queue). */
        {"16-Feb-2007 14:54:13.72 2.3.4 tcp_local R 1 a@b rfc822;c@d c@d",
         FEED_FAIL, T2007, "tcp_local", "", 1024, 0, 0, ""},
        /* K: returned without a notice. */
        {"16-Feb-2007 14:54:13.72 ims-ms K 3 a@b rfc822;c@d c@d smtp;550 5.2.1 mailbox disabled",
         FEED_FAIL, T2007, "ims-ms", "", 3072, 0, 5002001u, ""},
    };
    EXPECT_MESSAGES(cases);
}

/* Each of the @p n words @p words between @p head and @p tail makes a line
 * that gives @p want and no event. */
static void expect_words(const char *head, const char *const *words, size_t n,
                         const char *tail, enum feed_line_result want)
{
    for (size_t i = 0; i < n; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s%s%s", head, words[i], tail);
        const char *one = line;
        ff_expect_no_events(&one, 1, want);
    }
}

static void test_known(void)
{
    fresh();
    static const char *const codes[] = {"B", "BA", "BS", "BSA", "I", "V", "W", "WE"};
    expect_words("16-Feb-2007 14:54:13.72 tcp_local ", codes, sizeof codes / sizeof codes[0],
                 " 0 a@b rfc822;c@d c@d smtp;500 5.5.1 bad command", FEED_LINE_KNOWN);
    /* Unknown action letters are not guessed at. */
    static const char *const unknown[] = {"P", "F", "S", "X", "O"};
    expect_words("16-Feb-2007 14:54:13.72 tcp_local ", unknown,
                 sizeof unknown / sizeof unknown[0], " 0 a@b rfc822;c@d c@d", FEED_LINE_UNPARSED);
}

static void test_connections(void)
{
    fresh();
    static const struct assoc_case cases[] = {
        {"28-Feb-2007 11:50:59.10 tcp_local + O TCP|206.184.139.12|25|192.160.253.66|1244 SMTP",
         FEED_ASSOC_OPEN, T2007C, "tcp_local", MTAMON_INBOUND, "192.160.253.66",
         "tcp_local|192.160.253.66|1244", 0, ""},
        {"28-Feb-2007 11:50:59.10 tcp_local    +            C "
         "TCP|206.184.139.12|25|192.160.253.66|1244 SMTP",
         FEED_ASSOC_CLOSE, T2007C, "tcp_local", MTAMON_INBOUND, "192.160.253.66",
         "tcp_local|192.160.253.66|1244", 0, ""},
        /* LOG_PROCESS: the process (pid.thread, not the entry's sequence
         * number, which differs between the open and the close) keys the pair. */
        {"28-Feb-2007 11:50:59.10 501d.0b.9 tcp_local - O TCP|10.0.0.1|40001|2001:db8::25|25 SMTP",
         FEED_ASSOC_OPEN, T2007C, "tcp_local", MTAMON_OUTBOUND, "2001:db8::25",
         "501d.0b|2001:db8::25|25", 0, ""},
        {"28-Feb-2007 11:50:59.10 501d.0b.12 tcp_local - C TCP|10.0.0.1|40001|2001:db8::25|25 SMTP",
         FEED_ASSOC_CLOSE, T2007C, "tcp_local", MTAMON_OUTBOUND, "2001:db8::25",
         "501d.0b|2001:db8::25|25", 0, ""},
        /* Rejected inbound, failed outbound. */
        {"28-Feb-2007 11:50:59.10 tcp_local + X "
         "TCP|10.0.0.1|25|10.9.9.9|5555 SMTP 554 5.7.1 blocked by RBL",
         FEED_ASSOC_REJECT, T2007C, "tcp_local", MTAMON_INBOUND, "10.9.9.9",
         "tcp_local|10.9.9.9|5555", 5007001u, "554 5.7.1 blocked by RBL"},
        {"28-Feb-2007 11:50:59.10 ab.cd.1 tcp_local - Y "
         "TCP|10.0.0.1|0|10.8.8.8|25 SMTP Error: Connection refused",
         FEED_ASSOC_FAIL, T2007C, "tcp_local", MTAMON_OUTBOUND, "10.8.8.8",
         "ab.cd|10.8.8.8|25", 0, "Error: Connection refused"},
        {"28-Feb-2007 11:50:59.10 tcp_local - X "
         "TCP|10.0.0.1|0|10.8.8.8|25 SMTP 421 4.3.2 go away",
         FEED_ASSOC_FAIL, T2007C, "tcp_local", MTAMON_OUTBOUND, "10.8.8.8",
         "tcp_local|10.8.8.8|25", 4003002u, "421 4.3.2 go away"},
        /* A failure without connection data still counts. */
        {"28-Feb-2007 11:50:59.10 tcp_local - Y mx.example: no route",
         FEED_ASSOC_FAIL, T2007C, "tcp_local", MTAMON_OUTBOUND, "", "", 0,
         "mx.example: no route"},
    };
    EXPECT_ASSOCS(cases);
    /* Nothing to count. */
    static const char *const known[] = {
        "28-Feb-2007 11:50:59.10 tcp_local + Y TCP|1.1.1.1|25|2.2.2.2|9 SMTP",
        "28-Feb-2007 11:50:59.10 tcp_local + I TCP|1.1.1.1|25|2.2.2.2|9 SMTP",
    };
    FF_EXPECT_NO_EVENTS(known, FEED_LINE_KNOWN);
    /* An open or close needs its connection data; unknown letters. */
    static const char *const bad[] = {
        "28-Feb-2007 11:50:59.10 tcp_local + O",
        "28-Feb-2007 11:50:59.10 tcp_local + O SMTP",
        "28-Feb-2007 11:50:59.10 tcp_local + C TCP|1.1.1.1|25|2.2.2.2",
        "28-Feb-2007 11:50:59.10 tcp_local + C TCP|1.1.1.1|25|2.2.2.2|9|1",
        "28-Feb-2007 11:50:59.10 tcp_local + C TCP|1.1.1.1|25|2.2.2.2|x9",
        "28-Feb-2007 11:50:59.10 tcp_local + C TCP|1.1.1.1|25||9",
        "28-Feb-2007 11:50:59.10 tcp_local + Q TCP|1.1.1.1|25|2.2.2.2|9 SMTP",
        "28-Feb-2007 11:50:59.10 tcp_local + o TCP|1.1.1.1|25|2.2.2.2|9 SMTP",
        "28-Feb-2007 11:50:59.10 tcp_local +",
        "28-Feb-2007 11:50:59.10 tcp_local ims-ms + O TCP|1.1.1.1|25|2.2.2.2|9",
        "28-Feb-2007 11:50:59.10 notapid tcp_local + O TCP|1.1.1.1|25|2.2.2.2|9",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

static void test_time(void)
{
    fresh();
    /* Leap day, leap second, and an hour change (the cache). */
    static const struct msg_case cases[] = {
        {"29-Feb-2024 23:59:60.99 ims-ms D 1 a@b rfc822;c@d c@d",
         FEED_DEQUEUE, 1709251200990LL, "ims-ms", "", 1024, 1, 0, ""},
        {"01-Mar-2024 00:00:00.00 ims-ms D 1 a@b rfc822;c@d c@d",
         FEED_DEQUEUE, 1709251200000LL, "ims-ms", "", 1024, 1, 0, ""},
        {"29-Feb-2024 22:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
         FEED_DEQUEUE, 1709244000010LL, "ims-ms", "", 1024, 1, 0, ""},
    };
    EXPECT_MESSAGES(cases);
    /* A CRLF line end is not part of the record. */
    CU_ASSERT_EQUAL(ff_parse("29-Feb-2024 22:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d\r"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(ff_events[0].octets, 1024u);

    /* Not dates: another program's lines. */
    static const char *const other[] = {
        "",
        "29-Feb-2023 22:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "31-Apr-2024 22:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "00-Jan-2024 22:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "01-jan-2024 22:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "01-Foo-2024 22:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "01-Jan-2024 24:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "01-Jan-2024 23:60:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "01-Jan-2024 23:00:61.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "01-Jan-2024 23:00:00,01 ims-ms D 1 a@b rfc822;c@d c@d",
        "1-Jan-2024 23:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "01-Jan-1969 23:00:00.01 ims-ms D 1 a@b rfc822;c@d c@d",
        "01-Jan-2024 23:00:00.0",
        "Feb 16 14:54:13 host postfix/smtpd[123]: connect from x[1.2.3.4]",
        "2024-01-01T00:00:00Z something",
    };
    FF_EXPECT_NO_EVENTS(other, FEED_LINE_SKIPPED);
    static const char binary[] = "\x80\xff\xfe\x00\x01 binary"; /* a NUL inside */
    CU_ASSERT_EQUAL(ff_parse_n(binary, sizeof binary - 1), FEED_LINE_SKIPPED);
    CU_ASSERT_EQUAL(ff_n_events, 0);
}

/* Every prefix of a record cut at or next to a field boundary before its
 * last field: inside the date SKIPPED, after it UNPARSED, never an event. */
static void test_truncated(void)
{
    fresh();
    static const char *const lines[] = {
        "06-Oct-2003 00:24:03.66 501d.0b.9 ims-ms Q 5 from@x rfc822;to@y to@ims",
        "06-Oct-2003 00:24:03.66 tcp_local   ims-ms EE 5 from@x rfc822;to@y to@ims",
        "06-Oct-2003 00:24:03.66 tcp_local R 5  rfc822;to@y to@ims",
    };
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        const char *line = lines[l];
        size_t full = strlen(line);
        size_t last = full;
        while (line[last - 1] != ' ')
            last--;
        /* last: start of the current To field; cut before its separator. */
        for (size_t cut = 0; cut + 1 < last; cut++) {
            if (cut > 0 && line[cut] != ' ' && line[cut - 1] != ' ' && cut != 22)
                continue;
            enum feed_line_result r = ff_parse_n(line, cut);
            enum feed_line_result want = cut < 23 ? FEED_LINE_SKIPPED : FEED_LINE_UNPARSED;
            CU_ASSERT_EQUAL(r, want);
            CU_ASSERT_EQUAL(ff_n_events, 0);
            if (r != want || ff_n_events)
                fprintf(stderr, "\n    cut %zu of line %zu: %d\n", cut, l, (int)r);
        }
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL(ff_n_events, 1);
    }
}

static void test_malformed(void)
{
    fresh();
    static const char *const bad[] = {
        "06-Oct-2003 00:24:03.66",
        "06-Oct-2003 00:24:03.66 ",
        "06-Oct-2003 00:24:03.66            ",
        "06-Oct-2003 00:24:03.66x ims-ms D 1 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 ims-ms D x a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 ims-ms D -1 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 ims-ms D 1234567890123 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 ims-ms Dx 1 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 ims-ms DEEEEEEEE 1 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 ims-ms D 1 a@b  ",
        "06-Oct-2003 00:24:03.66 a b c d e f g h",
        "06-Oct-2003 00:24:03.66 notapid tcp_local ims-ms E 1 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 \xc3\x28 ims-ms E 1 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 ims\x01ms D 1 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 ims-ms\tD 1 a@b rfc822;c@d c@d",
        "06-Oct-2003 00:24:03.66 \xff\xfe\xfd\xfc",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
    /* A NUL inside a record is just a byte that is not allowed in a name. */
    static const char nul[] = "06-Oct-2003 00:24:03.66 ims\0ms D 1 a@b rfc822;c@d c@d";
    CU_ASSERT_EQUAL(ff_parse_n(nul, sizeof nul - 1), FEED_LINE_UNPARSED);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    /* Invalid UTF-8 in an address is not our business: it counts. */
    static const struct msg_case utf8 = {
        "06-Oct-2003 00:24:03.66 ims-ms D 1 \xc3\x28@b rfc822;\xff c@d",
        FEED_DEQUEUE, T2003, "ims-ms", "", 1024, 1, 0, ""};
    expect_messages(&utf8, 1);
}

static void test_channel_names(void)
{
    fresh();
    char name63[64], name64[65], line[256];
    memset(name63, 'c', 63);
    name63[63] = '\0';
    memset(name64, 'c', 64);
    name64[64] = '\0';

    snprintf(line, sizeof line, "06-Oct-2003 00:24:03.66 %s D 1 a@b rfc822;c@d c@d", name63);
    const struct msg_case deq = {line, FEED_DEQUEUE, T2003, name63, "", 1024, 1, 0, ""};
    expect_messages(&deq, 1);
    snprintf(line, sizeof line, "06-Oct-2003 00:24:03.66 %s %s E 1 a@b rfc822;c@d c@d",
             name63, name63);
    const struct msg_case enq = {line, FEED_ENQUEUE, T2003, name63, name63, 1024, 0, 0, ""};
    expect_messages(&enq, 1);
    snprintf(line, sizeof line, "06-Oct-2003 00:24:03.66 %s + O TCP|1.1.1.1|25|2.2.2.2|9 SMTP",
             name63);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_STRING_EQUAL(ff_events[0].channel, name63);
    CU_ASSERT_EQUAL(strlen(ff_events[0].key), strlen(name63) + strlen("|2.2.2.2|9"));

    /* One byte more: each kind of record refuses the name. */
    const char *const too_long[] = {name64};
    expect_words("06-Oct-2003 00:24:03.66 ", too_long, 1, " D 1 a@b rfc822;c@d c@d",
                 FEED_LINE_UNPARSED);
    expect_words("06-Oct-2003 00:24:03.66 l ", too_long, 1, " E 1 a@b rfc822;c@d c@d",
                 FEED_LINE_UNPARSED);
    expect_words("06-Oct-2003 00:24:03.66 ", too_long, 1, " + O TCP|1.1.1.1|25|2.2.2.2|9",
                 FEED_LINE_UNPARSED);
}

static void test_long_lines(void)
{
    fresh();
    size_t len = FEED_LINE_MAX;
    char *line = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    if (!line)
        return;
    /* A date, then 64 KB of one word. */
    memcpy(line, "06-Oct-2003 00:24:03.66 ", 24);
    memset(line + 24, 'a', len - 24);
    CU_ASSERT_EQUAL(ff_parse_n(line, len), FEED_LINE_UNPARSED);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    /* 64 KB of spaces after the date. */
    memset(line + 24, ' ', len - 24);
    CU_ASSERT_EQUAL(ff_parse_n(line, len), FEED_LINE_UNPARSED);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    /* A real record with a 64 KB diagnostic: counted, reason cut. */
    static const char head[] = "06-Oct-2003 00:24:03.66 tcp_local J 0 a@b rfc822;c@d c@d smtp;550 5.7.1 ";
    memcpy(line, head, sizeof head - 1);
    memset(line + sizeof head - 1, 'z', len - (sizeof head - 1));
    CU_ASSERT_EQUAL(ff_parse_n(line, len), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(ff_events[0].status, 5007001u);
    CU_ASSERT_EQUAL(strlen(ff_events[0].reason), (size_t)FEED_REASON_MAX);
    /* 64 KB of garbage. */
    for (size_t i = 0; i < len; i++)
        line[i] = (char)(i * 131 + 7);
    CU_ASSERT_EQUAL(ff_parse_n(line, len), FEED_LINE_SKIPPED);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    free(line);
}

/* The retry memory is bounded: many distinct Q records, then the D of the
 * first still parses (first_attempt may have been evicted) and the D of
 * the last is known as a retry. */
static void test_retry_bounded(void)
{
    fresh();
    char line[256];
    for (int i = 0; i < 100000; i++) {
        snprintf(line, sizeof line,
                 "06-Oct-2003 00:24:03.66 tcp_local Q 1 a@b rfc822;u%d@d u%d@d", i, i);
        CU_ASSERT_EQUAL_FATAL(ff_parse(line), FEED_LINE_COUNTED);
    }
    static const struct msg_case last = {
        "06-Oct-2003 00:24:03.66 tcp_local D 1 a@b rfc822;u99999@d u99999@d",
        FEED_DEQUEUE, T2003, "tcp_local", "", 1024, 0, 0, ""};
    expect_messages(&last, 1);
}

/* The test logs of tests/data/feed/sunmta, line by line: exact tallies. */
struct tally {
    unsigned result[4];
    int kind[FEED_ASSOC_FAIL + 1];
    int first_attempts;
};

static void tally_event(void *ctx, const struct feed_event *ev)
{
    struct tally *t = ctx;
    t->kind[ev->kind]++;
    if (ev->kind == FEED_DEQUEUE)
        t->first_attempts += ev->first_attempt;
}

/* The tally of sample log @p name is exactly @p want: every line result,
 * every event kind, the first attempts. */
static void expect_tally(const char *name, const struct tally *want)
{
    struct tally t = {0};
    if (ff_read_log(&feed_format_sunmta, name, tally_event, &t, t.result) < 0)
        return;
    for (size_t r = 0; r < sizeof t.result / sizeof t.result[0]; r++)
        CU_ASSERT_EQUAL(t.result[r], want->result[r]);
    for (size_t k = 0; k < sizeof t.kind / sizeof t.kind[0]; k++) {
        CU_ASSERT_EQUAL(t.kind[k], want->kind[k]);
        if (t.kind[k] != want->kind[k])
            fprintf(stderr, "\n    %s: %d events of kind %zu, want %d\n", name, t.kind[k], k,
                    want->kind[k]);
    }
    CU_ASSERT_EQUAL(t.first_attempts, want->first_attempts);
}

static void test_sample_logs(void)
{
    static const struct tally current = {
        .result = {[FEED_LINE_COUNTED] = 16, [FEED_LINE_KNOWN] = 2},
        .kind = {[FEED_ENQUEUE] = 5, [FEED_DEQUEUE] = 3, [FEED_TEMPFAIL] = 1,
                 [FEED_REJECT] = 1, [FEED_FAIL] = 1, [FEED_ASSOC_OPEN] = 2,
                 [FEED_ASSOC_CLOSE] = 2, [FEED_ASSOC_FAIL] = 1},
        .first_attempts = 2,
    };
    expect_tally("sunmta/mail.log_current", &current);
    static const struct tally process = {
        .result = {[FEED_LINE_COUNTED] = 7},
        .kind = {[FEED_ENQUEUE] = 1, [FEED_DEQUEUE] = 1, [FEED_TEMPFAIL] = 1,
                 [FEED_FAIL] = 1, [FEED_ASSOC_OPEN] = 1, [FEED_ASSOC_CLOSE] = 1,
                 [FEED_ASSOC_REJECT] = 1},
        .first_attempts = 0,
    };
    expect_tally("sunmta/mail.log_process", &process);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"format", test_format},
        {"enqueue", test_enqueue},
        {"dequeue", test_dequeue},
        {"tempfail then dequeue", test_tempfail_then_dequeue},
        {"LOG_FORMAT 1 and 2", test_log_format_2},
        {"reject", test_reject},
        {"fail", test_fail},
        {"known records", test_known},
        {"connections", test_connections},
        {"time", test_time},
        {"truncated", test_truncated},
        {"malformed", test_malformed},
        {"channel names", test_channel_names},
        {"long lines", test_long_lines},
        {"retry memory bounded", test_retry_bounded},
        {"sample logs", test_sample_logs},
        {NULL, NULL},
    };
    return ff_main("parse_sunmta", tests, 1);
}
