/*
 * simulate.c - `mtamon simulate`: realistic, repeatable mail traffic
 * written through libmtamon, for demos, tests and benchmarks.
 *
 * The model, a small MTA, is sim_model.c, its random numbers sim_rng.c;
 * this file holds the options and the run.  Each step writes exactly one
 * event, so --events N writes N events; the open associations are always
 * closed before the budget runs out.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "sim_model.h"

/* ------------------------------------------------------------------------ */
/* Running                                                                   */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a signal must cut a sleep short. */
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -1;
    return 0;
}

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double secs)
{
    struct timespec ts;
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL); /* EINTR: a signal; the loop checks it */
}

struct sim_options {
    uint64_t events;  /* budget; UINT64_MAX = until the duration ends */
    double duration;  /* seconds, 0 = no limit */
    double rate;      /* events per second, 0 = as fast as possible */
    uint64_t seed;
    int create;
};

/* Write events until the budget, the duration or a signal ends the run. */
static mtamon_result sim_run(struct sim *s, const struct sim_options *o)
{
    double start = monotonic_seconds();
    while (s->total < o->events && !stop_requested) {
        uint64_t due = o->events;
        double elapsed = monotonic_seconds() - start;
        if (o->duration > 0.0 && elapsed >= o->duration)
            break;
        if (o->rate > 0.0) {
            double want = o->rate * elapsed;
            due = want < (double)o->events ? (uint64_t)want : o->events;
        }
        /* A batch; check for signals every few thousand events. */
        for (unsigned n = 0; s->total < due && n < 4096 && !stop_requested; n++) {
            mtamon_result rc = sim_model_step(s, o->events - s->total);
            if (rc != MTAMON_OK)
                return rc;
        }
        if (o->rate > 0.0 && s->total >= due) {
            double next = (double)(s->total + 1) / o->rate - elapsed;
            sleep_seconds(next > 0.1 ? 0.1 : next < 0.001 ? 0.001 : next);
        }
    }
    /* Stopped early (signal, duration): leave no association open. */
    return sim_model_close_sessions(s);
}

static void print_summary(const struct sim *s, const char *segment, uint64_t seed)
{
    printf("simulated %llu events on %s (seed %llu):",
           (unsigned long long)s->total, segment, (unsigned long long)seed);
    for (int e = 0; e < EV_COUNT; e++)
        printf(" %s=%llu", sim_model_event_names[e], (unsigned long long)s->events[e]);
    printf("; %u messages left queued; reattached=%llu\n",
           (unsigned)sim_model_queued(s),
           (unsigned long long)mtamon_reattached(s->m));
}

void cli_simulate_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon [--segment NAME] simulate [--events N] [--duration SECONDS]\n"
            "                                [--rate EVENTS_PER_SEC] [--seed N] [--create]\n"
            "\n"
            "  --events N        write N events and stop (default 10000; with\n"
            "                    --duration: no limit)\n"
            "  --duration SECS   run that long at --rate, then stop\n"
            "  --rate N          events per second (default 1000 with --duration)\n"
            "  --seed N          random seed: the same seed writes the same traffic\n"
            "  --create          create the segment if it does not exist\n");
}

static int parse_options(int argc, char **argv, struct sim_options *o)
{
    static const struct option opts[] = {
        {"events", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 'd'},
        {"rate", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},
        {"create", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int have_events = 0, have_rate = 0;
    int c, rc;
    optind = 0; /* full getopt re-initialisation (GNU) */
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_number_uint(optarg, 0, UINT64_MAX - 1, &o->events) != 0)
                return cli_usage_error(cli_simulate_usage,
                                       "--events must be a count, not '%s'", optarg);
            have_events = 1;
            break;
        case 'd':
            if (cli_parse_positive(optarg, &o->duration) != 0)
                return cli_usage_error(cli_simulate_usage,
                                       "--duration must be seconds > 0, not '%s'", optarg);
            break;
        case 'r':
            if (cli_parse_positive(optarg, &o->rate) != 0)
                return cli_usage_error(cli_simulate_usage,
                                       "--rate must be events per second > 0, not '%s'",
                                       optarg);
            have_rate = 1;
            break;
        case 's':
            if (parse_number_uint(optarg, 0, UINT64_MAX, &o->seed) != 0)
                return cli_usage_error(cli_simulate_usage,
                                       "--seed must be a number, not '%s'", optarg);
            break;
        case 'c':
            o->create = 1;
            break;
        case 'h':
            cli_simulate_usage(stdout);
            return -1;
        default:
            return cli_option_error(cli_simulate_usage, "simulate", c, argv);
        }
    }
    if ((rc = cli_no_arguments(cli_simulate_usage, "simulate", argc, argv)) != EX_OK)
        return rc;
    if (!have_events)
        o->events = o->duration > 0.0 ? UINT64_MAX : 10000;
    if (o->duration > 0.0 && !have_rate)
        o->rate = 1000.0;
    return EX_OK;
}

/* Open the segment and register the model's channels. */
static int sim_open(struct sim *s, const char *segment, int create)
{
    struct mtamon_error err = {MTAMON_OK, ""};
    s->m = mtamon_open(segment, create ? MTAMON_OPEN_CREATE : 0, NULL, &err);
    if (!s->m)
        return cli_report(&err);
    for (int c = 0; c < CH_COUNT; c++) {
        if (mtamon_channel(s->m, sim_model_channel_names[c], &s->ch[c], &err) != MTAMON_OK) {
            mtamon_close(s->m);
            s->m = NULL;
            return cli_report(&err);
        }
    }
    return EX_OK;
}

int cli_simulate(const char *segment, int argc, char **argv)
{
    struct sim_options o = {0, 0.0, 0.0, 1, 0};
    int status = parse_options(argc, argv, &o);
    if (status < 0)
        return EX_OK; /* --help */
    if (status != EX_OK)
        return status;

    struct sim *s = calloc(1, sizeof *s);
    if (!s) {
        cli_errorf("out of memory");
        return EX_OSERR;
    }
    sim_rng_seed(&s->rng, o.seed);
    status = sim_open(s, segment, o.create);
    if (status != EX_OK) {
        free(s);
        return status;
    }
    if (install_signals() != 0) {
        cli_errorf("cannot install signal handlers: %s", strerror(errno));
        mtamon_close(s->m);
        free(s);
        return EX_OSERR;
    }

    mtamon_result rc = sim_run(s, &o);
    if (rc != MTAMON_OK) {
        /* Only a channel that stopped being valid gets here: the segment
         * was damaged under us. */
        cli_errorf("simulate: writing an event to %s failed: %s",
                   mtamon_segment_name(segment), mtamon_strerror(rc));
        status = EX_SOFTWARE;
    }
    print_summary(s, mtamon_segment_name(segment), o.seed);
    mtamon_close(s->m);
    free(s);
    return status;
}
