/*
 * test_sink.c - the feed's sink: events in, exact libmtamon counters out.
 */
#include <stdlib.h>

#include "sink.h"
#include "unit_util.h"

/* An event of @p kind on @p channel, everything else empty. */
static struct feed_event event(enum feed_event_kind kind, const char *channel)
{
    struct feed_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    snprintf(ev.channel, sizeof ev.channel, "%s", channel);
    ev.queue_ms = -1;
    return ev;
}

static struct feed_event assoc_event(enum feed_event_kind kind, const char *channel,
                                     const char *key, mtamon_direction dir,
                                     const char *remote)
{
    struct feed_event ev = event(kind, channel);
    snprintf(ev.key, sizeof ev.key, "%s", key);
    snprintf(ev.remote, sizeof ev.remote, "%s", remote);
    ev.direction = dir;
    return ev;
}

static struct feed_sink *sink_on(mtamon_t *m)
{
    struct feed_sink *s = feed_sink_create(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

/* The sink's own figures: events seen, events not counted, closes of no
 * open association, re-attachments. */
static void assert_sink_stats(const struct feed_sink *s, uint64_t events, uint64_t event_errors,
                              uint64_t unknown_closes, uint64_t reattached)
{
    const struct feed_sink_stats *st = feed_sink_stats(s);
    CU_ASSERT_EQUAL(st->events, events);
    CU_ASSERT_EQUAL(st->event_errors, event_errors);
    CU_ASSERT_EQUAL(st->unknown_closes, unknown_closes);
    CU_ASSERT_EQUAL(st->reattached, reattached);
}

/* Number of lines of @p text containing @p word. */
static int count_lines_with(const char *text, const char *word)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = strndup(p, len);
        if (line && strstr(line, word))
            n++;
        free(line);
        p += len + (eol ? 1 : 0);
    }
    return n;
}

static void test_every_kind(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 8, 8);
    struct feed_sink *s = sink_on(m);
    struct mtamon_channel_stats c;

    struct feed_event ev = event(FEED_ENQUEUE, "tcp_local");
    ev.recipients = 3;
    ev.octets = 1000;
    feed_sink_emit(s, &ev);
    ev = event(FEED_ENQUEUE, "tcp_local");
    snprintf(ev.src, sizeof ev.src, "tcp_intranet");
    ev.recipients = 2;
    ev.octets = 500;
    feed_sink_emit(s, &ev);
    ev = event(FEED_DEQUEUE, "tcp_local");
    ev.recipients = 2;
    ev.octets = 500;
    ev.first_attempt = 1;
    ev.queue_ms = 40;
    feed_sink_emit(s, &ev);
    ev = event(FEED_TEMPFAIL, "tcp_local");
    ev.recipients = 1;
    ev.octets = 1000;
    ev.status = 4004001;
    feed_sink_emit(s, &ev);
    ev = event(FEED_FAIL, "tcp_local");
    ev.recipients = 3;
    ev.octets = 1000;
    ev.status = 5001001;
    feed_sink_emit(s, &ev);
    ev = event(FEED_REJECT, "tcp_local");
    ev.recipients = 4;
    ev.octets = 70;
    ev.status = 5007001;
    snprintf(ev.reason, sizeof ev.reason, "5.7.1 relaying denied");
    feed_sink_emit(s, &ev);
    ev = event(FEED_CONVERT, "tcp_local");
    ev.ok = 1;
    feed_sink_emit(s, &ev);
    ev = event(FEED_CONVERT, "tcp_local");
    ev.ok = 0;
    feed_sink_emit(s, &ev);
    ev = event(FEED_LOOP, "tcp_local");
    feed_sink_emit(s, &ev);
    ev = event(FEED_ASSOC_REJECT, "tcp_local");
    ev.status = 5007001;
    snprintf(ev.reason, sizeof ev.reason, "blocked by DNSBL");
    feed_sink_emit(s, &ev);
    ev = event(FEED_ASSOC_FAIL, "tcp_local");
    snprintf(ev.reason, sizeof ev.reason, "connection refused");
    feed_sink_emit(s, &ev);

    assert_sink_stats(s, 11, 0, 0, 0);

    ut_channel_stats(name, "tcp_local", 0, &c);
    CU_ASSERT_EQUAL(c.index, 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_RCPTS], 5);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_VOLUME], 1500);
    CU_ASSERT_EQUAL(c.c[MTAMON_DELIVERED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_DELIVERED_RCPTS], 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_DELIVERED_VOLUME], 500);
    CU_ASSERT_EQUAL(c.c[MTAMON_DELIVERED_FIRST_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_QUEUE_TIME_MS], 40);
    CU_ASSERT_EQUAL(c.c[MTAMON_QUEUE_COUNT], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_FAILED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_FAILED_RCPTS], 3);
    CU_ASSERT_EQUAL(c.c[MTAMON_REJECTED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_REJECTED_RCPTS], 4);
    CU_ASSERT_EQUAL(c.c[MTAMON_REJECTED_VOLUME], 70);
    CU_ASSERT_EQUAL(c.c[MTAMON_CONVERTED_OK], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_CONVERTED_FAILED], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_LOOPS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS_REJECTED], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_OUT_ASSOCS_FAILED], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_MSGS], 0);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "blocked by DNSBL");
    CU_ASSERT_STRING_EQUAL(c.last_connect_failure, "connection refused");
    const struct mtamon_status_count *row = ut_status_row(&c, 4004001);
    CU_ASSERT_PTR_NOT_NULL(row);
    row = ut_status_row(&c, 5001001);
    CU_ASSERT_PTR_NOT_NULL(row);

    /* The source was registered on first use, second, and counted. */
    ut_channel_stats(name, "tcp_intranet", 0, &c);
    CU_ASSERT_EQUAL(c.index, 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_RCPTS], 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_VOLUME], 500);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 0);

    CU_ASSERT_EQUAL(ut_n_channels(name), 2);
    feed_sink_destroy(s);
    mtamon_close(m);
}

