/*
 * interval.c - the interval mode's loop, options and rates (see
 * interval.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "interval.h"
#include "monotonic.h"
#include "signals.h"

int interval_option(struct interval_options *o, int c, const char *arg,
                    char *err, size_t errlen)
{
    uint64_t v;
    switch (c) {
    case 'i':
        if (parse_number_ms(arg, INTERVAL_MS_MIN, INTERVAL_MS_MAX, &v) != 0) {
            snprintf(err, errlen, "--interval must be a number of seconds %u.%u..%u "
                     "(at most 3 decimals), not '%s'", INTERVAL_MS_MIN / 1000,
                     INTERVAL_MS_MIN % 1000 / 100, INTERVAL_MS_MAX / 1000, arg);
            return -1;
        }
        o->interval_ms = v;
        return 0;
    case 'n':
        if (parse_number_uint(arg, 1, INTERVAL_COUNT_MAX, &v) != 0) {
            snprintf(err, errlen, "--count must be a number of reports 1..%u, not '%s'",
                     INTERVAL_COUNT_MAX, arg);
            return -1;
        }
        o->count = v;
        return 0;
    default:
        return 1;
    }
}

int interval_check(const struct interval_options *o, char *err, size_t errlen)
{
    if (o->count && !o->interval_ms) {
        snprintf(err, errlen, "--count goes with --interval");
        return -1;
    }
    return 0;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Is a stop signal in?  SIGHUP (the terminal went away) stops too; the
 * other signals signals.c catches are of no use here and dropped. */
static int stopping(void)
{
    int sig;
    while ((sig = signals_take()) != 0)
        if (sig == SIGHUP)
            return 1;
    return signals_stop_requested() != 0;
}

/* Wait until the monotonic clock reaches @p due_ms; 0, or 1 when a stop
 * signal came first (at once, not at @p due_ms). */
static int wait_until(int64_t due_ms)
{
    for (;;) {
        if (stopping())
            return 1;
        int64_t left = due_ms - monotonic_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {signals_wake_fd(), POLLIN, 0};
        if (poll(&p, 1, left > 60000 ? 60000 : (int)left) > 0)
            signals_drain();
    }
}

int interval_option_usage(struct interval_options *o, int c, const char *arg,
                          void (*usage)(FILE *), const char *what)
{
    char err[160];
    if (interval_option(o, c, arg, err, sizeof err) != 0)
        return cli_usage_error(usage, "%s: %s", what, err);
    return EX_OK;
}

int interval_check_usage(const struct interval_options *o, void (*usage)(FILE *),
                         const char *what)
{
    char err[160];
    if (interval_check(o, err, sizeof err) != 0)
        return cli_usage_error(usage, "%s: %s", what, err);
    return EX_OK;
}

int interval_run(const struct interval_options *o, interval_report_fn report,
                 void *ctx)
{
    if (signals_init() != 0) {
        cli_errorf("cannot install the signal handlers: %s", strerror(errno));
        return EX_OSERR;
    }
    /* A reader that went away (`| head`) ends the watch quietly. */
    signal(SIGPIPE, SIG_DFL);

    const int64_t step = (int64_t)o->interval_ms;
    int status = EX_OK;
    int64_t previous = 0;
    int64_t due = monotonic_ms();
    for (uint64_t n = 1;; n++) {
        struct interval_tick t;
        t.number = n;
        t.mono_ms = monotonic_ms();
        t.wall_ms = wall_ms();
        t.elapsed_ms = n == 1 ? -1 : t.mono_ms - previous;
        t.last = o->count != 0 && n >= o->count;
        previous = t.mono_ms;
        int go = report(ctx, &t, &status);
        if (fflush(stdout) != 0 || ferror(stdout))
            break;
        if (go != 0 || t.last || stopping())
            break;
        /* The next report on the schedule, after now. */
        due += step;
        int64_t now = monotonic_ms();
        if (due <= now)
            due += ((now - due) / step + 1) * step;
        if (wait_until(due) != 0)
            break;
    }
    return status;
}

int interval_rate(uint64_t before, uint64_t after, int64_t elapsed_ms, double *rate)
{
    if (after < before || elapsed_ms <= 0)
        return -1;
    *rate = (double)(after - before) * 1000.0 / (double)elapsed_ms;
    return 0;
}

int interval_change(int64_t before, int64_t after, int64_t elapsed_ms, double *rate)
{
    if (elapsed_ms <= 0)
        return -1;
    *rate = ((double)after - (double)before) * 1000.0 / (double)elapsed_ms;
    return 0;
}

void interval_clock(int64_t ms, char *buf, size_t len)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&secs, &tm) || strftime(buf, len, "%H:%M:%S", &tm) == 0)
        snprintf(buf, len, "?");
}
