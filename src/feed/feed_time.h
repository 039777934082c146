/*
 * feed_time.h - the time stamps of log lines, into milliseconds since the
 * Epoch: RFC 3339 ("2026-11-23T16:33:05.123+01:00"), classic syslog
 * ("Nov 23 16:33:05", local time, no year) and the civil date and clock
 * fields other formats build on (Exim's "2026-12-04 20:02:12.345").
 * Every reader takes [*pp, end), any bytes, advances *pp past what it read
 * on success (returns 1) and leaves it alone on failure (returns 0).
 */
#ifndef MTAMON_FEED_TIME_H
#define MTAMON_FEED_TIME_H

#include <stdint.h>
#include <time.h>

/** A civil date and clock as a log line writes them. */
struct feed_time_civil {
    int year, mon, day;   /**< mon 1..12, day 1..31 */
    int hour, min, sec;   /**< 0..23, 0..59, 0..60 (a leap second) */
    int frac_ms;          /**< the fraction's first three digits, 0..999 */
};

/** What a classic syslog reader keeps between lines: the start of the
 * last (month, day, hour) it saw, so that mktime() runs once an hour. */
struct feed_time_classic {
    int mon, day, hour;   /**< mon -1: nothing cached yet */
    int64_t base_s;
};

/** Days since 1970-01-01 of the proleptic Gregorian date @p y-@p m-@p d
 * (m 1..12; d may run past the month's end, counting on). */
int64_t feed_time_days_from_civil(int64_t y, int m, int d);

/** Whether @p h:@p mi:@p s is a clock reading (a leap second allowed). */
int feed_time_clock_ok(int h, int mi, int s);

/**
 * Read "YYYY-MM-DD<sep>HH:MM:SS[.frac]" into *@p c (month 1..12, day
 * 1..31, a valid clock; a fraction has at least one digit, the first three
 * count).  Returns 1 and advances *@p pp, or 0.
 */
int feed_time_civil(const char **pp, const char *end, char sep,
                    struct feed_time_civil *c);

/** Milliseconds since the Epoch of @p c read as UTC less @p offset_min
 * minutes (the zone's offset east of UTC). */
int64_t feed_time_civil_ms(const struct feed_time_civil *c, int offset_min);

/**
 * Read an RFC 3339 stamp "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|+hhmm)"
 * into *@p ms.  Returns 1 and advances *@p pp, or 0.
 */
int feed_time_rfc3339(const char **pp, const char *end, int64_t *ms);

/** A fresh cache for feed_time_classic(). */
void feed_time_classic_init(struct feed_time_classic *cache);

/**
 * Read a classic syslog stamp "Mmm dd HH:MM:SS" (the day space-padded or
 * not) as local time into *@p ms, the year guessed by
 * feed_time_classic_hour() against the clock now; @p cache saves the
 * mktime() of an hour already seen.  Returns 1 and advances *@p pp, or 0.
 */
int feed_time_classic(struct feed_time_classic *cache, const char **pp,
                      const char *end, int64_t *ms);

/**
 * Start (seconds since the Epoch) of local hour @p hour of day @p day of
 * month @p mon (0..11) in the year of @p now, or in the year before if
 * that puts it more than a day after @p now (December's lines read in
 * January); 0 if mktime() cannot place it.
 */
int64_t feed_time_classic_hour(time_t now, int mon, int day, int hour);

#endif /* MTAMON_FEED_TIME_H */
