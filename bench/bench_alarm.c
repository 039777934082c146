/*
 * bench_alarm.c - what checking alarms costs mtamond per check interval:
 * alarm_sample_take() + alarm_engine_update() for every alarm due, then
 * alarm_engine_tick(), exactly as mtamond's timer does it (alarms.c),
 * over a view of --channels channels (default 10,000) built by hand (no
 * segment, no SNMP), against a reference measured in the same run.
 *
 *   bench_alarm [--channels N] [--cycles N] [--runs R]
 *
 * The alarms (struct config built by hand, as alarms: would give it; the
 * raise thresholds are never crossed, so nothing is notified and the cost
 * is the evaluation alone):
 *
 *   queue_length 1 x N, every channel   no channels: key (no matching);
 *   queue_length 1 x N, 'g*'            one pattern matching every channel;
 *   queue_length 10 x N/10, 'gK-*'      ten alarms, each a pattern matching
 *                                       a tenth of the channels (each alarm
 *                                       still matches every channel's name);
 *   queue_length 1 x 1000 named         a list of 1,000 plain names: every
 *                                       channel is compared with every name;
 *   failure_rate 1 x N, 'g*'            the windowed kind: window 900 s,
 *   failure_rate 10 x N/10, 'gK-*'      interval 1 s, min_messages 20.
 *
 * Each alarm is checked every cycle (interval 1 s, the clock passed in
 * moves 1 s a cycle) and the channels' counters move between cycles as an
 * MTA's would (not timed).  Per kind of alarm set, printed in one row:
 *
 *   rows       (alarm, object) rows of the engine after the first cycle;
 *   first us   the first cycle, when every row is made (median of --runs
 *              fresh engines, each in a fresh process, as in a starting
 *              mtamond);
 *   steady us  the median (and best) of --cycles cycles after the rows
 *              exist -- for the windowed kind after window_s / interval_s
 *              + 2 cycles more (not timed), so that the windows are full
 *              and every cycle drops their oldest sample, as after 15
 *              minutes in mtamond;
 *   take %     the share of the steady cycles spent in alarm_sample_take()
 *              (matching names, reading the view), the rest being the
 *              engine's (finding each row, windows, thresholds);
 *   ns/row     steady us per row;
 *   x ref      steady us over the reference: one pass over every
 *              channel of the view reading the counters and the gauge an
 *              alarm reads (stored messages, delivered, failed and
 *              attempted messages) into a sum -- the least any check of
 *              every channel costs;
 *   % 1 s      steady us as a share of one CPU over the 1 s interval;
 *   RSS B/row  growth of the resident set from before the engine to after
 *              the steady cycles, per row (every run is a child process
 *              of its own, so the figures do not mix).
 *
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), steadier than
 * wall time on a busy machine; the events column counts what the engine
 * emitted (0: no threshold is crossed).  Nothing is asserted: this is a
 * benchmark, not a test.  About a minute at the defaults; bench/run
 * runs it.  GET latency while mtamond checks such alarms:
 * bench/agent/alarm_get_latency.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alarm.h"
#include "alarm_sample.h"
#include "view.h"

#define MAX_RUNS 31
#define GROUPS 10        /* alarms of the "10 x N/10" sets */
#define NAMED 1000       /* names of the named set */
#define WINDOW_S 900
#define INTERVAL_S 1

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *t, size_t n)
{
    qsort(t, n, sizeof t[0], compare_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* VmRSS of this process, kB (0 when /proc is not there). */
static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* --- the view: N channels, as mtamond's view of a segment ----------------- */

static struct mtamon_channel_stats *chans;
static struct view_group *groups;
static struct view v;
static size_t n_channels;

/* Channel i is "gK-cI": K its tenth of the channels (the patterns of the
 * ten-alarm sets), I its number. */
static int build_view(size_t n)
{
    chans = calloc(n, sizeof *chans);
    groups = calloc(n, sizeof *groups);
    if (!chans || !groups)
        return -1;
    size_t per_group = (n + GROUPS - 1) / GROUPS;
    for (size_t i = 0; i < n; i++) {
        struct mtamon_channel_stats *ch = &chans[i];
        ch->index = (mtamon_channel_t)(i + 1);
        snprintf(ch->name, sizeof ch->name, "g%zu-c%06zu", i / per_group, i);
        ch->c[MTAMON_DELIVERED_MSGS] = 1000 + i;
        ch->c[MTAMON_FAILED_MSGS] = i % 7;
        ch->c[MTAMON_ATTEMPTED_MSGS] = i % 5;
        ch->stored_msgs = (int64_t)(i % 100);
        groups[i] = (struct view_group){.index = (uint32_t)(i + 1), .ch = ch,
                                        .stored_msgs = ch->stored_msgs};
    }
    v.groups = groups;
    v.n_groups = n;
    v.segment_up = 1;
    v.generation = 1;
    n_channels = n;
    return 0;
}

/* The MTA's traffic between two checks: every channel delivers 10
 * messages and defers one (failure rate about 10 %, under the raise). */
static void traffic(void)
{
    for (size_t i = 0; i < n_channels; i++) {
        chans[i].c[MTAMON_DELIVERED_MSGS] += 10;
        chans[i].c[MTAMON_ATTEMPTED_MSGS] += 1;
    }
}

/* The reference: read what an alarm of each kind reads, once per channel. */
static volatile uint64_t sink;
static void reference_pass(void)
{
    uint64_t s = 0;
    for (size_t i = 0; i < v.n_groups; i++) {
        const struct view_group *g = &v.groups[i];
        const uint64_t *c = g->ch->c;
        s += (uint64_t)g->stored_msgs + c[MTAMON_DELIVERED_MSGS] +
             c[MTAMON_FAILED_MSGS] + c[MTAMON_ATTEMPTED_MSGS];
    }
    sink = s;
}

/* --- the alarms --------------------------------------------------------- */

enum set { EVERY, ONE_PATTERN, TEN_PATTERNS, NAMED_LIST, RATE_ONE, RATE_TEN, SET_COUNT };

static const char *const set_names[SET_COUNT] = {
    [EVERY] = "queue_length 1 x N, every",
    [ONE_PATTERN] = "queue_length 1 x N, 'g*'",
    [TEN_PATTERNS] = "queue_length 10 x N/10, 'gK-*'",
    [NAMED_LIST] = "queue_length 1 x 1000 named",
    [RATE_ONE] = "failure_rate 1 x N, 'g*'",
    [RATE_TEN] = "failure_rate 10 x N/10, 'gK-*'",
};

struct bench {
    struct config conf;
    struct config_alarm alarms[GROUPS];
    char *patterns[GROUPS];
    char pattern_text[GROUPS][16];
    char **named;
    alarm_engine *engine;
    struct alarm_sampler samplers[GROUPS];
    struct alarm_samples samples;
    struct alarm_clock now;
    unsigned long events;
    int failed;
    double take_us;   /* CPU in alarm_sample_take(), summed */
};

static void on_emit(void *ctx, const struct alarm_event *ev)
{
    (void)ev;
    ((struct bench *)ctx)->events++;
}

static int make_alarms(struct bench *b, enum set set)
{
    int rate = set == RATE_ONE || set == RATE_TEN;
    size_t n = set == TEN_PATTERNS || set == RATE_TEN ? GROUPS : 1;
    for (size_t k = 0; k < n; k++) {
        struct config_alarm *a = &b->alarms[k];
        snprintf(b->pattern_text[k], sizeof b->pattern_text[k],
                 n == 1 ? "g*" : "g%zu-*", k);
        b->patterns[k] = b->pattern_text[k];
        *a = (struct config_alarm){
            .name = b->pattern_text[k],
            .kind = rate ? CONFIG_ALARM_FAILURE_RATE : CONFIG_ALARM_QUEUE_LENGTH,
            .source = CONFIG_ALARM_ON_CHANNELS,
            .objects = &b->patterns[k],
            .n_objects = 1,
            .raise = rate ? 50 : 1000000,
            .interval_s = INTERVAL_S,
            .resend_s = 3600,
            .window_s = WINDOW_S,
            .min_messages = 20,
            .severity = CONFIG_SEVERITY_WARNING,
        };
        a->clear = a->raise;
    }
    if (set == EVERY)
        b->alarms[0].n_objects = 0;
    if (set == NAMED_LIST) {
        /* Every tenth channel up to NAMED of them: spread over the view. */
        size_t step = n_channels / NAMED ? n_channels / NAMED : 1;
        b->named = calloc(NAMED, sizeof *b->named);
        if (!b->named)
            return -1;
        size_t k = 0;
        for (size_t i = 0; i < n_channels && k < NAMED; i += step)
            b->named[k++] = chans[i].name;
        b->alarms[0].objects = b->named;
        b->alarms[0].n_objects = k;
    }
    b->conf.alarms = b->alarms;
    b->conf.n_alarms = n;
    b->conf.alarm_options.max_per_second = 20;
    b->conf.alarm_options.pending_max = 1000;
    v.conf = &b->conf;
    return 0;
}

static int engine_start(struct bench *b)
{
    alarm_engine_free(b->engine);
    for (size_t i = 0; i < GROUPS; i++)
        alarm_sampler_free(&b->samplers[i]);
    memset(b->samplers, 0, sizeof b->samplers);
    b->engine = alarm_engine_new(&b->conf, on_emit, b);
    b->now = (struct alarm_clock){.mono_ms = 1000000, .wall_ms = 1700000000000LL};
    return b->engine ? 0 : -1;
}

/* One check interval, as alarms.c's timer: every alarm due is sampled from
 * the view and updated, then the rate limit's second is ticked. */
static void cycle(struct bench *b)
{
    for (size_t i = 0; i < b->conf.n_alarms; i++) {
        if (!alarm_engine_due(b->engine, i, &b->now))
            continue;
        const struct config_alarm *a = &b->conf.alarms[i];
        double t0 = cpu_us();
        if (alarm_sample_take(a, &v, &b->samplers[i], b->now.wall_ms, &b->samples) != 0)
            b->failed = 1;
        b->take_us += cpu_us() - t0;
        if (alarm_engine_update(b->engine, i, &b->now, b->samples.s, b->samples.n) != 0)
            b->failed = 1;
    }
    alarm_engine_tick(b->engine, &b->now);
}

/* The next interval: the MTA's traffic, and the clock 1 s on. */
static void next_interval(struct bench *b)
{
    traffic();
    b->now.mono_ms += INTERVAL_S * 1000;
    b->now.wall_ms += INTERVAL_S * 1000;
}

static double timed_cycle(struct bench *b)
{
    double t0 = cpu_us();
    cycle(b);
    return cpu_us() - t0;
}

/* What a child measured, in shared memory. */
struct result {
    double first_us;                 /* this run's first cycle */
    /* The full run (run 0) only: */
    size_t rows;
    double steady_med, steady_best, take_share, rss_per_row;
    unsigned long events;
    int failed, done;
};

/* Run @p run of @p set in this (fresh) process: its first cycle, and for
 * run 0 the steady cycles and the memory too. */
static int run_set(enum set set, int run, int cycles, struct result *res)
{
    struct bench b;
    memset(&b, 0, sizeof b);
    if (make_alarms(&b, set) != 0)
        return 1;
    double *steady = calloc((size_t)cycles, sizeof *steady);
    long rss0 = rss_kb();
    if (!steady || engine_start(&b) != 0)
        return 1;   /* a child: exiting frees it all */
    res->first_us = timed_cycle(&b);
    if (run == 0) {
        struct alarm_row *const *rows;
        res->rows = alarm_engine_rows(b.engine, &rows);
        int windowed = b.alarms[0].kind == CONFIG_ALARM_FAILURE_RATE;
        int fill = windowed ? WINDOW_S / INTERVAL_S + 2 : 10;
        for (int i = 0; i < fill; i++) {
            next_interval(&b);
            cycle(&b);
        }
        double sum = 0;
        b.take_us = 0;
        for (int i = 0; i < cycles; i++) {
            next_interval(&b);
            steady[i] = timed_cycle(&b);
            sum += steady[i];
        }
        long rss1 = rss_kb();
        res->take_share = sum > 0 ? 100 * b.take_us / sum : 0;
        res->steady_med = median_of(steady, (size_t)cycles);
        res->steady_best = steady[0];
        res->rss_per_row = res->rows ? (double)(rss1 - rss0) * 1024 / (double)res->rows : 0;
        res->events = b.events;
    }
    res->failed = b.failed;
    res->done = 1;
    alarm_engine_free(b.engine);
    for (size_t i = 0; i < GROUPS; i++)
        alarm_sampler_free(&b.samplers[i]);
    alarm_samples_free(&b.samples);
    free(steady);
    free(b.named);
    return 0;
}

/* Measure @p set, every run in a child process of its own (a first cycle
 * in a process whose heap is fresh, as in a starting mtamond; a memory
 * figure of its own), and print its row. */
static int measure_set(enum set set, int cycles, int runs, double ref_us,
                       struct result *res)
{
    double first[MAX_RUNS] = {0};
    int failed = 0;
    memset(res, 0, (size_t)runs * sizeof *res);
    fflush(stdout);
    for (int r = 0; r < runs; r++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(run_set(set, r, cycles, &res[r]));
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0 || !res[r].done)
            return -1;
        first[r] = res[r].first_us;
        failed |= res[r].failed;
    }
    const struct result *full = &res[0];
    printf("%-31s %6zu %9.0f %9.0f %8.0f %6.0f %8.1f %7.1f %6.2f %9.0f %6lu%s\n",
           set_names[set], full->rows, median_of(first, (size_t)runs), full->steady_med,
           full->steady_best, full->take_share,
           full->rows ? full->steady_med * 1000 / (double)full->rows : 0.0,
           ref_us > 0 ? full->steady_med / ref_us : 0.0, full->steady_med / 1e4,
           full->rss_per_row, full->events, failed ? "  (ENOMEM: some rows missing)" : "");
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_alarm [--channels N] [--cycles N] [--runs R]\n");
}

int main(int argc, char **argv)
{
    long channels = 10000;
    int cycles = 101, runs = 5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--channels") == 0 && i + 1 < argc)
            channels = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--cycles") == 0 && i + 1 < argc)
            cycles = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = (int)strtol(argv[++i], NULL, 10);
        else {
            usage();
            return 64;
        }
    }
    if (channels < NAMED || channels > 1000000 || cycles < 1 || cycles > 100000 ||
        runs < 1 || runs > MAX_RUNS) {
        usage();
        return 64;
    }
    if (build_view((size_t)channels) != 0) {
        fprintf(stderr, "bench_alarm: out of memory\n");
        return 1;
    }

    /* The reference: median of as many passes as there are timed cycles. */
    double *ref = calloc((size_t)cycles, sizeof *ref);
    if (!ref) {
        fprintf(stderr, "bench_alarm: out of memory\n");
        return 1;
    }
    reference_pass();
    for (int i = 0; i < cycles; i++) {
        double t0 = cpu_us();
        reference_pass();
        ref[i] = cpu_us() - t0;
    }
    double ref_us = median_of(ref, (size_t)cycles);
    free(ref);

    printf("Alarm checks over %ld channels, one check interval (1 s) a cycle: "
           "alarm_sample_take + alarm_engine_update,\n", channels);
    printf("thread CPU us, first cycle median of %d engines, steady median of %d cycles; "
           "no threshold crossed\n", runs, cycles);
    printf("reference: one pass reading every channel's stored, delivered, failed and "
           "attempted messages: %.1f us (%.2f ns/channel)\n",
           ref_us, ref_us * 1000 / (double)channels);
    printf("%-31s %6s %9s %9s %8s %6s %8s %7s %6s %9s %6s\n", "alarms", "rows", "first us",
           "steady us", "best us", "take %", "ns/row", "x ref", "% 1 s", "RSS B/row",
           "events");
    fflush(stdout);

    struct result *res = mmap(NULL, MAX_RUNS * sizeof *res, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED) {
        fprintf(stderr, "bench_alarm: mmap: out of memory\n");
        return 1;
    }
    int rc = 0;
    for (int s = 0; s < SET_COUNT; s++) {
        if (measure_set((enum set)s, cycles, runs, ref_us, res) != 0) {
            fprintf(stderr, "bench_alarm: %s: failed\n", set_names[s]);
            rc = 1;
        }
    }
    printf("(windowed rows measured with full windows: %d s / %d s + 2 samples each)\n",
           WINDOW_S, INTERVAL_S);
    free(chans);
    free(groups);
    return rc;
}
