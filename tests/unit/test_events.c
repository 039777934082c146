/*
 * test_events.c - exact counter changes for every event call.
 */
#include <stdlib.h>

#include "lib_internal.h"
#include "unit_util.h"

/* Expected values of the counters of one channel; those not listed must
 * be 0.  Reports every mismatch by counter name at the caller's line. */
struct expect {
    enum mtamon_counter k;
    uint64_t v;
};

static void check_counters(const struct mtamon_channel_stats *c,
                           const struct expect *e, unsigned line)
{
    uint64_t want[MTAMON_COUNTER_COUNT] = {0};
    for (; e->k != MTAMON_COUNTER_COUNT; e++)
        want[e->k] = e->v;
    int ok = 1;
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++)
        if (c->c[k] != want[k]) {
            fprintf(stderr, "\n    line %u: channel %s %s = %llu, expected %llu\n",
                    line, c->name, mtamon_counter_name((enum mtamon_counter)k),
                    (unsigned long long)c->c[k], (unsigned long long)want[k]);
            ok = 0;
        }
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, "counters as expected",
                            __FILE__, "", CU_FALSE);
}

#define END {MTAMON_COUNTER_COUNT, 0}
#define CHECK(c, ...) \
    check_counters(&(c), (const struct expect[]){__VA_ARGS__, END}, __LINE__)
#define CHECK_ZERO(c) check_counters(&(c), (const struct expect[]){END}, __LINE__)

#define CHECK_STORED(c, msgs, rcpts, vol)           \
    do {                                            \
        CU_ASSERT_EQUAL((c).stored_msgs, (msgs));   \
        CU_ASSERT_EQUAL((c).stored_rcpts, (rcpts)); \
        CU_ASSERT_EQUAL((c).stored_volume, (vol));  \
    } while (0)

/* Status row @p i of @p c: its code and its inbound, internal and
 * outbound counts, one assertion each at the caller's line. */
static void check_status(const struct mtamon_channel_stats *c, uint32_t i,
                         mtamon_status_code code, uint64_t in, uint64_t internal,
                         uint64_t out, unsigned line)
{
    const struct mtamon_status_count *s = &c->status[i];
    const struct {
        const char *what;
        uint64_t got, want;
    } f[] = {{"code", s->code, code},
             {"inbound", s->inbound, in},
             {"internal", s->internal, internal},
             {"outbound", s->outbound, out}};
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
        if (f[k].got != f[k].want)
            fprintf(stderr, "\n    line %u: channel %s status row %u %s = %llu, expected %llu\n",
                    line, c->name, i, f[k].what, (unsigned long long)f[k].got,
                    (unsigned long long)f[k].want);
        CU_assertImplementation(f[k].got == f[k].want ? CU_TRUE : CU_FALSE, line,
                                "status row as expected", __FILE__, "", CU_FALSE);
    }
}

#define CHECK_STATUS(c, i, code, in, internal, out) \
    check_status(&(c), (i), (code), (in), (internal), (out), __LINE__)

/* Is @p t a plausible "just now" activity time, taken after @p t0? */
static int recent(int64_t t, int64_t t0)
{
    /* The library uses the coarse clock: allow its granularity. */
    return t >= t0 - 50 && t <= ut_now_ms() + 50;
}

/* A segment of 4 channel slots with "in" (1), "out" (2) and "other" (3)
 * registered, slot 4 free; 4 association entries. */
static mtamon_t *setup(const char **name, mtamon_channel_t *in, mtamon_channel_t *out)
{
    *name = ut_name();
    mtamon_t *m = ut_create(*name, 4, 4);
    *in = ut_channel(m, "in");
    *out = ut_channel(m, "out");
    CU_ASSERT_EQUAL(ut_channel(m, "other"), 3);
    CU_ASSERT_EQUAL(*in, 1);
    CU_ASSERT_EQUAL(*out, 2);
    return m;
}

static void stats(const char *name, const char *ch, struct mtamon_channel_stats *c)
{
    ut_channel_stats(name, ch, 0, c);
}