/* A source learned late: SUBMIT counts its Submitted only, and registers
 * it on first use like any channel. */
static void test_submit(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 8, 8);
    struct feed_sink *s = sink_on(m);
    struct feed_event ev = event(FEED_SUBMIT, "bounce");
    ev.recipients = 1;
    ev.octets = 2100;
    feed_sink_emit(s, &ev);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "bounce", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_VOLUME], 2100);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 0);
    CU_ASSERT_EQUAL(c.stored_msgs, 0);
    CU_ASSERT_EQUAL(ut_n_channels(name), 1);
    CU_ASSERT_EQUAL(feed_sink_stats(s)->event_errors, 0);
    feed_sink_destroy(s);
    mtamon_close(m);
}

static void test_channel_failures(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 4);
    struct feed_sink *s = sink_on(m);
    static const char *const names[] = {"c1", "c2", "c3", "c4", "c5"};

    ut_capture_stderr_start();
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < 5; i++) {
            struct feed_event ev = event(FEED_LOOP, names[i]);
            feed_sink_emit(s, &ev);
        }
    /* An invalid name (a space), and the longest name (valid, but the
     * segment is full). */
    struct feed_event ev = event(FEED_LOOP, "bad name");
    feed_sink_emit(s, &ev);
    feed_sink_emit(s, &ev);
    memset(ev.channel, 'x', sizeof ev.channel - 1);
    ev.channel[sizeof ev.channel - 1] = '\0';
    feed_sink_emit(s, &ev);
    /* A source that cannot be registered: counted on the destination. */
    ev = event(FEED_ENQUEUE, "c1");
    snprintf(ev.src, sizeof ev.src, "c9");
    ev.recipients = 1;
    ev.octets = 10;
    feed_sink_emit(s, &ev);
    char *log = ut_capture_stderr_stop();

    /* Each failing name is logged once, however often it comes. */
    CU_ASSERT_EQUAL(count_lines_with(log, "'c3'"), 1);
    CU_ASSERT_EQUAL(count_lines_with(log, "'c4'"), 1);
    CU_ASSERT_EQUAL(count_lines_with(log, "'c5'"), 1);
    CU_ASSERT_EQUAL(count_lines_with(log, "'bad name'"), 1);
    CU_ASSERT_EQUAL(count_lines_with(log, "'c9'"), 1);
    CU_ASSERT_EQUAL(count_lines_with(log, "'c1'"), 0);
    CU_ASSERT_EQUAL(count_lines_with(log, "'xxxxxxxx"), 1);
    CU_ASSERT_EQUAL(count_lines_with(log, "not counted"), 6);
    CU_ASSERT_EQUAL(count_lines_with(log, "is full"), 5);
    free(log);

    /* Not counted: c3..c5 three times, "bad name" twice, the longest,
     * the source. */
    assert_sink_stats(s, 15 + 3 + 1, 9 + 2 + 1 + 1, 0, 0);

    struct mtamon_channel_stats c;
    ut_channel_stats(name, "c1", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_LOOPS], 3);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_VOLUME], 10);
    ut_channel_stats(name, "c2", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_LOOPS], 3);
    CU_ASSERT_EQUAL(ut_n_channels(name), 2);

    feed_sink_destroy(s);
    mtamon_close(m);
}

