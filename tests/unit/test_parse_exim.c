/*
 * test_parse_exim.c - the Exim main log parser (parse_exim.c) on strings:
 * every record kind gives exact events with every field, the message-id
 * state carries sizes, arrival times, deferrals and connection failures,
 * both Debian's default log_selector and +all are read, and malformed
 * lines of any kind give an exact result and no event.  Runs with TZ=UTC.
 */
#include <stdlib.h>
#include <time.h>

#include "feed_fixture.h"
#include "unit_util.h"

#define IDS_REMEMBERED 65536 /* EX_IDS of parse_exim.c */

static void fresh(void)
{
    ff_fresh(&feed_format_exim);
}

/* 2026-12-04 20:02:12 UTC */
#define T0 "2026-12-04 20:02:12 "
#define T0_MS 1796414532000LL
/* the same with +millisec and +pid */
#define TA "2026-12-04 20:02:12.287 [26210] "
#define TA_MS (T0_MS + 287)
#define ID "1xZZTw-0006ok-11"
#define ID2 "1xZZTw-0006ok-16"

/* A message event of Exim: no source. */
static void check_msg(const struct feed_event *e, enum feed_event_kind kind,
                      const char *channel, uint32_t rcpts, uint64_t octets,
                      mtamon_status_code status)
{
    ff_check_msg(e, kind, channel, "", rcpts, octets, status);
}

/* ------------------------------------------------------------------------ */
/* Dates                                                                     */