static void test_enqueue(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    int64_t t0 = ut_now_ms();

    CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 3, 1000), MTAMON_OK);
    struct mtamon_channel_stats c;
    stats(name, "in", &c);
    CHECK(c, {MTAMON_SUBMITTED_MSGS, 1}, {MTAMON_SUBMITTED_RCPTS, 3},
          {MTAMON_SUBMITTED_VOLUME, 1000});
    CHECK_STORED(c, 0, 0, 0);
    CU_ASSERT(recent(c.last_inbound_ms, t0));
    CU_ASSERT_EQUAL(c.last_outbound_ms, 0);
    CU_ASSERT_EQUAL(c.last_outbound_attempt_ms, 0);
    stats(name, "out", &c);
    CHECK(c, {MTAMON_RECEIVED_MSGS, 1}, {MTAMON_RECEIVED_RCPTS, 3},
          {MTAMON_RECEIVED_VOLUME, 1000});
    CHECK_STORED(c, 1, 3, 1000);
    stats(name, "other", &c);
    CHECK_ZERO(c);
    CHECK_STORED(c, 0, 0, 0);

    /* Unknown source: only the destination counts. */
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, out, 2, 500), MTAMON_OK);
    stats(name, "out", &c);
    CHECK(c, {MTAMON_RECEIVED_MSGS, 2}, {MTAMON_RECEIVED_RCPTS, 5},
          {MTAMON_RECEIVED_VOLUME, 1500});
    CHECK_STORED(c, 2, 5, 1500);
    stats(name, "in", &c);
    CHECK(c, {MTAMON_SUBMITTED_MSGS, 1}, {MTAMON_SUBMITTED_RCPTS, 3},
          {MTAMON_SUBMITTED_VOLUME, 1000});

    /* Its source learned later: no destination, the source's Submitted
     * only; "out" is not counted again. */
    CU_ASSERT_EQUAL(mtamon_enqueue(m, in, 0, 2, 500), MTAMON_OK);
    stats(name, "in", &c);
    CHECK(c, {MTAMON_SUBMITTED_MSGS, 2}, {MTAMON_SUBMITTED_RCPTS, 5},
          {MTAMON_SUBMITTED_VOLUME, 1500});
    CHECK_STORED(c, 0, 0, 0);
    stats(name, "out", &c);
    CHECK(c, {MTAMON_RECEIVED_MSGS, 2}, {MTAMON_RECEIVED_RCPTS, 5},
          {MTAMON_RECEIVED_VOLUME, 1500});
    CHECK_STORED(c, 2, 5, 1500);
    /* Neither: invalid, nothing counted. */
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, 0, 1, 1), MTAMON_ERR_INVALID);

    /* Large volumes are 64-bit. */
    CU_ASSERT_EQUAL(mtamon_enqueue(m, in, in, UINT32_MAX, UINT64_C(1) << 40), MTAMON_OK);
    stats(name, "in", &c);
    CHECK(c, {MTAMON_SUBMITTED_MSGS, 3},
          {MTAMON_SUBMITTED_RCPTS, 5 + (uint64_t)UINT32_MAX},
          {MTAMON_SUBMITTED_VOLUME, 1500 + (UINT64_C(1) << 40)},
          {MTAMON_RECEIVED_MSGS, 1}, {MTAMON_RECEIVED_RCPTS, UINT32_MAX},
          {MTAMON_RECEIVED_VOLUME, UINT64_C(1) << 40});
    CHECK_STORED(c, 1, (int64_t)UINT32_MAX, INT64_C(1) << 40);
    mtamon_close(m);
}

static void test_dequeue(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 2, 100), MTAMON_OK);
    int64_t t0 = ut_now_ms();

    struct mtamon_channel_stats c;
    CU_ASSERT_EQUAL(mtamon_dequeue(m, out, 2, 100, 1, 40), MTAMON_OK);
    stats(name, "out", &c);
    CHECK(c, {MTAMON_RECEIVED_MSGS, 3}, {MTAMON_RECEIVED_RCPTS, 6},
          {MTAMON_RECEIVED_VOLUME, 300}, {MTAMON_DELIVERED_MSGS, 1},
          {MTAMON_DELIVERED_RCPTS, 2}, {MTAMON_DELIVERED_VOLUME, 100},
          {MTAMON_DELIVERED_FIRST_MSGS, 1}, {MTAMON_QUEUE_TIME_MS, 40},
          {MTAMON_QUEUE_COUNT, 1}, {MTAMON_QUEUE_FIRST_TIME_MS, 40},
          {MTAMON_QUEUE_FIRST_COUNT, 1});
    CHECK_STORED(c, 2, 4, 200);
    CU_ASSERT(recent(c.last_outbound_ms, t0));
    CU_ASSERT(recent(c.last_outbound_attempt_ms, t0));
    CU_ASSERT_EQUAL(c.last_inbound_ms, 0);

    /* Not on the first attempt: no first-attempt counts. */
    CU_ASSERT_EQUAL(mtamon_dequeue(m, out, 2, 100, 0, 1000), MTAMON_OK);
    stats(name, "out", &c);
    CHECK(c, {MTAMON_RECEIVED_MSGS, 3}, {MTAMON_RECEIVED_RCPTS, 6},
          {MTAMON_RECEIVED_VOLUME, 300}, {MTAMON_DELIVERED_MSGS, 2},
          {MTAMON_DELIVERED_RCPTS, 4}, {MTAMON_DELIVERED_VOLUME, 200},
          {MTAMON_DELIVERED_FIRST_MSGS, 1}, {MTAMON_QUEUE_TIME_MS, 1040},
          {MTAMON_QUEUE_COUNT, 2}, {MTAMON_QUEUE_FIRST_TIME_MS, 40},
          {MTAMON_QUEUE_FIRST_COUNT, 1});
    CHECK_STORED(c, 1, 2, 100);

    /* Unknown queue time: the queue counters are left alone. */
    CU_ASSERT_EQUAL(mtamon_dequeue(m, out, 2, 100, 1, -1), MTAMON_OK);
    stats(name, "out", &c);
    CHECK(c, {MTAMON_RECEIVED_MSGS, 3}, {MTAMON_RECEIVED_RCPTS, 6},
          {MTAMON_RECEIVED_VOLUME, 300}, {MTAMON_DELIVERED_MSGS, 3},
          {MTAMON_DELIVERED_RCPTS, 6}, {MTAMON_DELIVERED_VOLUME, 300},
          {MTAMON_DELIVERED_FIRST_MSGS, 2}, {MTAMON_QUEUE_TIME_MS, 1040},
          {MTAMON_QUEUE_COUNT, 2}, {MTAMON_QUEUE_FIRST_TIME_MS, 40},
          {MTAMON_QUEUE_FIRST_COUNT, 1});
    CHECK_STORED(c, 0, 0, 0);
    CU_ASSERT_EQUAL(mtamon_dequeue(m, out, 1, 1, 0, INT64_MIN), MTAMON_OK);
    stats(name, "out", &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_QUEUE_COUNT], 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_QUEUE_TIME_MS], 1040);

    /* A feed that starts with mail already queued: the gauge goes below 0
     * (it is signed) instead of wrapping. */
    CHECK_STORED(c, -1, -1, -1);
    stats(name, "in", &c);
    CHECK(c, {MTAMON_SUBMITTED_MSGS, 3}, {MTAMON_SUBMITTED_RCPTS, 6},
          {MTAMON_SUBMITTED_VOLUME, 300});
    mtamon_close(m);
}

