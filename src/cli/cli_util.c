/*
 * cli_util.c - exit statuses, error reporting, number parsing and time
 * formatting shared by the mtamon commands.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "exit_status.h"

int cli_report(const struct mtamon_error *err)
{
    const char *text = err->message[0] ? err->message : mtamon_strerror(err->code);
    fprintf(stderr, "%s: %s\n", CLI_NAME, text);
    int status = exit_status_for(err->code);
    /* A failure must never look like success to a script. */
    return status == EX_OK ? EX_SOFTWARE : status;
}

static void vreport(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", CLI_NAME);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
}

int cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    if (usage)
        usage(stderr);
    return EX_USAGE;
}

int cli_option_error(void (*usage)(FILE *), const char *what, int ret,
                     char **argv)
{
    /* getopt_long() has moved optind past the offending word, except for an
     * unknown letter inside a bundle such as "-xj". */
    const char *word = optind > 0 ? argv[optind - 1] : "?";
    if (ret == ':')
        return cli_usage_error(usage, "%s: option '%s' needs a value", what, word);
    if (optopt && word[0] == '-' && word[1] != '-')
        return cli_usage_error(usage, "%s: unknown option '-%c'", what, optopt);
    return cli_usage_error(usage, "%s: unknown option '%s'", what, word);
}

int cli_no_arguments(void (*usage)(FILE *), const char *what, int argc, char **argv)
{
    if (optind < argc)
        return cli_usage_error(usage, "%s: unexpected argument '%s'", what, argv[optind]);
    return EX_OK;
}

int cli_parse_positive(const char *text, double *out)
{
    if (!text || !*text)
        return -1;
    errno = 0;
    char *end = NULL;
    double v = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || !(v > 0.0))
        return -1;
    *out = v;
    return 0;
}

/* Seconds and milliseconds of @p ms, rounding toward the past. */
static void split_ms(int64_t ms, time_t *secs, int *millis)
{
    int64_t s = ms / 1000, r = ms % 1000;
    if (r < 0) {
        s--;
        r += 1000;
    }
    *secs = (time_t)s;
    *millis = (int)r;
}

void cli_time_local(int64_t ms, char *buf, size_t len)
{
    time_t secs;
    int millis;
    struct tm tm;
    split_ms(ms, &secs, &millis);
    char zone[8];
    if (ms == 0 || !localtime_r(&secs, &tm) ||
        strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm) == 0 ||
        strftime(zone, sizeof zone, "%z", &tm) != 5) {
        snprintf(buf, len, "%s", ms == 0 ? "never" : "?");
        return;
    }
    /* strftime's %z is "+0200"; ISO-8601 extended format wants "+02:00". */
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%.3s:%.2s", zone, zone + 3);
}

int cli_time_utc(int64_t ms, char *buf, size_t len)
{
    time_t secs;
    int millis;
    struct tm tm;
    buf[0] = '\0';
    if (ms == 0)
        return -1;
    split_ms(ms, &secs, &millis);
    if (!gmtime_r(&secs, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        return -1;
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, ".%03dZ", millis);
    return 0;
}

void cli_status_text(mtamon_status_code code, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u", (unsigned)(code / 1000000),
             (unsigned)(code / 1000 % 1000), (unsigned)(code % 1000));
}

const struct mtamon_channel_stats *
cli_channel_by_index(const struct mtamon_snapshot *snap, mtamon_channel_t index)
{
    /* channels[] is sorted by index: binary search. */
    uint32_t lo = 0, hi = snap->n_channels;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        mtamon_channel_t at = snap->channels[mid].index;
        if (at == index)
            return &snap->channels[mid];
        if (at < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
