/*
 * interval.h - the interval mode of the mtamon commands that read a
 * figure (`counters show`, `queue`, `probe`, `alarms`): `--interval
 * SECONDS [--count N]` makes a report at once, then one every SECONDS,
 * N times or until SIGINT, SIGTERM or SIGHUP, like counterutil's `-i 5
 * -n 10` or vmstat(8).  One loop for all of them: the options, the
 * timing on the monotonic clock, the interruptible wait and the signals;
 * and the per-second rate of a counter between two reports.
 *
 * A signal never cuts a report short: the report under way is finished
 * and flushed, then the loop ends without waiting for the next one.
 * SIGPIPE keeps its default action, as for vmstat: `| head` ends the
 * command quietly.
 */
#ifndef MTAMON_INTERVAL_H
#define MTAMON_INTERVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Shortest and longest --interval, in milliseconds. */
#define INTERVAL_MS_MIN 100u
#define INTERVAL_MS_MAX (86400u * 1000u)
/** Largest --count. */
#define INTERVAL_COUNT_MAX 1000000000u

/** Their short options ("-i 5 -n 10", as counterutil spelt them): add
 * these letters to a command's getopt string... */
#define INTERVAL_SHORTOPTS "i:n:"
/** ... and these entries to its long options. */
#define INTERVAL_LONGOPTS                                                   \
    {"interval", required_argument, NULL, 'i'},                             \
    {"count", required_argument, NULL, 'n'}

/** What --interval and --count asked for. */
struct interval_options {
    uint64_t interval_ms;   /**< 0: no --interval (one report, as always) */
    uint64_t count;         /**< reports to make; 0: until interrupted */
};

/**
 * Take option @p c ('i' or 'n', see INTERVAL_LONGOPTS) with value @p arg
 * into @p o.  Returns 1 when @p c is not one of them, 0 when taken, -1
 * for a bad value, with "--interval: ..." in @p err.
 */
int interval_option(struct interval_options *o, int c, const char *arg,
                    char *err, size_t errlen);

/**
 * After the options: --count without --interval is refused.  Returns 0,
 * or -1 with the message in @p err.
 */
int interval_check(const struct interval_options *o, char *err, size_t errlen);

/**
 * interval_option() for the -i/-n @p c of command @p what ("queue"), its
 * error told as a usage error "WHAT: ..." (cli_usage_error() with
 * @p usage): EX_OK or EX_USAGE.
 */
int interval_option_usage(struct interval_options *o, int c, const char *arg,
                          void (*usage)(FILE *), const char *what);

/** interval_check() likewise: EX_OK or EX_USAGE. */
int interval_check_usage(const struct interval_options *o, void (*usage)(FILE *),
                         const char *what);

/** One report of the loop. */
struct interval_tick {
    uint64_t number;      /**< 1 for the first report */
    int64_t mono_ms;      /**< monotonic clock at its start */
    int64_t wall_ms;      /**< wall clock at its start, ms since the epoch */
    int64_t elapsed_ms;   /**< monotonic ms since the previous report's
                               start; -1 for the first report */
    int last;             /**< --count reached: no report after this one */
};

/**
 * Make one report.  Set *@p status to the report's exit status (what the
 * command would exit with after it alone).  Return 0 to go on, -1 to end
 * the loop now (a failure that a later report cannot mend).
 */
typedef int (*interval_report_fn)(void *ctx, const struct interval_tick *tick,
                                  int *status);

/**
 * Call @p report at once, then every o->interval_ms on a fixed schedule
 * (a report that overruns skips the reports it missed, it does not pile
 * them up), o->count times or until a stop signal (SIGINT, SIGTERM,
 * SIGHUP) or @p report returns -1.  Standard output is flushed after each
 * report; a write error ends the loop (main() reports it).  Returns the
 * status of the last report made, so a run ended by Ctrl-C after good
 * reports exits 0; EX_OSERR when the signal handlers cannot be installed.
 */
int interval_run(const struct interval_options *o, interval_report_fn report,
                 void *ctx);

/**
 * The per-second rate of a counter that went from @p before to @p after
 * in @p elapsed_ms.  Returns 0 and sets *@p rate; -1 (and *@p rate
 * untouched) when the counter went down (it restarted: there is no rate
 * across that) or @p elapsed_ms is not positive.
 */
int interval_rate(uint64_t before, uint64_t after, int64_t elapsed_ms, double *rate);

/**
 * The per-second change of a gauge (it may fall: a signed result) from
 * @p before to @p after in @p elapsed_ms.  Returns 0 and sets *@p rate,
 * or -1 when @p elapsed_ms is not positive.
 */
int interval_change(int64_t before, int64_t after, int64_t elapsed_ms, double *rate);

/** Room for interval_clock(). */
#define INTERVAL_CLOCK_MAX 16

/** @p wall_ms as local "HH:MM:SS", the time column of the compact layouts. */
void interval_clock(int64_t wall_ms, char *buf, size_t len);

#endif /* MTAMON_INTERVAL_H */