static void test_tempfail(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, out, 2, 300), MTAMON_OK);
    int64_t t0 = ut_now_ms();
    CU_ASSERT_EQUAL(mtamon_tempfail(m, out, 2, 300, mtamon_status_make(4, 2, 2)),
                    MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_tempfail(m, out, 1, 300, 0), MTAMON_OK); /* no code */
    struct mtamon_channel_stats c;
    stats(name, "out", &c);
    CHECK(c, {MTAMON_RECEIVED_MSGS, 1}, {MTAMON_RECEIVED_RCPTS, 2},
          {MTAMON_RECEIVED_VOLUME, 300}, {MTAMON_ATTEMPTED_MSGS, 2},
          {MTAMON_ATTEMPTED_RCPTS, 3}, {MTAMON_ATTEMPTED_VOLUME, 600});
    CHECK_STORED(c, 1, 2, 300); /* the message stays queued */
    CU_ASSERT_EQUAL_FATAL(c.n_status, 1);
    CHECK_STATUS(c, 0, 4002002, 0, 0, 1);
    CU_ASSERT(recent(c.last_outbound_attempt_ms, t0));
    CU_ASSERT_EQUAL(c.last_outbound_ms, 0);
    mtamon_close(m);
}

static void test_reject(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    int64_t t0 = ut_now_ms();
    CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 50, 5001001, "5.1.1 User unknown"),
                    MTAMON_OK);
    struct mtamon_channel_stats c;
    stats(name, "in", &c);
    CHECK(c, {MTAMON_REJECTED_MSGS, 1}, {MTAMON_REJECTED_RCPTS, 1},
          {MTAMON_REJECTED_VOLUME, 50});
    CHECK_STORED(c, 0, 0, 0);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "5.1.1 User unknown");
    CU_ASSERT_STRING_EQUAL(c.last_connect_failure, "");
    CU_ASSERT(recent(c.last_inbound_ms, t0));
    CU_ASSERT_EQUAL_FATAL(c.n_status, 1);
    CHECK_STATUS(c, 0, 5001001, 1, 0, 0);

    /* No reason: the last one stays; a new one replaces it. */
    CU_ASSERT_EQUAL(mtamon_reject(m, in, 4, 10, 5001001, NULL), MTAMON_OK);
    stats(name, "in", &c);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "5.1.1 User unknown");
    CU_ASSERT_EQUAL(c.status[0].inbound, 2);
    CHECK(c, {MTAMON_REJECTED_MSGS, 2}, {MTAMON_REJECTED_RCPTS, 5},
          {MTAMON_REJECTED_VOLUME, 60});
    for (int i = 0; i < 10; i++) {
        char reason[32];
        snprintf(reason, sizeof reason, "reason %d", i);
        CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 1, 0, reason), MTAMON_OK);
        stats(name, "in", &c);
        CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, reason);
    }
    CU_ASSERT_EQUAL(c.n_status, 1); /* code 0 is not counted */
    mtamon_close(m);
}

