/*
 * feed.c - `mtamon feed`: follow an MTA log and count its records in the
 * segment, for MTAs that cannot link libmtamon.
 *
 * The follower (src/feed/follow.c) hands over lines, the format's parser
 * turns each into events, the sink (src/feed/sink.c) turns those into
 * libmtamon calls.  This file wires them together, handles the signals
 * and prints the statistics.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "feed.h"
#include "follow.h"
#include "log.h"
#include "signals.h"
#include "sink.h"

void cli_feed_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon [--segment NAME] feed --format sunmta|postfix|sendmail\n"
            "                   [--state FILE] [--from-start] [--once] [--stats] FILE|-\n"
            "Follow FILE like tail -F (or read standard input for '-') and count\n"
            "each record in the counter segment.  See mtamon(1).\n");
}

/* Everything one line passes through. */
struct feed_run {
    const struct feed_format *format;
    void *parser;
    struct feed_sink *sink;
    struct feed_follower *follower;
    uint64_t result[4]; /* by enum feed_line_result */
};

static void on_line(void *ctx, const char *line, size_t len)
{
    struct feed_run *r = ctx;
    enum feed_line_result res = r->format->parse(r->parser, line, len,
                                                 feed_sink_emit, r->sink);
    if ((unsigned)res < 4)
        r->result[res]++;
}

static void print_stats(FILE *out, const struct feed_run *r)
{
    const struct feed_follow_stats *f = feed_follower_stats(r->follower);
    const struct feed_sink_stats *s = feed_sink_stats(r->sink);
    fprintf(out,
            "lines %llu\ncounted %llu\nknown %llu\nskipped %llu\nunparsed %llu\n"
            "too_long %llu\nevents %llu\nevent_errors %llu\nrotations %llu\n"
            "truncations %llu\nunknown_closes %llu\nreattached %llu\n",
            (unsigned long long)(f->lines + f->too_long),
            (unsigned long long)r->result[FEED_LINE_COUNTED],
            (unsigned long long)r->result[FEED_LINE_KNOWN],
            (unsigned long long)r->result[FEED_LINE_SKIPPED],
            (unsigned long long)r->result[FEED_LINE_UNPARSED],
            (unsigned long long)f->too_long, (unsigned long long)s->events,
            (unsigned long long)s->event_errors, (unsigned long long)f->rotations,
            (unsigned long long)f->truncations, (unsigned long long)s->unknown_closes,
            (unsigned long long)s->reattached);
    fflush(out);
}

/* Signals other than TERM and INT (signals.h), between two reads: USR1
 * prints the statistics, any other is said and ignored (HUP too: the
 * feed follows rotations by itself). */
static void on_tick(void *ctx)
{
    char name[SIGNALS_NAME_MAX];
    int sig;
    while ((sig = signals_take()) != 0) {
        if (sig == SIGUSR1)
            print_stats(stderr, ctx);
        else
            cli_errorf("feed: %s received: ignored", signals_name(sig, name));
    }
}

/* What `mtamon feed` was asked for. */
struct feed_options {
    struct feed_follow_opts follow;
    const struct feed_format *format;
    int stats;
    int help;
};

/* The options and the FILE of `mtamon feed` into @p o; EX_OK or a usage
 * error (printed). */
static int feed_parse_options(int argc, char **argv, struct feed_options *o)
{
    enum { OPT_FORMAT = 256, OPT_STATE, OPT_FROM_START, OPT_ONCE, OPT_STATS };
    static const struct option longopts[] = {
        { "format", required_argument, NULL, OPT_FORMAT },
        { "state", required_argument, NULL, OPT_STATE },
        { "from-start", no_argument, NULL, OPT_FROM_START },
        { "once", no_argument, NULL, OPT_ONCE },
        { "stats", no_argument, NULL, OPT_STATS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *format_name = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_FORMAT: format_name = optarg; break;
        case OPT_STATE: o->follow.state_path = optarg; break;
        case OPT_FROM_START: o->follow.from_start = 1; break;
        case OPT_ONCE: o->follow.once = 1; break;
        case OPT_STATS: o->stats = 1; break;
        case 'h': o->help = 1; return EX_OK;
        default: return cli_option_error(cli_feed_usage, "feed", c, argv);
        }
    }
    if (!format_name)
        return cli_usage_error(cli_feed_usage, "feed: --format is required");
    o->format = feed_format_find(format_name);
    if (!o->format)
        return cli_usage_error(cli_feed_usage,
                               "feed: unknown format '%s' (sunmta, postfix or sendmail)",
                               format_name);
    if (optind != argc - 1)
        return cli_usage_error(cli_feed_usage, optind == argc
                               ? "feed: FILE (or '-') is missing"
                               : "feed: only one FILE may be given");
    o->follow.path = argv[optind];
    if (o->follow.path[0] == '\0')
        return cli_usage_error(cli_feed_usage, "feed: FILE must not be empty");
    if (o->follow.state_path && o->follow.state_path[0] == '\0')
        return cli_usage_error(cli_feed_usage, "feed: --state needs a file name");
    return EX_OK;
}

/* Follow until the end or a stop signal, saying why it stopped. */
static int feed_follow(struct feed_run *r, char *err, size_t errlen)
{
    struct feed_follow_hooks hooks = {
        .line = on_line, .ctx = r, .tick = on_tick,
        .stop = signals_stop_flag(),
    };
    int status = feed_follower_run(r->follower, &hooks, err, errlen);
    if (status != EX_OK)
        cli_errorf("%s", err);
    if (signals_stop_requested()) {
        char name[SIGNALS_NAME_MAX];
        cli_errorf("feed: stopping on %s (exit status %d)",
                   signals_name(signals_stop_requested(), name), status);
    }
    return status;
}

int cli_feed(const char *segment, int argc, char **argv)
{
    struct feed_options o = { .follow = { 0 } };
    int status = feed_parse_options(argc, argv, &o);
    if (status != EX_OK || o.help) {
        if (o.help)
            cli_feed_usage(stdout);
        return status;
    }

    char err[768];
    struct feed_run r = { .format = o.format };
    status = feed_follower_open(&o.follow, &r.follower, err, sizeof err);
    if (status == EX_USAGE)
        return cli_usage_error(cli_feed_usage, "feed: %s", err);
    if (status != EX_OK) {
        cli_errorf("%s", err);
        return status;
    }

    struct mtamon_error merr;
    mtamon_t *m = mtamon_open(mtamon_segment_name(segment), MTAMON_OPEN_CREATE, NULL, &merr);
    if (!m) {
        feed_follower_close(r.follower);
        return cli_report(&merr);
    }
    r.parser = o.format->create();
    r.sink = feed_sink_create(m);
    /* No SA_RESTART (signals.h): a blocked read of stdin wakes up. */
    if (!r.parser || !r.sink || signals_init() != 0) {
        cli_errorf("feed: cannot start: out of memory or signals unavailable");
        status = EX_OSERR;
    } else {
        status = feed_follow(&r, err, sizeof err);
        if (o.stats)
            print_stats(stdout, &r);
    }
    feed_sink_destroy(r.sink);
    if (r.parser)
        o.format->destroy(r.parser);
    feed_follower_close(r.follower);
    mtamon_close(m);
    return status;
}