static void test_dates(void)
{
    fresh();
    static const struct {
        const char *stamp;
        int64_t ms;
    } cases[] = {
        {"2026-12-04 20:02:12", T0_MS},
        {"2026-12-04 20:02:12.287", T0_MS + 287},
        {"2026-12-04 20:02:12.5", T0_MS + 500},
        {"2026-12-04 20:02:12.123456", T0_MS + 123},
        {"2026-12-04 21:02:12 +0100", T0_MS},
        {"2026-12-04 15:32:12.001 -0430", T0_MS + 1},
        {"2026-12-04 20:02:12 [1]", T0_MS},
        {"2026-12-04 20:02:12.287 +0000 [26210]", T0_MS + 287},
        {"1970-01-01 00:00:00", 0},
        {"2000-02-29 12:00:00", 951825600000LL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s " ID " <= a@b P=esmtp S=1", cases[i].stamp);
        CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        CU_ASSERT_EQUAL(ff_events[0].time_ms, cases[i].ms);
        if (ff_events[0].time_ms != cases[i].ms)
            fprintf(stderr, "\n    %s: %lld\n", cases[i].stamp, (long long)ff_events[0].time_ms);
    }
    static const char *const bad[] = {
        "2026-12-04T20:02:12 " ID " <= a@b P=esmtp S=1",
        "2026-13-04 20:02:12 " ID " <= a@b P=esmtp S=1",
        "2026-12-00 20:02:12 " ID " <= a@b P=esmtp S=1",
        "2026-12-04 24:02:12 " ID " <= a@b P=esmtp S=1",
        "2026-12-04 20:02:12. " ID " <= a@b P=esmtp S=1",
        "2026-12-04 20:02:12 +2500 " ID " <= a@b P=esmtp S=1",
        "2026-12-04 20:02:12 [] " ID " <= a@b P=esmtp S=1",
        "2026-12-04 20:02:12 [12x] " ID " <= a@b P=esmtp S=1",
        "2026-1-04 20:02:12 " ID " <= a@b P=esmtp S=1",
        "Dec  4 20:02:12 mx exim[1]: " ID " <= a@b P=esmtp S=1",
        "2026-12-04 20:02:12",
        "2026-12-04 20:02:12 ",
        "garbage",
        "",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
    /* the second line of a long entry */
    static const char *const cont[] = {
        " Suggested action: either install a certificate or change tls_advertise_hosts option",
        "\tcontinued",
    };
    FF_EXPECT_NO_EVENTS(cont, FEED_LINE_KNOWN);
}

/* ------------------------------------------------------------------------ */
/* Arrivals                                                                  */

static void test_arrivals(void)
{
    fresh();
    /* Debian's default selector */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " <= sender@gt.test H=(client.gt.test) [127.0.0.1] P=esmtp S=236"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_SUBMIT, "esmtp", 1, 236, 0);
    CU_ASSERT_EQUAL(ff_events[0].time_ms, T0_MS);
    /* +all: ports, I=, subject with spaces and "for" inside, recipients */
    CU_ASSERT_EQUAL(ff_parse(TA ID2 " <= sender@gt.test H=mx.example (client.gt.test) [127.0.0.1]:52780 "
                             "I=[127.0.0.1]:41353 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no "
                             "A=plain:sender S=228 M8S=0 RT=0.005s id=abc@x T=\"for S=99 \\\"q\\\" P=x\" "
                             "from <sender@gt.test> for alice@gt.test bob@gt.test"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_SUBMIT, "esmtpsa", 2, 228, 0);
    CU_ASSERT_EQUAL(ff_events[0].time_ms, TA_MS);
    /* a bounce; a local submission; no P= */
    CU_ASSERT_EQUAL(ff_parse(T0 "1xZZTx-0006r8-1Y <= <> R=1xZZTw-0006ok-1C U=Debian-exim P=local S=1431"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_SUBMIT, "local", 1, 1431, 0);
    CU_ASSERT_EQUAL(ff_parse(T0 "1xZZTy-0006tm-2K <= root@mx U=root S=12"), FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_SUBMIT, "local", 1, 12, 0);
    /* 4.97 message ids; fakereject arrivals */
    CU_ASSERT_EQUAL(ff_parse(T0 "1rYrGw-00000000kCj-3FIb <= a@b H=[192.0.2.1] P=esmtps S=7"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_SUBMIT, "esmtps", 1, 7, 0);
    CU_ASSERT_EQUAL(ff_parse(T0 ID " (= a@b H=[192.0.2.1] P=smtp S=9"), FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_SUBMIT, "smtp", 1, 9, 0);
    static const char *const bad[] = {
        T0 ID " <= a@b P=esmtp",          /* no size */
        T0 ID " <= a@b P=esmtp S=",
        T0 ID " <= a@b P=esmtp S=12x",
        T0 ID " <= a@b P=esmtp S=1234567890123456789",
        T0 ID " <=",
        T0 ID " <= ",
        T0 ID,
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
}

/* ------------------------------------------------------------------------ */
/* Deliveries                                                                */

static void test_delivered(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(T0 ID " <= sender@gt.test H=(c) [127.0.0.1] P=esmtp S=236"), FEED_LINE_COUNTED);
    /* default selector: the queue time is the time since the arrival */
    CU_ASSERT_EQUAL(ff_parse("2026-12-04 20:02:14 " ID " => alice <alice@gt.test> R=local_users T=local_delivery"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "local_delivery", 1, 236, 0);
    check_msg(&ff_events[1], FEED_DEQUEUE, "local_delivery", 1, 236, 0);
    CU_ASSERT_EQUAL(ff_events[1].first_attempt, 1);
    CU_ASSERT_EQUAL(ff_events[1].queue_ms, 2000);
    CU_ASSERT_EQUAL(ff_events[1].time_ms, T0_MS + 2000);
    /* +all: QT= wins; S= of the line is not the message's size */
    CU_ASSERT_EQUAL(ff_parse(TA ID " => bob <bob@gt.test> F=<sender@gt.test> P=<sender@gt.test> "
                             "R=local_users T=local_delivery S=274 QT=1m2.5s DT=0.043s"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[1], FEED_DEQUEUE, "local_delivery", 1, 236, 0);
    CU_ASSERT_EQUAL(ff_events[1].queue_ms, 62500);
    /* -> and >> count like => */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " -> carol@gt.test R=dnslookup T=remote_smtp H=mx.x [192.0.2.9] X=TLS1.3 C=\"250 OK id=1\""),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "remote_smtp", 1, 236, 0);
    check_msg(&ff_events[1], FEED_DEQUEUE, "remote_smtp", 1, 236, 0);
    CU_ASSERT_EQUAL(ff_parse(T0 ID " >> dave@x R=dnslookup T=remote_smtp H=mx.x [192.0.2.9]"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_n_events, 2);
    /* Completed forgets the message: its size is unknown after it */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " Completed"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(T0 ID " Completed QT=2s"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(T0 ID " => alice <alice@gt.test> R=local_users T=local_delivery S=274"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[1], FEED_DEQUEUE, "local_delivery", 1, 274, 0);
    CU_ASSERT_EQUAL(ff_events[1].queue_ms, -1);
    /* no transport: the router, then "routing" */
    CU_ASSERT_EQUAL(ff_parse(T0 ID2 " => :blackhole: <spam@gt.test> R=blackhole_router"), FEED_LINE_COUNTED);
    check_msg(&ff_events[1], FEED_DEQUEUE, "blackhole_router", 1, 0, 0);
    /* a file and a pipe from a filter */
    CU_ASSERT_EQUAL(ff_parse(T0 ID2 " => /var/mail/x <x@gt.test> R=userforward T=address_file"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[1], FEED_DEQUEUE, "address_file", 1, 0, 0);
    /* -N: suppressed, nothing pending */
    CU_ASSERT_EQUAL(ff_parse(T0 ID2 " *> x@y R=dnslookup T=remote_smtp H=mx [192.0.2.1]"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
}

static void test_deferred_then_delivered(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(T0 ID " <= s@gt.test H=(c) [127.0.0.1] P=esmtp S=253"), FEED_LINE_COUNTED);
    /* a connection failure waits for the transport of the next line */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " H=127.0.0.1 [127.0.0.1] Connection refused"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    CU_ASSERT_EQUAL(ff_parse(T0 ID " == u@deferred.test R=deferred T=remote_smtp defer (111): Connection refused"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 3);
    CU_ASSERT_EQUAL(ff_events[0].kind, FEED_ASSOC_FAIL);
    CU_ASSERT_STRING_EQUAL(ff_events[0].channel, "remote_smtp");
    CU_ASSERT_EQUAL(ff_events[0].status, 4004001u);
    CU_ASSERT_STRING_EQUAL(ff_events[0].reason, "Connection refused");
    check_msg(&ff_events[1], FEED_ENQUEUE, "remote_smtp", 1, 253, 0);
    check_msg(&ff_events[2], FEED_TEMPFAIL, "remote_smtp", 1, 253, 4004001u);
    /* again (+all form, port): no second ENQUEUE */
    CU_ASSERT_EQUAL(ff_parse(TA ID " H=127.0.0.1 [127.0.0.1]:1 Connection timed out"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_parse(TA ID " == u@deferred.test R=deferred T=remote_smtp defer (110): Connection timed out DT=30s"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    CU_ASSERT_STRING_EQUAL(ff_events[0].reason, "Connection timed out");
    check_msg(&ff_events[1], FEED_TEMPFAIL, "remote_smtp", 1, 253, 4004001u);
    /* retry time not reached: no attempt, nothing to count */
    CU_ASSERT_EQUAL(ff_parse(TA ID " == u@deferred.test R=deferred T=remote_smtp defer (-54) DT=0.000s: "
                             "retry time not reached for any host for 'deferred.test'"),
                    FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    /* a 4xx reply */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " == u@deferred.test R=deferred T=remote_smtp defer (-44) H=mx [192.0.2.1]: "
                             "SMTP error from remote mail server after RCPT TO:<u@deferred.test>: 451 4.3.0 try later"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_TEMPFAIL, "remote_smtp", 1, 253, 4003000u);
    /* a routing deferral: on the router, queued there */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " == v@slow.test R=dnslookup defer (-1): host lookup did not complete"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "dnslookup", 1, 253, 0);
    check_msg(&ff_events[1], FEED_TEMPFAIL, "dnslookup", 1, 253, 0);
    /* finally delivered: not first, no ENQUEUE */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " => u@deferred.test R=deferred T=remote_smtp H=mx [192.0.2.1] C=\"250 OK\""),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_DEQUEUE, "remote_smtp", 1, 253, 0);
    CU_ASSERT_EQUAL(ff_events[0].first_attempt, 0);
    /* the other one fails on its router */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " ** v@slow.test R=dnslookup: retry timeout exceeded"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_FAIL, "dnslookup", 1, 253, 5004007u);
    /* a first line that is a retry wait: queued, no attempt */
    CU_ASSERT_EQUAL(ff_parse(T0 ID2 " == w@deferred.test R=deferred T=remote_smtp defer (-53): "
                             "retry time not reached for any host"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_ENQUEUE, "remote_smtp", 1, 0, 0);
    /* and suppressed later (-N): it leaves the queue */
    CU_ASSERT_EQUAL(ff_parse(T0 ID2 " *> w@deferred.test R=deferred T=remote_smtp"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_DEQUEUE, "remote_smtp", 1, 0, 0);
}

static void test_failed(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(T0 ID " <= s@gt.test H=(c) [127.0.0.1] P=esmtp S=242"), FEED_LINE_COUNTED);
    /* default selector */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " ** nobody-here@gt.test: Unrouteable address"), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "routing", 1, 242, 0);
    check_msg(&ff_events[1], FEED_FAIL, "routing", 1, 242, 0);
    /* +all */
    CU_ASSERT_EQUAL(ff_parse(TA ID " ** nobody-here@gt.test F=<sender@gt.test>: Unrouteable address DT=0.000s"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[1], FEED_FAIL, "routing", 1, 242, 0);
    /* a remote 5xx: its enhanced code */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " ** bad@remote.test R=dnslookup T=remote_smtp H=mx.remote.test [192.0.2.5]: "
                             "SMTP error from remote mail server after RCPT TO:<bad@remote.test>: "
                             "550 5.1.1 <bad@remote.test>: Recipient address rejected: User unknown"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 2);
    check_msg(&ff_events[0], FEED_ENQUEUE, "remote_smtp", 1, 242, 0);
    check_msg(&ff_events[1], FEED_FAIL, "remote_smtp", 1, 242, 5001001u);
    /* older wording, a basic code only, +all's port */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " ** b2@remote.test R=dnslookup T=remote_smtp H=mx [192.0.2.5]:25: "
                             "SMTP error from remote mail server after end of data: 554 rejected"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[1], FEED_FAIL, "remote_smtp", 1, 242, 5000000u);
    /* a local delivery failing */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " ** |/bin/false <x@gt.test> R=userforward T=address_pipe: return message generated"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[1], FEED_FAIL, "address_pipe", 1, 242, 0);
    /* frozen and friends */
    static const char *const known[] = {
        T0 ID " Frozen (delivery error message)",
        T0 ID " Message is frozen",
        T0 ID " Unfrozen by forced delivery",
        T0 ID " Warning: ident timed out",
        T0 ID " no immediate delivery: queued by ACL",
        T0 ID " Completed",
    };
    FF_EXPECT_NO_EVENTS(known, FEED_LINE_KNOWN);
}

/* ------------------------------------------------------------------------ */
/* Rejections, connections                                                   */

static void test_rejects(void)
{
    fresh();
    CU_ASSERT_EQUAL(ff_parse(T0 "H=(client.gt.test) [127.0.0.1] F=<sender@gt.test> rejected RCPT "
                             "<reject-me@gt.test>: test rejection"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    check_msg(&ff_events[0], FEED_REJECT, "smtp", 1, 0, 5000000u);
    CU_ASSERT_STRING_EQUAL(ff_events[0].reason, "test rejection");
    CU_ASSERT_EQUAL(ff_parse(TA "H=(c) [127.0.0.1]:52780 I=[127.0.0.1]:41353 F=<s@x> temporarily rejected RCPT "
                             "<g@gt.test>: greylisted"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_REJECT, "smtp", 1, 0, 4000000u);
    CU_ASSERT_STRING_EQUAL(ff_events[0].reason, "greylisted");
    CU_ASSERT_EQUAL(ff_parse(T0 "H=x [192.0.2.1] F=<s@x> rejected MAIL <s@x>: 550 5.7.1 sender blocked"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_REJECT, "smtp", 1, 0, 5007001u);
    CU_ASSERT_EQUAL(ff_parse(T0 ID " H=(a.b.c) [10.0.0.1] F=<> rejected after DATA: This message contains a virus"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_REJECT, "smtp", 1, 0, 5000000u);
    CU_ASSERT_STRING_EQUAL(ff_events[0].reason, "This message contains a virus");
    CU_ASSERT_EQUAL(ff_parse(T0 "rejected from <a@b> H=x [192.0.2.1]: message too big: read=1 max=0"),
                    FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_REJECT, "smtp", 1, 0, 5000000u);
    CU_ASSERT_EQUAL(ff_parse(T0 "U=bob F=<bob@x> rejected by non-SMTP ACL: no"), FEED_LINE_COUNTED);
    check_msg(&ff_events[0], FEED_REJECT, "local", 1, 0, 5000000u);
    /* refused connections */
    CU_ASSERT_EQUAL(ff_parse(T0 "H=[192.0.2.7] rejected connection in \"connect\" ACL: blocked"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(ff_events[0].kind, FEED_ASSOC_REJECT);
    CU_ASSERT_STRING_EQUAL(ff_events[0].channel, "smtp");
    CU_ASSERT_EQUAL(ff_events[0].status, 5000000u);
    CU_ASSERT_STRING_EQUAL(ff_events[0].reason, "blocked");
    CU_ASSERT_EQUAL(ff_parse(T0 "SMTP protocol synchronization error (input sent without waiting for greeting): "
                             "rejected connection from H=[192.0.2.8]:40000 input=\"EHLO x\""),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].kind, FEED_ASSOC_REJECT);
    CU_ASSERT_EQUAL(ff_events[0].status, 5000000u);
    CU_ASSERT_EQUAL(strncmp(ff_events[0].reason, "SMTP protocol synchronization error", 35), 0);
    CU_ASSERT_EQUAL(ff_parse(T0 "SMTP protocol synchronization error (next input sent too soon: pipelining "
                             "was not advertised): rejected \"RSET\" H=(x) [192.0.2.8]:40001 next input=\"QUIT\""),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].kind, FEED_ASSOC_REJECT);
    CU_ASSERT_EQUAL(ff_parse(T0 "Connection from [192.0.2.9]:4000 refused: too many connections"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].kind, FEED_ASSOC_REJECT);
    CU_ASSERT_EQUAL(ff_events[0].status, 4000000u);
    /* rejections of no message or connection */
    static const char *const known[] = {
        T0 "rejected EHLO from [192.0.2.1]: syntactically invalid argument(s): x_y",
        T0 "H=(x) [192.0.2.1] rejected EHLO or HELO x: bad",
        T0 "H=(x) [192.0.2.1] rejected VRFY a@b: no",
        T0 "H=(x) [192.0.2.1] F=<a@b> rejected AUTH plain: bad",
        T0 "H=(x) [192.0.2.1] incomplete transaction (RSET) from <sender@gt.test>",
        T0 "exim 4.96 daemon started: pid=25772, no queue runs, listening for SMTP on [127.0.0.1]:41353",
        T0 "Start queue run: pid=26250 -qf",
        T0 "cwd=/tmp/ex1 4 args: /usr/sbin/exim4 -C /tmp/ex1/exim.conf -qf",
        T0 "exim user lost privilege for using -C option",
    };
    FF_EXPECT_NO_EVENTS(known, FEED_LINE_KNOWN);
}

static void test_connections(void)
{
    fresh();
    /* Debian's default selector logs no opens: a close opens nothing */
    CU_ASSERT_EQUAL(ff_parse(T0 "SMTP connection from [192.0.2.1] lost D=3s"), FEED_LINE_KNOWN);
    CU_ASSERT_EQUAL(ff_n_events, 0);
    CU_ASSERT_EQUAL(ff_parse(TA "SMTP connection from [127.0.0.1]:52780 I=[127.0.0.1]:41353 "
                             "(TCP/IP connection count = 1)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
    CU_ASSERT_EQUAL(ff_events[0].kind, FEED_ASSOC_OPEN);
    CU_ASSERT_EQUAL(ff_events[0].direction, MTAMON_INBOUND);
    CU_ASSERT_STRING_EQUAL(ff_events[0].channel, "smtp");
    CU_ASSERT_STRING_EQUAL(ff_events[0].key, "[127.0.0.1]:52780");
    CU_ASSERT_STRING_EQUAL(ff_events[0].remote, "[127.0.0.1]:52780");
    CU_ASSERT_EQUAL(ff_events[0].time_ms, TA_MS);
    static const char *const closes[] = {
        TA "SMTP connection from (client.gt.test) [127.0.0.1]:52780 I=[127.0.0.1]:41353 closed by QUIT",
        T0 "SMTP connection from host.x (h) [127.0.0.1]:52780 lost",
        T0 "SMTP connection from [127.0.0.1]:52780 lost while reading message data",
        T0 "SMTP connection from (h) [127.0.0.1]:52780 closed by DROP in ACL",
        T0 "SMTP call from (h) [127.0.0.1]:52780 dropped: too many nonmail commands (last was \"RSET\")",
        T0 "SMTP command timeout on connection from (h) [127.0.0.1]:52780",
        T0 "SMTP data timeout (message abandoned) on connection from (h) [127.0.0.1]:52780 F=<a@b>",
        T0 "unexpected disconnection while reading SMTP command from (h) [127.0.0.1]:52780 D=10s",
    };
    for (size_t i = 0; i < sizeof closes / sizeof closes[0]; i++) {
        CU_ASSERT_EQUAL(ff_parse(closes[i]), FEED_LINE_COUNTED);
        CU_ASSERT_EQUAL_FATAL(ff_n_events, 1);
        CU_ASSERT_EQUAL(ff_events[0].kind, FEED_ASSOC_CLOSE);
        CU_ASSERT_STRING_EQUAL(ff_events[0].key, "[127.0.0.1]:52780");
    }
    /* without +incoming_port */
    CU_ASSERT_EQUAL(ff_parse(T0 "SMTP connection from [192.0.2.1] (TCP/IP connection count = 3)"),
                    FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(ff_events[0].key, "[192.0.2.1]");
    CU_ASSERT_EQUAL(ff_parse(T0 "SMTP connection from (x) [192.0.2.1] closed by QUIT"), FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(ff_events[0].key, "[192.0.2.1]");
    static const char *const bad[] = {
        T0 "SMTP connection from nowhere closed by QUIT",
        T0 "SMTP connection from [] (TCP/IP connection count = 1)",
        T0 "SMTP connection from  lost",
    };
    FF_EXPECT_NO_EVENTS(bad, FEED_LINE_UNPARSED);
    static const char *const known[] = {
        T0 "SMTP connection from ",
        T0 "SMTP connection from [127.0.0.1]:52780 I=[127.0.0.1]:41353 (TCP/IP",
    };
    FF_EXPECT_NO_EVENTS(known, FEED_LINE_KNOWN);
}

/* ------------------------------------------------------------------------ */
/* State                                                                     */

/* For ff_pending_overflow(): recipient i deferred, or ended in pass 2. */
static void overflow_line(char *buf, size_t n, int pass, int i)
{
    if (pass < 2)
        snprintf(buf, n, T0 ID " == r%d@there R=r T=remote_smtp defer (111): Connection refused", i);
    else
        snprintf(buf, n, T0 ID " %s r%d@there R=r T=remote_smtp: x", i % 2 ? "=>" : "**", i);
}

/* More deferred recipients than a message tracks: the extra ones are
 * queued only when they end, so enqueues and ends still balance. */
static void test_pending_overflow(void)
{
    fresh();
    ff_pending_overflow(overflow_line, 8); /* EX_PENDING tracked */
}

/* For ff_eviction(): ids 1a..., and 1b... for generation 1. */
static void evict_arrival(char *buf, size_t n, int gen, unsigned id, unsigned size)
{
    snprintf(buf, n, T0 "1%c%04X-%06X-aa <= a@b P=esmtp S=%u", gen ? 'b' : 'a', id >> 16, id, size);
}

static void evict_delivery(char *buf, size_t n, int gen, unsigned id)
{
    snprintf(buf, n, T0 "1%c%04X-%06X-aa => b@c R=r T=t", gen ? 'b' : 'a', id >> 16, id);
}

static void evict_end(char *buf, size_t n, unsigned id)
{
    snprintf(buf, n, T0 "1a%04X-%06X-aa Completed", id >> 16, id);
}

/* A full table forgets the oldest message ids, and only those; Completed
 * frees entries that later ids reuse.  A delivery emits ENQUEUE, DEQUEUE. */
static void test_eviction(void)
{
    static const struct ff_id_lines lines = {
        evict_arrival, FEED_LINE_COUNTED, evict_delivery, 1, evict_end,
    };
    fresh();
    ff_eviction(&lines, IDS_REMEMBERED);
}

/* ------------------------------------------------------------------------ */
/* Malformed input                                                           */

static void test_malformed(void)
{
    fresh();
    static const struct ff_line_case cases[] = {
        {" ", FEED_LINE_KNOWN},
        {T0 ID " =>", FEED_LINE_UNPARSED},
        {T0 ID " => ", FEED_LINE_UNPARSED},
        {T0 ID " ** :", FEED_LINE_UNPARSED},
        {T0 ID " == a@b R= T=: x", FEED_LINE_UNPARSED},
        {T0 ID " => a@b T=\x01x", FEED_LINE_UNPARSED},
        {T0 ID " <= a@b P=\x7f S=1", FEED_LINE_UNPARSED},
        {T0 ID " xyzzy \x01\x02 nonsense", FEED_LINE_KNOWN},
        {T0 ID " \xff\xfe\xc3\x28 invalid utf-8", FEED_LINE_KNOWN},
        {T0 "\xff\xfe\xc3\x28 invalid utf-8 rejected \xff", FEED_LINE_KNOWN},
        {T0 "1xZZTw-0006ok-1 <= a@b P=esmtp S=1", FEED_LINE_KNOWN}, /* no id: text */
        {T0 "1xZZTw_0006ok-11 <= a@b P=esmtp S=1", FEED_LINE_KNOWN},
        {T0 ID "x <= a@b P=esmtp S=1", FEED_LINE_KNOWN},
        {T0 ID "  <= a@b P=esmtp S=1", FEED_LINE_KNOWN},
    };
    FF_EXPECT_RESULTS(cases);
    /* "T=" with nothing after it counts on the router; R= alone too */
    CU_ASSERT_EQUAL(ff_parse(T0 ID " => a@b R=r"), FEED_LINE_COUNTED);
    CU_ASSERT_STRING_EQUAL(ff_events[0].channel, "r");
    /* a transport name longer than 63 bytes */
    char line[512], name[80];
    memset(name, 'x', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(line, sizeof line, T0 ID " => a@b R=r T=%s", name);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_UNPARSED);
    snprintf(line, sizeof line, T0 ID " => a@b R=r T=%.63s", name);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(strlen(ff_events[0].channel), 63);
    /* Not NUL-terminated: the parser must stop at len. */
    const char *full = T0 ID " <= a@b P=esmtp S=12XXXX";
    CU_ASSERT_EQUAL(ff_parse_n(full, strlen(full) - 4), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].octets, 12);
}

/* For ff_every_prefix(): up to 18 bytes of "2026-12-04 20:02:12 " are an
 * unreadable date. */
static size_t date_cut(const char *line)
{
    (void)line;
    return 18;
}

/* Every prefix of real lines: no crash, no event unless the record is
 * complete, and UNPARSED while the date is cut. */
static void test_truncated(void)
{
    static const struct ff_prefix_case cases[] = {
        {TA "1xZZTw-0006ok-11 <= sender@gt.test H=(client.gt.test) [127.0.0.1]:52780 I=[127.0.0.1]:41353 "
            "P=esmtp L.- S=247 M8S=0 RT=0.007s T=\"x\" from <sender@gt.test> for alice@gt.test",
         "S=2", 1},
        {TA "1xZZTw-0006ok-16 => bob <bob@gt.test> F=<sender@gt.test> P=<sender@gt.test> R=local_users "
            "T=local_delivery S=274 QT=0.635s DT=0.048s",
         "=> b", 2},
        {T0 "1xZZSR-0003Nr-19 == user0@deferred.test R=deferred T=remote_smtp defer (111): Connection refused",
         "== u", 2},
        {T0 "1xZZSR-0003Nr-17 ** nobody-here@gt.test: Unrouteable address", "** n", 2},
        {T0 "H=(client.gt.test) [127.0.0.1] F=<sender@gt.test> rejected RCPT <reject-me@gt.test>: test rejection",
         "rejected RCPT", 1},
        {TA "SMTP connection from [127.0.0.1]:52780 I=[127.0.0.1]:41353 (TCP/IP connection count = 1)",
         "connection count", 1},
    };
    ff_every_prefix(cases, sizeof cases / sizeof cases[0], &feed_format_exim, date_cut, 0);
}

/* Every other random line starts with a valid head, in turn. */
static void garbage_shape(char *buf, size_t n, int i)
{
    static const char *const heads[] = {
        T0, TA, T0 ID " ", T0 ID " => ", T0 ID " <= ", T0 ID " == ", T0 "SMTP connection from ",
        T0 "H=(x) [1.2.3.4] rejected ",
    };
    if (i % 2)
        ff_put_head(buf, n, heads[(unsigned)i / 2 % (sizeof heads / sizeof heads[0])]);
}

static void test_garbage(void)
{
    fresh();
    ff_random_lines(12345, 20000, garbage_shape);
    /* The longest line, of the right shape and of junk */
    char *big = malloc(FEED_LINE_MAX);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'a', FEED_LINE_MAX);
    const char *head = T0 "H=(x) [1.2.3.4] F=<a@b> rejected RCPT <c@d>: ";
    memcpy(big, head, strlen(head));
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(strlen(ff_events[0].reason), FEED_REASON_MAX);
    head = T0 ID " <= a@b P=esmtp S=1 for ";
    memset(big, ' ', FEED_LINE_MAX);
    memcpy(big, head, strlen(head));
    for (size_t k = strlen(head); k + 1 < FEED_LINE_MAX; k += 2)
        big[k] = 'x';
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[0].recipients, (FEED_LINE_MAX - strlen(head)) / 2);
    head = T0 ID " => ";
    memset(big, 'b', FEED_LINE_MAX);
    memcpy(big, head, strlen(head));
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_COUNTED); /* on "routing" */
    head = T0 ID " <= a@b T=\"";
    memcpy(big, head, strlen(head));
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_UNPARSED);
    memset(big, 0, FEED_LINE_MAX);
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_UNPARSED);
    memset(big, ' ', FEED_LINE_MAX);
    CU_ASSERT_EQUAL(ff_parse_n(big, FEED_LINE_MAX), FEED_LINE_KNOWN);
    free(big);
}

/* ------------------------------------------------------------------------ */
/* Real logs: the totals eximstats gives for them                            */

struct totals {
    uint64_t submitted, submitted_octets, received, delivered, delivered_octets,
        attempted, failed, rejected, opens, closes, assoc_fail;
};

static void sum(void *ctx, const struct feed_event *ev)
{
    struct totals *t = ctx;
    switch (ev->kind) {
    case FEED_SUBMIT:
        t->submitted++;
        t->submitted_octets += ev->octets;
        break;
    case FEED_ENQUEUE: t->received += ev->recipients; break;
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

static void test_real_logs(void)
{
    /* Both logs are the traffic of test_feed_exim.sh (see the README
     * there); eximstats says for both: Received 12 messages, Delivered
     * 10, Delayed 2, Failed 1, Rejects 7 (3 RCPT rejections and the 4
     * refused outbound connections); volumes below. */
    static const struct {
        const char *name;
        int lines;
        uint64_t rcvd_bytes, dlvd_bytes, assocs;
    } logs[] = {
        {"exim-gt/mainlog-default", 54, 4543, 3951, 0},
        {"exim-gt/mainlog-all", 64, 4659, 4045, 1},
    };
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        struct totals t = {0};
        unsigned n[4];
        int lines = ff_read_log(&feed_format_exim, logs[i].name, sum, &t, n);
        if (lines < 0)
            continue;
        CU_ASSERT_EQUAL(n[FEED_LINE_SKIPPED] + n[FEED_LINE_UNPARSED], 0);
        CU_ASSERT_EQUAL(lines, logs[i].lines);
        CU_ASSERT_EQUAL(t.submitted, 12);
        CU_ASSERT_EQUAL(t.submitted_octets, logs[i].rcvd_bytes);
        CU_ASSERT_EQUAL(t.delivered, 10);
        CU_ASSERT_EQUAL(t.delivered_octets, logs[i].dlvd_bytes);
        CU_ASSERT_EQUAL(t.failed, 1);
        CU_ASSERT_EQUAL(t.rejected, 3);
        CU_ASSERT_EQUAL(t.rejected + t.assoc_fail, 7);
        CU_ASSERT_EQUAL(t.attempted, 4);
        /* still queued: the 2 deferred */
        CU_ASSERT_EQUAL(t.received - t.delivered - t.failed, 2);
        CU_ASSERT_EQUAL(t.opens, logs[i].assocs);
        CU_ASSERT_EQUAL(t.closes, logs[i].assocs);
    }
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"dates, +millisec, log_timezone, +pid", test_dates},
        {"arrivals", test_arrivals},
        {"deliveries", test_delivered},
        {"deferred, retry wait, then delivered", test_deferred_then_delivered},
        {"permanent failures and status codes", test_failed},
        {"rejections", test_rejects},
        {"SMTP connections", test_connections},
        {"more pending recipients than tracked", test_pending_overflow},
        {"full message-id table", test_eviction},
        {"malformed lines", test_malformed},
        {"every prefix of real lines", test_truncated},
        {"garbage and 64 KB lines", test_garbage},
        {"real Exim logs against eximstats", test_real_logs},
        {NULL, NULL},
    };
    return ff_main("parse_exim", tests, 1);
}