static void test_fail(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 2, 100), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 2, 100), MTAMON_OK);
    int64_t t0 = ut_now_ms();
    CU_ASSERT_EQUAL(mtamon_fail(m, out, 2, 100, 5001002), MTAMON_OK);
    struct mtamon_channel_stats c;
    stats(name, "out", &c);
    CHECK(c, {MTAMON_RECEIVED_MSGS, 2}, {MTAMON_RECEIVED_RCPTS, 4},
          {MTAMON_RECEIVED_VOLUME, 200}, {MTAMON_FAILED_MSGS, 1},
          {MTAMON_FAILED_RCPTS, 2}, {MTAMON_FAILED_VOLUME, 100});
    CHECK_STORED(c, 1, 2, 100);
    CU_ASSERT_EQUAL_FATAL(c.n_status, 1);
    CHECK_STATUS(c, 0, 5001002, 0, 0, 1);
    CU_ASSERT(recent(c.last_outbound_attempt_ms, t0));
    CU_ASSERT_EQUAL(c.last_outbound_ms, 0);
    mtamon_close(m);
}

static void test_convert_loop(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    CU_ASSERT_EQUAL(mtamon_convert(m, in, 1), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_convert(m, in, 42), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_convert(m, in, 0), MTAMON_OK);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(mtamon_loop(m, in), MTAMON_OK);
    struct mtamon_channel_stats c;
    stats(name, "in", &c);
    CHECK(c, {MTAMON_CONVERTED_OK, 2}, {MTAMON_CONVERTED_FAILED, 1}, {MTAMON_LOOPS, 3});
    CHECK_STORED(c, 0, 0, 0);
    /* Failed conversions and loops are internal errors (RFC 2789
     * mtaGroupInternalErrorCount), under 5.4.6 and 5.6.5, sorted. */
    CU_ASSERT_EQUAL_FATAL(c.n_status, 2);
    CHECK_STATUS(c, 0, MTAMON_STATUS_ROUTING_LOOP, 0, 3, 0);
    CHECK_STATUS(c, 1, MTAMON_STATUS_CONVERSION_FAILED, 0, 1, 0);
    stats(name, "out", &c);
    CHECK_ZERO(c);
    mtamon_close(m);
}

static const struct mtamon_assoc_stats *find_assoc(const struct mtamon_snapshot *s,
                                                   uint32_t entry)
{
    for (uint32_t i = 0; i < s->n_assocs; i++)
        if (s->assocs[i].entry == entry)
            return &s->assocs[i];
    return NULL;
}

static void test_assoc_open_close(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    int64_t t0 = ut_now_ms();
    mtamon_assoc a1, a2;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, "192.0.2.1", &a1), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, out, MTAMON_OUTBOUND, "mx.example.org", &a2),
                    MTAMON_OK);
    CU_ASSERT_EQUAL(a1.channel, in);
    CU_ASSERT_EQUAL(a1.direction, MTAMON_INBOUND);
    CU_ASSERT(a1.entry >= 1 && a1.entry <= 4);
    CU_ASSERT_EQUAL(a2.channel, out);
    CU_ASSERT_EQUAL(a2.direction, MTAMON_OUTBOUND);
    CU_ASSERT(a2.entry >= 1 && a2.entry <= 4);
    CU_ASSERT_NOT_EQUAL(a1.entry, a2.entry);

    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL_FATAL(snap.n_assocs, 2);
    CU_ASSERT(snap.assocs[0].entry < snap.assocs[1].entry);
    const struct mtamon_assoc_stats *e1 = find_assoc(&snap, a1.entry);
    const struct mtamon_assoc_stats *e2 = find_assoc(&snap, a2.entry);
    UT_REQUIRE(e1);
    UT_REQUIRE(e2);
    CU_ASSERT_EQUAL(e1->channel, in);
    CU_ASSERT_EQUAL(e1->direction, MTAMON_INBOUND);
    CU_ASSERT_EQUAL(e1->pid, getpid());
    CU_ASSERT_STRING_EQUAL(e1->remote, "192.0.2.1");
    CU_ASSERT(recent(e1->start_ms, t0));
    CU_ASSERT_EQUAL(e2->channel, out);
    CU_ASSERT_EQUAL(e2->direction, MTAMON_OUTBOUND);
    CU_ASSERT_EQUAL(e2->pid, getpid());
    CU_ASSERT_STRING_EQUAL(e2->remote, "mx.example.org");
    const struct mtamon_channel_stats *ci = mtamon_snapshot_find(&snap, "in");
    const struct mtamon_channel_stats *co = mtamon_snapshot_find(&snap, "out");
    UT_REQUIRE(ci);
    UT_REQUIRE(co);
    CHECK(*ci, {MTAMON_IN_ASSOCS, 1});
    CU_ASSERT_EQUAL(ci->in_assocs_current, 1);
    CU_ASSERT_EQUAL(ci->out_assocs_current, 0);
    CU_ASSERT(recent(ci->last_inbound_ms, t0));
    CHECK(*co, {MTAMON_OUT_ASSOCS, 1});
    CU_ASSERT_EQUAL(co->out_assocs_current, 1);
    CU_ASSERT_EQUAL(co->in_assocs_current, 0);
    CU_ASSERT(recent(co->last_outbound_ms, t0));
    CU_ASSERT(recent(co->last_outbound_attempt_ms, t0));
    mtamon_snapshot_free(&snap);

    /* Close: accumulated stays, current falls, the entry goes. */
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a1), MTAMON_OK);
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.n_assocs, 1);
    CU_ASSERT_PTR_NULL(find_assoc(&snap, a1.entry));
    ci = mtamon_snapshot_find(&snap, "in");
    UT_REQUIRE(ci);
    CHECK(*ci, {MTAMON_IN_ASSOCS, 1}, {MTAMON_IN_ASSOCS_CLOSED, 1});
    CU_ASSERT_EQUAL(ci->in_assocs_current, 0);
    mtamon_snapshot_free(&snap);

    /* Closed twice: refused, counted once. */
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a1), MTAMON_ERR_INVALID);
    struct mtamon_channel_stats c;
    stats(name, "in", &c);
    CHECK(c, {MTAMON_IN_ASSOCS, 1}, {MTAMON_IN_ASSOCS_CLOSED, 1});
    CU_ASSERT_EQUAL(c.in_assocs_current, 0);

    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a2), MTAMON_OK);
    stats(name, "out", &c);
    CHECK(c, {MTAMON_OUT_ASSOCS, 1}, {MTAMON_OUT_ASSOCS_CLOSED, 1});
    CU_ASSERT_EQUAL(c.out_assocs_current, 0);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 0);
    mtamon_close(m);
}

