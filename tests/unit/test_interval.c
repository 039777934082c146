/*
 * test_interval.c - the interval mode's figures (src/cli/interval.c,
 * src/cli/show_interval.c): the per-second rate of a counter and the
 * change of a gauge over the elapsed time, no rate across a counter that
 * went down; --interval and --count values; what restarts the counters
 * between two snapshots, a slot used again by another channel, a new
 * channel counted from zero.
 */
#include <math.h>
#include <string.h>

#include "unit_util.h"
#include "cli.h"
#include "interval.h"

/* Two rates are the same to a part in 10^12. */
static int same(double a, double b)
{
    return fabs(a - b) <= 1e-12 * (fabs(a) > 1 ? fabs(a) : 1);
}

static void test_rate(void)
{
    double r = -1;
    CU_ASSERT_EQUAL(interval_rate(10, 16, 2000, &r), 0);
    CU_ASSERT(same(r, 3.0));
    /* The divisor is the elapsed time given, not a nominal interval. */
    CU_ASSERT_EQUAL(interval_rate(0, 5, 1001, &r), 0);
    CU_ASSERT(same(r, 5000.0 / 1001.0));
    CU_ASSERT_EQUAL(interval_rate(7, 7, 500, &r), 0);
    CU_ASSERT(same(r, 0.0));
    /* Near the top of the range: the difference, not the values, counts. */
    CU_ASSERT_EQUAL(interval_rate(UINT64_MAX - 10, UINT64_MAX, 1000, &r), 0);
    CU_ASSERT(same(r, 10.0));
    CU_ASSERT_EQUAL(interval_rate(0, UINT64_MAX, 1000, &r), 0);
    CU_ASSERT(r > 1e16);
}

static void test_rate_refused(void)
{
    double r = 42;
    /* Went down (a restart): neither negative nor huge, no rate at all. */
    CU_ASSERT_EQUAL(interval_rate(16, 10, 1000, &r), -1);
    CU_ASSERT_EQUAL(interval_rate(1, 0, 1000, &r), -1);
    CU_ASSERT_EQUAL(interval_rate(UINT64_MAX, 0, 1000, &r), -1);
    /* No time elapsed. */
    CU_ASSERT_EQUAL(interval_rate(1, 2, 0, &r), -1);
    CU_ASSERT_EQUAL(interval_rate(1, 2, -5, &r), -1);
    CU_ASSERT(same(r, 42));
}

static void test_change(void)
{
    double r = 0;
    CU_ASSERT_EQUAL(interval_change(10, 4, 2000, &r), 0);
    CU_ASSERT(same(r, -3.0));
    CU_ASSERT_EQUAL(interval_change(-2, 3, 500, &r), 0);
    CU_ASSERT(same(r, 10.0));
    CU_ASSERT_EQUAL(interval_change(INT64_MIN, INT64_MAX, 1000, &r), 0);
    CU_ASSERT(r > 1e19);
    CU_ASSERT_EQUAL(interval_change(1, 2, 0, &r), -1);
}

