/*
 * test_feed_time.c - the log time stamps of src/feed/feed_time.c: the
 * civil day count over leap years and month ends, RFC 3339 with its zone
 * forms, the civil fields, and classic syslog stamps with the year guessed
 * (December's lines read in January belong to the year before).  Runs in
 * UTC (TZ is set before anything reads the zone).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit_util.h"

#include "feed_time.h"

#define DAY_S 86400

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void test_days_fixed(void)
{
    CU_ASSERT_EQUAL(feed_time_days_from_civil(1970, 1, 1), 0);
    CU_ASSERT_EQUAL(feed_time_days_from_civil(1969, 12, 31), -1);
    CU_ASSERT_EQUAL(feed_time_days_from_civil(2000, 3, 1), 11017);
    CU_ASSERT_EQUAL(feed_time_days_from_civil(2026, 11, 23), 20780);
    /* 1900 was no leap year, 2000 was, 2100 will not be */
    CU_ASSERT_EQUAL(feed_time_days_from_civil(1900, 3, 1) -
                        feed_time_days_from_civil(1900, 2, 28), 1);
    CU_ASSERT_EQUAL(feed_time_days_from_civil(2000, 3, 1) -
                        feed_time_days_from_civil(2000, 2, 28), 2);
    CU_ASSERT_EQUAL(feed_time_days_from_civil(2024, 3, 1) -
                        feed_time_days_from_civil(2024, 2, 29), 1);
    CU_ASSERT_EQUAL(feed_time_days_from_civil(2100, 3, 1) -
                        feed_time_days_from_civil(2100, 2, 28), 1);
}

/* Every month end from 1899 to 2101 is followed by the next month's 1st,
 * and every year is 365 or 366 days as the Gregorian rule says. */