static void test_assoc_remote_and_table(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    char longremote[200];
    memset(longremote, 'r', sizeof longremote - 1);
    longremote[sizeof longremote - 1] = '\0';
    mtamon_assoc a[5];
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, NULL, &a[0]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, "ctl\x01\x7f\xc3\xa9", &a[1]),
                    MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, longremote, &a[2]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, "4th", &a[3]), MTAMON_OK);
    /* The table (4 entries) is full: still counted, not listed. */
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, "5th", &a[4]), MTAMON_OK);
    CU_ASSERT_EQUAL(a[4].entry, 0);
    CU_ASSERT_EQUAL(a[4].direction, MTAMON_INBOUND);

    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.n_assocs, 4);
    const struct mtamon_assoc_stats *e = find_assoc(&snap, a[0].entry);
    UT_REQUIRE(e);
    CU_ASSERT_STRING_EQUAL(e->remote, "");
    e = find_assoc(&snap, a[1].entry);
    UT_REQUIRE(e);
    CU_ASSERT_STRING_EQUAL(e->remote, "ctl????");
    e = find_assoc(&snap, a[2].entry);
    UT_REQUIRE(e);
    CU_ASSERT_EQUAL(strlen(e->remote), MTAMON_REMOTE_MAX);
    CU_ASSERT_EQUAL(strncmp(e->remote, longremote, MTAMON_REMOTE_MAX), 0);
    for (uint32_t i = 1; i < snap.n_assocs; i++)
        CU_ASSERT(snap.assocs[i - 1].entry < snap.assocs[i].entry);
    const struct mtamon_channel_stats *ci = mtamon_snapshot_find(&snap, "in");
    UT_REQUIRE(ci);
    CU_ASSERT_EQUAL(ci->in_assocs_current, 5);
    CU_ASSERT_EQUAL(ci->c[MTAMON_IN_ASSOCS], 5);
    mtamon_snapshot_free(&snap);

    /* Closing the unlisted one works; a freed entry is reused. */
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a[4]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a[1]), MTAMON_OK);
    mtamon_assoc again;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, out, MTAMON_OUTBOUND, "again", &again), MTAMON_OK);
    CU_ASSERT_EQUAL(again.entry, a[1].entry);
    for (int i = 0; i < 4; i++)
        if (i != 1)
            CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a[i]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &again), MTAMON_OK);
    struct mtamon_channel_stats c;
    stats(name, "in", &c);
    CHECK(c, {MTAMON_IN_ASSOCS, 5}, {MTAMON_IN_ASSOCS_CLOSED, 5});
    CU_ASSERT_EQUAL(c.in_assocs_current, 0);
    stats(name, "out", &c);
    CHECK(c, {MTAMON_OUT_ASSOCS, 1}, {MTAMON_OUT_ASSOCS_CLOSED, 1});
    CU_ASSERT_EQUAL(c.out_assocs_current, 0);

    /* A bad direction is refused and changes nothing. */
    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    UT_REQUIRE(before);
    mtamon_assoc bad;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, (mtamon_direction)0, "x", &bad),
                    MTAMON_ERR_INVALID);
    CU_ASSERT_EQUAL(bad.direction, 0);
    CU_ASSERT_EQUAL(bad.entry, 0);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, (mtamon_direction)3, "x", &bad),
                    MTAMON_ERR_INVALID);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &bad), MTAMON_ERR_INVALID);
    CU_ASSERT(ut_bytes_equal(name, before, len));
    free(before);
    mtamon_close(m);
}