static void test_assoc_pairs(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 8);
    struct feed_sink *s = sink_on(m);

    struct feed_event ev = assoc_event(FEED_ASSOC_OPEN, "in", "smtpd[1]",
                                       MTAMON_INBOUND, "192.0.2.1");
    feed_sink_emit(s, &ev);
    ev = assoc_event(FEED_ASSOC_OPEN, "in", "smtpd[2]", MTAMON_INBOUND, "");
    feed_sink_emit(s, &ev);
    ev = assoc_event(FEED_ASSOC_OPEN, "out", "smtp[3]", MTAMON_OUTBOUND, "mx.example.org");
    feed_sink_emit(s, &ev);
    /* A direction that is neither counts as inbound. */
    ev = assoc_event(FEED_ASSOC_OPEN, "out", "odd[4]", (mtamon_direction)0, "x");
    feed_sink_emit(s, &ev);

    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.n_assocs, 4);
    int found_remote = 0, found_empty = 0;
    for (uint32_t i = 0; i < snap.n_assocs; i++) {
        if (strcmp(snap.assocs[i].remote, "192.0.2.1") == 0)
            found_remote++;
        if (strcmp(snap.assocs[i].remote, "") == 0)
            found_empty++;
        CU_ASSERT_EQUAL(snap.assocs[i].pid, (int32_t)getpid());
    }
    CU_ASSERT_EQUAL(found_remote, 1);
    CU_ASSERT_EQUAL(found_empty, 1);
    const struct mtamon_channel_stats *c = mtamon_snapshot_find(&snap, "out");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->out_assocs_current, 1);
    CU_ASSERT_EQUAL(c->in_assocs_current, 1);
    mtamon_snapshot_free(&snap);

    /* Closes pair by key, whatever channel the close names. */
    ev = assoc_event(FEED_ASSOC_CLOSE, "ignored", "smtpd[1]", MTAMON_INBOUND, "");
    feed_sink_emit(s, &ev);
    ev = assoc_event(FEED_ASSOC_CLOSE, "", "smtp[3]", MTAMON_OUTBOUND, "");
    feed_sink_emit(s, &ev);
    /* Closed twice, never opened, a key that is only a prefix. */
    ev = assoc_event(FEED_ASSOC_CLOSE, "in", "smtpd[1]", MTAMON_INBOUND, "");
    feed_sink_emit(s, &ev);
    ev = assoc_event(FEED_ASSOC_CLOSE, "in", "nobody[9]", MTAMON_INBOUND, "");
    feed_sink_emit(s, &ev);
    ev = assoc_event(FEED_ASSOC_CLOSE, "in", "smtpd[", MTAMON_INBOUND, "");
    feed_sink_emit(s, &ev);

    assert_sink_stats(s, 9, 0, 3, 0);

    /* A reused key ends the association it named. */
    ev = assoc_event(FEED_ASSOC_OPEN, "in", "smtpd[2]", MTAMON_INBOUND, "192.0.2.2");
    feed_sink_emit(s, &ev);

    struct mtamon_channel_stats cs;
    ut_channel_stats(name, "in", 0, &cs);
    ut_assert_assocs(&cs, "in", (struct ut_assocs){.in = 3, .in_closed = 2, .in_current = 1});
    ut_channel_stats(name, "out", 0, &cs);
    ut_assert_assocs(&cs, "out", (struct ut_assocs){.in = 1, .in_current = 1,
                                                    .out = 1, .out_closed = 1});

    /* Destroying the sink closes what is still open. */
    feed_sink_destroy(s);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 0);
    ut_channel_stats(name, "in", 0, &cs);
    CU_ASSERT_EQUAL(cs.c[MTAMON_IN_ASSOCS_CLOSED], 3);
    CU_ASSERT_EQUAL(cs.in_assocs_current, 0);
    ut_channel_stats(name, "out", 0, &cs);
    CU_ASSERT_EQUAL(cs.in_assocs_current, 0);
    mtamon_close(m);
}

