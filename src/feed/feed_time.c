/*
 * feed_time.c - log time stamps into milliseconds (feed_time.h).
 */
#include <string.h>

#include "feed_text.h"
#include "feed_time.h"

int64_t feed_time_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int feed_time_clock_ok(int h, int mi, int s)
{
    return h <= 23 && mi <= 59 && s <= 60;
}

int feed_time_civil(const char **pp, const char *end, char sep,
                    struct feed_time_civil *c)
{
    const char *p = *pp;
    int y, mo, d, h, mi, s;
    if (!feed_text_digits(&p, end, 4, &y) || p == end || *p++ != '-' ||
        !feed_text_digits(&p, end, 2, &mo) || p == end || *p++ != '-' ||
        !feed_text_digits(&p, end, 2, &d) || p == end || *p++ != sep ||
        !feed_text_digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
        !feed_text_digits(&p, end, 2, &mi) || p == end || *p++ != ':' ||
        !feed_text_digits(&p, end, 2, &s))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || !feed_time_clock_ok(h, mi, s))
        return 0;
    int frac = 0;
    if (p < end && *p == '.') {
        p++;
        int n = 0;
        while (p < end && feed_text_is_digit(*p)) {
            if (n < 3)
                frac = frac * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0)
            return 0;
        for (; n < 3; n++)
            frac *= 10;
    }
    c->year = y;
    c->mon = mo;
    c->day = d;
    c->hour = h;
    c->min = mi;
    c->sec = s;
    c->frac_ms = frac;
    *pp = p;
    return 1;
}

int64_t feed_time_civil_ms(const struct feed_time_civil *c, int offset_min)
{
    int64_t secs = feed_time_days_from_civil(c->year, c->mon, c->day) * 86400 +
                   c->hour * 3600 + c->min * 60 + c->sec -
                   (int64_t)offset_min * 60;
    return secs * 1000 + c->frac_ms;
}

int feed_time_rfc3339(const char **pp, const char *end, int64_t *ms)
{
    const char *p = *pp;
    struct feed_time_civil c;
    if (!feed_time_civil(&p, end, 'T', &c))
        return 0;
    int offset_min = 0;
    if (p < end && *p == 'Z') {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (!feed_text_digits(&p, end, 2, &oh))
            return 0;
        if (p < end && *p == ':')
            p++;
        if (!feed_text_digits(&p, end, 2, &om) || oh > 23 || om > 59)
            return 0;
        offset_min = sign * (oh * 60 + om);
    } else {
        return 0;
    }
    *ms = feed_time_civil_ms(&c, offset_min);
    *pp = p;
    return 1;
}

int64_t feed_time_classic_hour(time_t now, int mon, int day, int hour)
{
    struct tm tm_now;
    if (!localtime_r(&now, &tm_now))
        return 0;
    int year = tm_now.tm_year;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct tm tm = {0};
        tm.tm_year = year;
        tm.tm_mon = mon;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == (time_t)-1)
            return 0;
        if ((int64_t)t <= (int64_t)now + 86400 || attempt == 1)
            return (int64_t)t;
        year--; /* more than a day ahead: last year's line */
    }
    return 0;
}

void feed_time_classic_init(struct feed_time_classic *cache)
{
    cache->mon = -1;
    cache->day = 0;
    cache->hour = 0;
    cache->base_s = 0;
}

int feed_time_classic(struct feed_time_classic *cache, const char **pp,
                      const char *end, int64_t *ms)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *p = *pp;
    if (end - p < 15)
        return 0;
    int mon = -1;
    for (int i = 0; i < 12; i++)
        if (memcmp(p, months + 3 * i, 3) == 0)
            mon = i;
    if (mon < 0 || p[3] != ' ')
        return 0;
    p += 4;
    if (*p == ' ')
        p++;
    int day = 0, n = 0;
    while (p < end && feed_text_is_digit(*p) && n < 2) {
        day = day * 10 + (*p++ - '0');
        n++;
    }
    int h, mi, s;
    if (n == 0 || day < 1 || day > 31 || p == end || *p++ != ' ' ||
        !feed_text_digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
        !feed_text_digits(&p, end, 2, &mi) || p == end || *p++ != ':' ||
        !feed_text_digits(&p, end, 2, &s) || !feed_time_clock_ok(h, mi, s))
        return 0;
    if (cache->mon != mon || cache->day != day || cache->hour != h) {
        cache->base_s = feed_time_classic_hour(time(NULL), mon, day, h);
        cache->mon = mon;
        cache->day = day;
        cache->hour = h;
    }
    *ms = (cache->base_s + mi * 60 + s) * 1000;
    *pp = p;
    return 1;
}