static void test_assoc_reject_fail(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    int64_t t0 = ut_now_ms();
    CU_ASSERT_EQUAL(mtamon_assoc_reject(m, in, 5007001, "relaying denied"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_reject(m, in, 0, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, out, 4004001, "connection refused"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, out, 4004001, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, out, 0, "timed out"), MTAMON_OK);

    struct mtamon_channel_stats c;
    stats(name, "in", &c);
    CHECK(c, {MTAMON_IN_ASSOCS_REJECTED, 2});
    CU_ASSERT_EQUAL(c.in_assocs_current, 0);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "relaying denied");
    CU_ASSERT_STRING_EQUAL(c.last_connect_failure, "");
    CU_ASSERT_EQUAL_FATAL(c.n_status, 1);
    CHECK_STATUS(c, 0, 5007001, 1, 0, 0);

    stats(name, "out", &c);
    CHECK(c, {MTAMON_OUT_ASSOCS_FAILED, 3});
    CU_ASSERT_EQUAL(c.out_assocs_current, 0);
    CU_ASSERT_STRING_EQUAL(c.last_connect_failure, "timed out");
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "");
    CU_ASSERT(recent(c.last_outbound_attempt_ms, t0));
    CU_ASSERT_EQUAL(c.last_outbound_ms, 0);
    CU_ASSERT_EQUAL_FATAL(c.n_status, 1);
    CHECK_STATUS(c, 0, 4004001, 0, 0, 2);
    mtamon_close(m);
}

/* Channel 0, beyond the capacity, and a free slot: every call refuses
 * with INVALID and not a byte of the segment changes. */
static void test_invalid_channels(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 1, 1), MTAMON_OK);
    mtamon_assoc open_one;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, "x", &open_one), MTAMON_OK);

    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    UT_REQUIRE(before);
    static const mtamon_channel_t bad[] = {0, 4 /* free */, 5, 1000, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mtamon_channel_t b = bad[i];
        if (b != 0) {  /* (in, 0): in's Submitted only, tested above */
            CU_ASSERT_EQUAL(mtamon_enqueue(m, in, b, 1, 1), MTAMON_ERR_INVALID);
            CU_ASSERT_EQUAL(mtamon_enqueue(m, b, out, 1, 1), MTAMON_ERR_INVALID);
        }
        CU_ASSERT_EQUAL(mtamon_enqueue(m, b, b, 1, 1), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_dequeue(m, b, 1, 1, 1, 5), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_tempfail(m, b, 1, 1, 4000000), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_reject(m, b, 1, 1, 5000000, "r"), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_fail(m, b, 1, 1, 5000000), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_convert(m, b, 1), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_convert(m, b, 0), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_loop(m, b), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_assoc_reject(m, b, 5000000, "r"), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_assoc_fail(m, b, 4000000, "r"), MTAMON_ERR_INVALID);
        mtamon_assoc a;
        CU_ASSERT_EQUAL(mtamon_assoc_open(m, b, MTAMON_INBOUND, "r", &a),
                        MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(a.direction, 0);
        CU_ASSERT_EQUAL(a.entry, 0);
        CU_ASSERT_EQUAL(mtamon_assoc_open(m, b, MTAMON_OUTBOUND, "r", &a),
                        MTAMON_ERR_INVALID);
        mtamon_assoc forged = open_one;
        forged.channel = b;
        CU_ASSERT_EQUAL(mtamon_assoc_close(m, &forged), MTAMON_ERR_INVALID);
    }
    /* A token of the wrong direction or entry does not close anything. */
    mtamon_assoc forged = open_one;
    forged.direction = MTAMON_OUTBOUND;
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &forged), MTAMON_ERR_INVALID);
    forged = open_one;
    forged.entry = 1000;
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &forged), MTAMON_ERR_INVALID);
    forged.entry = open_one.entry % 4 + 1;
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &forged), MTAMON_ERR_INVALID);
    CU_ASSERT(ut_bytes_equal(name, before, len));
    free(before);

    CU_ASSERT_EQUAL(ut_n_channels(name), 3);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 1);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &open_one), MTAMON_OK);
    mtamon_close(m);
}

/* mtamon_event_time: a log follower stamps events with the log's times;
 * times still only move forward; 0 goes back to the clock. */