static void test_many_assocs(void)
{
    /* More keys than the table's first size: it grows, removals keep the
     * probe runs intact (every close finds its open). */
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 512);
    struct feed_sink *s = sink_on(m);
    char key[32];
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "k%d", i);
        struct feed_event ev = assoc_event(FEED_ASSOC_OPEN, "in", key, MTAMON_INBOUND, "");
        feed_sink_emit(s, &ev);
    }
    for (int i = 0; i < 300; i += 2) {
        snprintf(key, sizeof key, "k%d", i);
        struct feed_event ev = assoc_event(FEED_ASSOC_CLOSE, "in", key, MTAMON_INBOUND, "");
        feed_sink_emit(s, &ev);
    }
    for (int i = 1; i < 300; i += 2) {
        snprintf(key, sizeof key, "k%d", i);
        struct feed_event ev = assoc_event(FEED_ASSOC_CLOSE, "in", key, MTAMON_INBOUND, "");
        feed_sink_emit(s, &ev);
    }
    assert_sink_stats(s, 600, 0, 0, 0);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS], 300);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS_CLOSED], 300);
    CU_ASSERT_EQUAL(c.in_assocs_current, 0);
    feed_sink_destroy(s);
    mtamon_close(m);
}

static void test_event_times(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    struct feed_sink *s = sink_on(m);
    const int64_t t1 = INT64_C(1600000000000), t2 = t1 + 5000;

    struct feed_event ev = event(FEED_ENQUEUE, "ch");
    ev.time_ms = t1;
    ev.recipients = 1;
    feed_sink_emit(s, &ev);
    ev = event(FEED_DEQUEUE, "ch");
    ev.time_ms = t2;
    ev.recipients = 1;
    feed_sink_emit(s, &ev);
    ev = assoc_event(FEED_ASSOC_OPEN, "ch", "a", MTAMON_INBOUND, "peer");
    ev.time_ms = t2;
    feed_sink_emit(s, &ev);

    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL_FATAL(snap.n_assocs, 1);
    CU_ASSERT_EQUAL(snap.assocs[0].start_ms, t2);
    const struct mtamon_channel_stats *c = mtamon_snapshot_find(&snap, "ch");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->last_inbound_ms, t2); /* the open is inbound at t2 */
    CU_ASSERT_EQUAL(c->last_outbound_ms, t2);
    mtamon_snapshot_free(&snap);

    /* 0 = unknown: the clock. */
    int64_t t0 = ut_now_ms();
    ev = event(FEED_TEMPFAIL, "ch");
    ev.recipients = 1;
    feed_sink_emit(s, &ev);
    struct mtamon_channel_stats cs;
    ut_channel_stats(name, "ch", 0, &cs);
    CU_ASSERT(cs.last_outbound_attempt_ms >= t0 - 50);
    CU_ASSERT(cs.last_outbound_attempt_ms <= ut_now_ms() + 50);
    feed_sink_destroy(s);
    mtamon_close(m);
}

static void test_reattached(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    struct feed_sink *s = sink_on(m);

    ut_capture_stderr_start();
    struct feed_event ev = event(FEED_LOOP, "ch");
    feed_sink_emit(s, &ev);
    CU_ASSERT_EQUAL(feed_sink_stats(s)->reattached, 0);

    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL_FATAL(mtamon_unlink(name, &err), MTAMON_OK);
    feed_sink_emit(s, &ev);
    CU_ASSERT_EQUAL(feed_sink_stats(s)->reattached, 1);
    feed_sink_emit(s, &ev);
    CU_ASSERT_EQUAL(feed_sink_stats(s)->reattached, 1);
    /* A new channel after the re-attachment is registered there. */
    ev = event(FEED_LOOP, "other");
    feed_sink_emit(s, &ev);
    char *log = ut_capture_stderr_stop();
    CU_ASSERT_EQUAL(count_lines_with(log, "re-attachment 1"), 1);
    free(log);

    assert_sink_stats(s, 4, 0, 0, 1);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "ch", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_LOOPS], 2); /* the new segment's */
    ut_channel_stats(name, "other", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_LOOPS], 1);
    feed_sink_destroy(s);
    mtamon_close(m);
}

static void test_destroy_null(void)
{
    feed_sink_destroy(NULL);
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    struct feed_sink *s = sink_on(m);
    assert_sink_stats(s, 0, 0, 0, 0);
    feed_sink_destroy(s);
    mtamon_close(m);
}

UT_MAIN("sink",
        {"every event kind reaches its counter", test_every_kind},
        {"a late source: Submitted only", test_submit},
        {"channels that cannot be registered", test_channel_failures},
        {"associations paired by key", test_assoc_pairs},
        {"many associations", test_many_assocs},
        {"event times", test_event_times},
        {"re-attached after a delete", test_reattached},
        {"empty sink, NULL destroy", test_destroy_null})