static void test_options(void)
{
    struct interval_options o = {0, 0};
    char err[160];
    CU_ASSERT_EQUAL(interval_option(&o, 'i', "5", err, sizeof err), 0);
    CU_ASSERT_EQUAL(o.interval_ms, 5000);
    CU_ASSERT_EQUAL(interval_option(&o, 'i', "0.25", err, sizeof err), 0);
    CU_ASSERT_EQUAL(o.interval_ms, 250);
    CU_ASSERT_EQUAL(interval_option(&o, 'i', "0.1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(interval_option(&o, 'i', "86400", err, sizeof err), 0);
    CU_ASSERT_EQUAL(o.interval_ms, 86400000);
    static const char *const bad_interval[] = {
        "0", "0.099", "0.0001", "86400.001", "-1", "+1", "abc", "", " 1", "1 ", "1e3",
        "inf", "nan", "1s", "99999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad_interval / sizeof bad_interval[0]; i++) {
        err[0] = '\0';
        CU_ASSERT_EQUAL(interval_option(&o, 'i', bad_interval[i], err, sizeof err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "--interval must be"));
    }
    CU_ASSERT_EQUAL(o.interval_ms, 86400000);   /* untouched by the refusals */

    CU_ASSERT_EQUAL(interval_option(&o, 'n', "1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(o.count, 1);
    CU_ASSERT_EQUAL(interval_option(&o, 'n', "1000000000", err, sizeof err), 0);
    CU_ASSERT_EQUAL(o.count, 1000000000);
    static const char *const bad_count[] = {"0", "-1", "1.5", "x", "", "1000000001",
                                            "18446744073709551616"};
    for (size_t i = 0; i < sizeof bad_count / sizeof bad_count[0]; i++) {
        err[0] = '\0';
        CU_ASSERT_EQUAL(interval_option(&o, 'n', bad_count[i], err, sizeof err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "--count must be"));
    }
    CU_ASSERT_EQUAL(interval_option(&o, 'j', NULL, err, sizeof err), 1);

    struct interval_options only_count = {0, 3};
    CU_ASSERT_EQUAL(interval_check(&only_count, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "--count goes with --interval");
    struct interval_options both = {1000, 3}, none = {0, 0};
    CU_ASSERT_EQUAL(interval_check(&both, err, sizeof err), 0);
    CU_ASSERT_EQUAL(interval_check(&none, err, sizeof err), 0);
}

/* A snapshot of @p n channels from @p channels (not owned). */
static struct mtamon_snapshot snap_of(struct mtamon_channel_stats *channels, uint32_t n,
                                      uint64_t generation, int64_t cleared_ms)
{
    struct mtamon_snapshot s;
    memset(&s, 0, sizeof s);
    s.generation = generation;
    s.cleared_ms = cleared_ms;
    s.channels = channels;
    s.n_channels = n;
    return s;
}

static void channel_init(struct mtamon_channel_stats *ch, uint32_t index, const char *name,
                         int64_t created_ms)
{
    memset(ch, 0, sizeof *ch);
    ch->index = index;
    snprintf(ch->name, sizeof ch->name, "%s", name);
    ch->created_ms = created_ms;
}

static void test_restart(void)
{
    struct mtamon_channel_stats ch;
    channel_init(&ch, 1, "tcp_local", 1000);
    struct mtamon_snapshot a = snap_of(&ch, 1, 0x1234, 0);
    struct mtamon_snapshot b = snap_of(&ch, 1, 0x1234, 0);
    CU_ASSERT_PTR_NULL(show_interval_restart(&a, &b, 0));
    CU_ASSERT_STRING_EQUAL(show_interval_restart(&a, &b, 1), "the segment was re-created");
    b.generation = 0x5678;
    CU_ASSERT_STRING_EQUAL(show_interval_restart(&a, &b, 0), "the segment was re-created");
    b.generation = 0x1234;
    b.cleared_ms = 5000;
    CU_ASSERT_STRING_EQUAL(show_interval_restart(&a, &b, 0), "the counters were cleared");
}

static void test_before(void)
{
    struct mtamon_channel_stats old[2], now[3];
    channel_init(&old[0], 1, "tcp_local", 1000);
    channel_init(&old[1], 2, "tcp_old", 1000);
    channel_init(&now[0], 1, "tcp_local", 1000);
    channel_init(&now[1], 2, "tcp_reused", 9000);   /* slot 2 retired, used again */
    channel_init(&now[2], 3, "tcp_new", 9000);
    struct mtamon_snapshot before = snap_of(old, 2, 1, 0);
    CU_ASSERT_PTR_EQUAL(show_interval_before(&before, &now[0]), &old[0]);
    CU_ASSERT_PTR_NULL(show_interval_before(&before, &now[1]));
    CU_ASSERT_PTR_NULL(show_interval_before(&before, &now[2]));
    /* Same slot and name, created again: another channel too. */
    channel_init(&now[1], 2, "tcp_old", 9000);
    CU_ASSERT_PTR_NULL(show_interval_before(&before, &now[1]));
}

static void test_channel_rates(void)
{
    struct mtamon_channel_stats b, n;
    double rates[MTAMON_COUNTER_COUNT];
    channel_init(&b, 1, "tcp_local", 1000);
    channel_init(&n, 1, "tcp_local", 1000);
    b.c[MTAMON_RECEIVED_MSGS] = 100;
    n.c[MTAMON_RECEIVED_MSGS] = 130;
    b.c[MTAMON_FAILED_MSGS] = 7;
    n.c[MTAMON_FAILED_MSGS] = 8;
    CU_ASSERT_EQUAL(show_interval_rates(&b, &n, 5000, rates), 0);
    CU_ASSERT(same(rates[MTAMON_RECEIVED_MSGS], 6.0));
    CU_ASSERT(same(rates[MTAMON_FAILED_MSGS], 0.2));
    CU_ASSERT(same(rates[MTAMON_DELIVERED_MSGS], 0.0));
    /* New since the previous report: it counted from zero. */
    CU_ASSERT_EQUAL(show_interval_rates(NULL, &n, 10000, rates), 0);
    CU_ASSERT(same(rates[MTAMON_RECEIVED_MSGS], 13.0));
    /* One counter went down: no rates for the channel. */
    n.c[MTAMON_LOOPS] = 0;
    b.c[MTAMON_LOOPS] = 3;
    CU_ASSERT_EQUAL(show_interval_rates(&b, &n, 5000, rates), -1);
}

UT_MAIN("interval",
        {"rate per second", test_rate},
        {"no rate across a restart or without time", test_rate_refused},
        {"change of a gauge", test_change},
        {"--interval and --count", test_options},
        {"what restarts the counters", test_restart},
        {"the same channel in the previous snapshot", test_before},
        {"a channel's rates", test_channel_rates})