static void test_event_time(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    struct mtamon_channel_stats c;
    const int64_t t1 = INT64_C(1600000000000), t2 = t1 + 5000;

    mtamon_event_time(m, t2);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 3, in, 1, 1), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_dequeue(m, 3, 1, 1, 1, 10), MTAMON_OK);
    stats(name, "other", &c);
    CU_ASSERT_EQUAL(c.last_inbound_ms, t2);
    CU_ASSERT_EQUAL(c.last_outbound_ms, t2);
    CU_ASSERT_EQUAL(c.last_outbound_attempt_ms, t2);

    mtamon_event_time(m, t1);               /* older: no move back */
    CU_ASSERT_EQUAL(mtamon_tempfail(m, 3, 1, 1, 0), MTAMON_OK);
    stats(name, "other", &c);
    CU_ASSERT_EQUAL(c.last_outbound_attempt_ms, t2);

    mtamon_assoc a;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, 3, MTAMON_INBOUND, "peer", &a), MTAMON_OK);
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL_FATAL(snap.n_assocs, 1);
    CU_ASSERT_EQUAL(snap.assocs[0].start_ms, t1);
    mtamon_snapshot_free(&snap);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a), MTAMON_OK);

    int64_t t0 = ut_now_ms();
    mtamon_event_time(m, 0);                /* the clock again */
    CU_ASSERT_EQUAL(mtamon_reject(m, 3, 1, 1, 0, NULL), MTAMON_OK);
    stats(name, "other", &c);
    CU_ASSERT(recent(c.last_inbound_ms, t0));
    mtamon_event_time(m, -5);               /* negative: the clock */
    CU_ASSERT_EQUAL(mtamon_tempfail(m, 3, 1, 1, 0), MTAMON_OK);
    stats(name, "other", &c);
    CU_ASSERT(recent(c.last_outbound_attempt_ms, t0));
    mtamon_close(m);
}

static void test_activity_times(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    struct mtamon_channel_stats c;
    stats(name, "other", &c);
    CU_ASSERT_EQUAL(c.last_inbound_ms, 0);
    CU_ASSERT_EQUAL(c.last_outbound_ms, 0);
    CU_ASSERT_EQUAL(c.last_outbound_attempt_ms, 0);

    int64_t t0 = ut_now_ms();
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 3, in, 1, 1), MTAMON_OK);
    stats(name, "other", &c);
    CU_ASSERT(recent(c.last_inbound_ms, t0));
    CU_ASSERT_EQUAL(c.last_outbound_ms, 0);
    CU_ASSERT_EQUAL(c.last_outbound_attempt_ms, 0);
    int64_t first_in = c.last_inbound_ms;

    CU_ASSERT_EQUAL(mtamon_tempfail(m, 3, 1, 1, 0), MTAMON_OK);
    stats(name, "other", &c);
    CU_ASSERT(recent(c.last_outbound_attempt_ms, t0));
    CU_ASSERT_EQUAL(c.last_outbound_ms, 0);
    CU_ASSERT_EQUAL(mtamon_dequeue(m, 3, 1, 1, 0, -1), MTAMON_OK);
    stats(name, "other", &c);
    CU_ASSERT(recent(c.last_outbound_ms, t0));
    CU_ASSERT(c.last_outbound_attempt_ms >= c.last_outbound_ms);
    /* Times never move backwards. */
    CU_ASSERT_EQUAL(mtamon_reject(m, 3, 1, 1, 0, NULL), MTAMON_OK);
    stats(name, "other", &c);
    CU_ASSERT(c.last_inbound_ms >= first_in);
    CU_ASSERT(recent(c.last_inbound_ms, t0));
    mtamon_close(m);
}

static void test_reason_text(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    struct mtamon_channel_stats c;

    CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 1, 0, "bad\x01reason\x7f\nend\xc3\xa9\t!"),
                    MTAMON_OK);
    stats(name, "in", &c);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "bad?reason??end??" "?!");
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, in, 0, "\x1b[31mred\x1b[0m"), MTAMON_OK);
    stats(name, "in", &c);
    CU_ASSERT_STRING_EQUAL(c.last_connect_failure, "?[31mred?[0m");

    char longer[300], exact[MTAMON_REASON_MAX + 1];
    for (size_t i = 0; i < sizeof longer - 1; i++)
        longer[i] = (char)('a' + i % 26);
    longer[sizeof longer - 1] = '\0';
    memcpy(exact, longer, MTAMON_REASON_MAX);
    exact[MTAMON_REASON_MAX] = '\0';
    CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 1, 0, longer), MTAMON_OK);
    stats(name, "in", &c);
    CU_ASSERT_EQUAL(strlen(c.last_rejection_reason), MTAMON_REASON_MAX);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, exact);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, in, 0, exact), MTAMON_OK);
    stats(name, "in", &c);
    CU_ASSERT_STRING_EQUAL(c.last_connect_failure, exact);
    CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 1, 0, ""), MTAMON_OK);
    stats(name, "in", &c);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "");
    mtamon_close(m);
}