static void test_days_month_ends(void)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int bad = 0;
    for (int y = 1899; y <= 2101; y++) {
        for (int m = 1; m <= 12; m++) {
            int last = mdays[m - 1] + (m == 2 && leap(y));
            int64_t end = feed_time_days_from_civil(y, m, last);
            int64_t next = m == 12 ? feed_time_days_from_civil(y + 1, 1, 1)
                                   : feed_time_days_from_civil(y, m + 1, 1);
            bad += next != end + 1;
        }
        bad += feed_time_days_from_civil(y + 1, 1, 1) -
                   feed_time_days_from_civil(y, 1, 1) !=
               365 + leap(y);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* The same as timegm() (the C library's count) over many days. */
static void test_days_against_timegm(void)
{
    int bad = 0;
    for (int64_t d = -800; d < 60000; d += 7) {
        time_t t = (time_t)(d * DAY_S);
        struct tm tm;
        gmtime_r(&t, &tm);
        bad += feed_time_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
                                         tm.tm_mday) != d;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_clock_ok(void)
{
    CU_ASSERT_TRUE(feed_time_clock_ok(0, 0, 0));
    CU_ASSERT_TRUE(feed_time_clock_ok(23, 59, 60)); /* a leap second */
    CU_ASSERT_FALSE(feed_time_clock_ok(24, 0, 0));
    CU_ASSERT_FALSE(feed_time_clock_ok(0, 60, 0));
    CU_ASSERT_FALSE(feed_time_clock_ok(0, 0, 61));
}

/* feed_time_rfc3339() of @p s: its result, *ms, and how far it read. */
static int rfc(const char *s, int64_t *ms, size_t *used)
{
    const char *p = s;
    *ms = -12345;
    int ok = feed_time_rfc3339(&p, s + strlen(s), ms);
    *used = (size_t)(p - s);
    return ok;
}

static void test_rfc3339(void)
{
    int64_t ms;
    size_t used;
    CU_ASSERT_TRUE(rfc("1970-01-01T00:00:00Z", &ms, &used));
    CU_ASSERT_EQUAL(ms, 0);
    CU_ASSERT_EQUAL(used, 20);
    CU_ASSERT_TRUE(rfc("2024-02-29T23:59:59.5Z rest", &ms, &used));
    CU_ASSERT_EQUAL(ms, (feed_time_days_from_civil(2024, 2, 29) * DAY_S +
                         86399) * 1000 + 500);
    CU_ASSERT_EQUAL(used, 22);
    /* the fraction's first three digits count */
    CU_ASSERT_TRUE(rfc("1970-01-01T00:00:01.123456Z", &ms, &used));
    CU_ASSERT_EQUAL(ms, 1123);
    /* +01:00 and +0100 are one hour east: an hour earlier in UTC */
    CU_ASSERT_TRUE(rfc("1970-01-02T01:00:00+01:00", &ms, &used));
    CU_ASSERT_EQUAL(ms, (int64_t)DAY_S * 1000);
    CU_ASSERT_TRUE(rfc("1970-01-02T01:00:00+0100", &ms, &used));
    CU_ASSERT_EQUAL(ms, (int64_t)DAY_S * 1000);
    CU_ASSERT_TRUE(rfc("1970-01-01T18:30:00-05:30", &ms, &used));
    CU_ASSERT_EQUAL(ms, (int64_t)DAY_S * 1000);
    /* the year's last second to the next year's first */
    CU_ASSERT_TRUE(rfc("2025-12-31T23:59:59Z", &ms, &used));
    int64_t last = ms;
    CU_ASSERT_TRUE(rfc("2026-01-01T00:00:00Z", &ms, &used));
    CU_ASSERT_EQUAL(ms - last, 1000);

    static const char *const bad[] = {
        "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-32T00:00:00Z",
        "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:61Z", "2026-01-01T00:00:00",  "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00+1", "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00+01:60", "2026-01-01 00:00:00Z", "26-01-01T00:00:00Z",
        "2026-01-01T00:00:0", "", "Nov 23 16:33:05",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_FALSE(rfc(bad[i], &ms, &used));
        CU_ASSERT_EQUAL(used, 0);
        CU_ASSERT_EQUAL(ms, -12345);
    }
}

static void test_civil(void)
{
    const char *s = "2026-12-04 20:02:12.345 +0100", *p = s;
    struct feed_time_civil c;
    CU_ASSERT_TRUE(feed_time_civil(&p, s + strlen(s), ' ', &c));
    CU_ASSERT_EQUAL(p - s, 23);
    CU_ASSERT_EQUAL(c.year, 2026);
    CU_ASSERT_EQUAL(c.mon, 12);
    CU_ASSERT_EQUAL(c.day, 4);
    CU_ASSERT_EQUAL(c.hour, 20);
    CU_ASSERT_EQUAL(c.min, 2);
    CU_ASSERT_EQUAL(c.sec, 12);
    CU_ASSERT_EQUAL(c.frac_ms, 345);
    CU_ASSERT_EQUAL(feed_time_civil_ms(&c, 60),
                    (feed_time_days_from_civil(2026, 12, 4) * DAY_S +
                     19 * 3600 + 2 * 60 + 12) * 1000 + 345);
    /* the separator is the caller's */
    p = s;
    CU_ASSERT_FALSE(feed_time_civil(&p, s + strlen(s), 'T', &c));
    CU_ASSERT_PTR_EQUAL(p, s);
    /* cut anywhere: refused, nothing read past the end */
    for (size_t n = 0; n < 19; n++) {
        p = s;
        CU_ASSERT_FALSE(feed_time_civil(&p, s + n, ' ', &c));
    }
}

static time_t utc(int y, int m, int d, int h, int mi, int s)
{
    return (time_t)(feed_time_days_from_civil(y, m, d) * DAY_S + h * 3600 +
                    mi * 60 + s);
}

static void test_classic_year(void)
{
    /* read on New Year's morning: last night's lines are last year's */
    time_t ny = utc(2026, 1, 1, 0, 30, 0);
    CU_ASSERT_EQUAL(feed_time_classic_hour(ny, 11, 31, 23),
                    utc(2025, 12, 31, 23, 0, 0));
    CU_ASSERT_EQUAL(feed_time_classic_hour(ny, 0, 1, 0),
                    utc(2026, 1, 1, 0, 0, 0));
    /* up to a day ahead (a clock or zone skew) stays in this year */
    CU_ASSERT_EQUAL(feed_time_classic_hour(ny, 0, 2, 0),
                    utc(2026, 1, 2, 0, 0, 0));
    /* more than a day ahead: last year's */
    CU_ASSERT_EQUAL(feed_time_classic_hour(ny, 0, 2, 1),
                    utc(2025, 1, 2, 1, 0, 0));
    /* read on New Year's Eve: all of this year */
    time_t eve = utc(2025, 12, 31, 23, 59, 59);
    CU_ASSERT_EQUAL(feed_time_classic_hour(eve, 11, 31, 23),
                    utc(2025, 12, 31, 23, 0, 0));
    CU_ASSERT_EQUAL(feed_time_classic_hour(eve, 0, 1, 0),
                    utc(2025, 1, 1, 0, 0, 0));
    /* Feb 29 in a leap year; in a common year mktime() rolls it on */
    CU_ASSERT_EQUAL(feed_time_classic_hour(utc(2024, 3, 10, 0, 0, 0), 1, 29, 10),
                    utc(2024, 2, 29, 10, 0, 0));
    CU_ASSERT_EQUAL(feed_time_classic_hour(utc(2025, 3, 10, 0, 0, 0), 1, 29, 10),
                    utc(2025, 3, 1, 10, 0, 0));
    /* month ends */
    CU_ASSERT_EQUAL(feed_time_classic_hour(utc(2026, 5, 1, 12, 0, 0), 3, 30, 23),
                    utc(2026, 4, 30, 23, 0, 0));
}

/* feed_time_classic() of @p s with @p cache. */
static int classic(struct feed_time_classic *cache, const char *s, int64_t *ms,
                   size_t *used)
{
    const char *p = s;
    *ms = -12345;
    int ok = feed_time_classic(cache, &p, s + strlen(s), ms);
    *used = (size_t)(p - s);
    return ok;
}

static void test_classic(void)
{
    struct feed_time_classic cache;
    feed_time_classic_init(&cache);
    int64_t ms;
    size_t used;
    CU_ASSERT_TRUE(classic(&cache, "Mar 10 00:00:01 host", &ms, &used));
    CU_ASSERT_EQUAL(used, 15);
    int64_t base = feed_time_classic_hour(time(NULL), 2, 10, 0);
    CU_ASSERT_EQUAL(ms, (base + 1) * 1000);
    /* the same hour: from the cache */
    CU_ASSERT_EQUAL(cache.mon, 2);
    CU_ASSERT_TRUE(classic(&cache, "Mar 10 00:59:60", &ms, &used));
    CU_ASSERT_EQUAL(ms, (base + 59 * 60 + 60) * 1000);
    /* space-padded and unpadded days */
    CU_ASSERT_TRUE(classic(&cache, "Nov  3 16:33:05", &ms, &used));
    CU_ASSERT_EQUAL(used, 15);
    CU_ASSERT_EQUAL(ms, (feed_time_classic_hour(time(NULL), 10, 3, 16) +
                         33 * 60 + 5) * 1000);
    CU_ASSERT_TRUE(classic(&cache, "Nov 3 16:33:05 x", &ms, &used));
    CU_ASSERT_EQUAL(used, 14);
    CU_ASSERT_TRUE(classic(&cache, "Dec 31 23:59:59", &ms, &used));
    CU_ASSERT_EQUAL(ms, (feed_time_classic_hour(time(NULL), 11, 31, 23) +
                         59 * 60 + 59) * 1000);

    static const char *const bad[] = {
        "Foo 10 00:00:01", "mar 10 00:00:01", "Mar 32 00:00:01",
        "Mar 00 00:00:01", "Mar 10 24:00:01", "Mar 10 00:60:01",
        "Mar 10 00:00:61", "Mar 10 0:00:01 ", "Mar-10 00:00:01",
        "Mar 10 00:00",    "",                "2026-03-10T00:00:01Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_FALSE(classic(&cache, bad[i], &ms, &used));
        CU_ASSERT_EQUAL(used, 0);
        CU_ASSERT_EQUAL(ms, -12345);
    }
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    static const struct unit_test tests[] = {
        {"days from civil: fixed dates, leap years", test_days_fixed},
        {"days from civil: month ends 1899-2101", test_days_month_ends},
        {"days from civil: against timegm", test_days_against_timegm},
        {"clock readings", test_clock_ok},
        {"RFC 3339 and its zones", test_rfc3339},
        {"civil fields", test_civil},
        {"classic: year guessed, rollover", test_classic_year},
        {"classic: stamps, cache, refusals", test_classic},
        {NULL, NULL},
    };
    return unit_main("feed_time", tests);
}