/* 40 distinct 5.x.y codes: the 30 dynamic rows go to the first 30, the
 * rest fold into 5.0.0; nothing is lost. */
static void test_status_table(void)
{
    const char *name;
    mtamon_channel_t in, out;
    mtamon_t *m = setup(&name, &in, &out);
    enum { CODES = 40, DYNAMIC = MTAMON_STATUS_SLOTS - 2 };
    uint64_t want_in = 0, want_out = 0;
    for (int round = 0; round < 3; round++)
        for (unsigned i = 0; i < CODES; i++) {
            mtamon_status_code code = mtamon_status_make(5, 1 + i / 10, i % 10 + 1);
            CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 1, code, NULL), MTAMON_OK);
            want_in++;
            if (i % 2 == 0) {
                CU_ASSERT_EQUAL(mtamon_fail(m, in, 1, 1, code), MTAMON_OK);
                CU_ASSERT_EQUAL(mtamon_tempfail(m, in, 1, 1, code), MTAMON_OK);
                want_out += 2;
            }
        }
    /* Codes out of range are not counted in the table. */
    CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 1, 6000000, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 1, 3999999, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 1, 123, NULL), MTAMON_OK);

    struct mtamon_channel_stats c;
    stats(name, "in", &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_REJECTED_MSGS], want_in + 3);
    CU_ASSERT_EQUAL_FATAL(c.n_status, DYNAMIC + 1);
    uint64_t sum_in = 0, sum_out = 0, sum_internal = 0;
    for (unsigned r = 0; r < c.n_status; r++) {
        sum_in += c.status[r].inbound;
        sum_out += c.status[r].outbound;
        sum_internal += c.status[r].internal;
        if (r > 0)
            CU_ASSERT(c.status[r - 1].code < c.status[r].code);
    }
    CU_ASSERT_EQUAL(sum_in, want_in);
    CU_ASSERT_EQUAL(sum_out, want_out);
    CU_ASSERT_EQUAL(sum_internal, 0);

    /* Row by row: the first 30 codes own a row, 5.0.0 has the rest. */
    CU_ASSERT_EQUAL(c.status[0].code, 5000000);
    uint64_t fold_in = 0, fold_out = 0;
    for (unsigned i = 0; i < CODES; i++) {
        mtamon_status_code code = mtamon_status_make(5, 1 + i / 10, i % 10 + 1);
        const struct mtamon_status_count *row = ut_status_row(&c, code);
        uint64_t in_n = 3, out_n = i % 2 == 0 ? 6 : 0;
        if (i < DYNAMIC) {
            CU_ASSERT_PTR_NOT_NULL(row);
            if (row) {
                CU_ASSERT_EQUAL(row->inbound, in_n);
                CU_ASSERT_EQUAL(row->outbound, out_n);
            }
        } else {
            CU_ASSERT_PTR_NULL(row);
            fold_in += in_n;
            fold_out += out_n;
        }
    }
    const struct mtamon_status_count *fold = ut_status_row(&c, 5000000);
    UT_REQUIRE(fold);
    CU_ASSERT_EQUAL(fold->inbound, fold_in);
    CU_ASSERT_EQUAL(fold->outbound, fold_out);

    /* A 4.x.y code finds no dynamic row left: it goes to 4.0.0, which
     * sorts first. */
    CU_ASSERT_EQUAL(mtamon_tempfail(m, in, 1, 1, 4004001), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_tempfail(m, in, 1, 1, 4000000), MTAMON_OK);
    stats(name, "in", &c);
    CU_ASSERT_EQUAL_FATAL(c.n_status, DYNAMIC + 2);
    CU_ASSERT_EQUAL(c.status[0].code, 4000000);
    CU_ASSERT_EQUAL(c.status[0].outbound, 2);
    CU_ASSERT_EQUAL(c.status[1].code, 5000000);
    CU_ASSERT_PTR_NULL(ut_status_row(&c, 4004001));

    /* Another channel has a table of its own. */
    stats(name, "out", &c);
    CU_ASSERT_EQUAL(c.n_status, 0);
    mtamon_close(m);
}

UT_MAIN("events",
        {"enqueue", test_enqueue},
        {"dequeue", test_dequeue},
        {"tempfail", test_tempfail},
        {"reject", test_reject},
        {"fail", test_fail},
        {"convert and loop", test_convert_loop},
        {"association open and close", test_assoc_open_close},
        {"association remote and full table", test_assoc_remote_and_table},
        {"association reject and fail", test_assoc_reject_fail},
        {"invalid channels change nothing", test_invalid_channels},
        {"activity times", test_activity_times},
        {"event times set by the caller", test_event_time},
        {"reason texts", test_reason_text},
        {"status-code table", test_status_table})
