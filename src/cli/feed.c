/*
 * feed.c - `mtamon feed`: follow an MTA log and count its records in the
 * segment, for MTAs that cannot link libmtamon.
 *
 * The follower (src/feed/follow.c) or the journal source
 * (src/feed/journal.c) hands over lines, the format's parser
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
#include "journal.h"
#include "log.h"
#include "signals.h"
#include "sink.h"

void cli_feed_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon [--segment NAME] feed --format sunmta|postfix|exim|sendmail\n"
            "                   [--state FILE] [--from-start] [--once] [--stats] FILE|-\n"
            "       mtamon [--segment NAME] feed --format FORMAT --journal\n"
            "                   [--journal-directory DIR] [--unit UNIT]... [--identifier ID]...\n"
            "                   [--state FILE] [--from-start] [--once] [--stats]\n"
            "Follow FILE like tail -F (or read standard input for '-'), or the systemd\n"
            "journal, and count each record in the counter segment.  See mtamon(1).\n");
}

/* Everything one line passes through. */
struct feed_run {
    const struct feed_format *format;
    void *parser;
    struct feed_sink *sink;
    struct feed_follower *follower; /* a file or standard input, */
    struct feed_journal *journal;   /* or the journal */
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
    static const struct feed_follow_stats none;
    const struct feed_follow_stats *f = r->follower ? feed_follower_stats(r->follower) : &none;
    const struct feed_journal_stats *js = r->journal ? feed_journal_stats(r->journal) : NULL;
    const struct feed_sink_stats *s = feed_sink_stats(r->sink);
    uint64_t lines = js ? js->lines : f->lines, too_long = js ? js->too_long : f->too_long;
    fprintf(out,
            "lines %llu\ncounted %llu\nknown %llu\nskipped %llu\nunparsed %llu\n"
            "too_long %llu\nevents %llu\nevent_errors %llu\nrotations %llu\n"
            "truncations %llu\nunknown_closes %llu\nreattached %llu\n",
            (unsigned long long)(lines + too_long),
            (unsigned long long)r->result[FEED_LINE_COUNTED],
            (unsigned long long)r->result[FEED_LINE_KNOWN],
            (unsigned long long)r->result[FEED_LINE_SKIPPED],
            (unsigned long long)r->result[FEED_LINE_UNPARSED],
            (unsigned long long)too_long, (unsigned long long)s->events,
            (unsigned long long)s->event_errors, (unsigned long long)f->rotations,
            (unsigned long long)f->truncations, (unsigned long long)s->unknown_closes,
            (unsigned long long)s->reattached);
    if (js)
        fprintf(out,
                "journal_entries %llu\njournal_files %llu\njournal_unreadable %llu\n"
                "journal_unmatched %llu\njournal_cursor_lost %llu\n",
                (unsigned long long)js->entries, (unsigned long long)js->files,
                (unsigned long long)js->unreadable, (unsigned long long)js->unmatched,
                (unsigned long long)js->cursor_lost);
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
    struct feed_journal_opts journal;
    int use_journal;
    const struct feed_format *format;
    int stats;
    int help;
    const char *units[64];
    const char *identifiers[64];
};

/* Add @p value to a --unit or --identifier list; EX_OK or a usage error. */
static int add_match(const char **list, size_t *n, const char *opt, const char *value)
{
    if (value[0] == '\0' || strchr(value, '=') || strchr(value, '\n'))
        return cli_usage_error(cli_feed_usage, "feed: %s needs a name without '=' or a newline",
                               opt);
    if (*n == 64)
        return cli_usage_error(cli_feed_usage, "feed: at most 64 of %s", opt);
    list[(*n)++] = value;
    return EX_OK;
}

/* The options and the FILE of `mtamon feed` into @p o; EX_OK or a usage
 * error (printed). */
static int feed_parse_options(int argc, char **argv, struct feed_options *o)
{
    enum { OPT_FORMAT = 256, OPT_STATE, OPT_FROM_START, OPT_ONCE, OPT_STATS, OPT_JOURNAL,
           OPT_JOURNAL_DIR, OPT_UNIT, OPT_IDENTIFIER };
    static const struct option longopts[] = {
        { "format", required_argument, NULL, OPT_FORMAT },
        { "state", required_argument, NULL, OPT_STATE },
        { "from-start", no_argument, NULL, OPT_FROM_START },
        { "once", no_argument, NULL, OPT_ONCE },
        { "stats", no_argument, NULL, OPT_STATS },
        { "journal", no_argument, NULL, OPT_JOURNAL },
        { "journal-directory", required_argument, NULL, OPT_JOURNAL_DIR },
        { "unit", required_argument, NULL, OPT_UNIT },
        { "identifier", required_argument, NULL, OPT_IDENTIFIER },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *format_name = NULL;
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_FORMAT: format_name = optarg; break;
        case OPT_STATE: o->follow.state_path = optarg; break;
        case OPT_FROM_START: o->follow.from_start = 1; break;
        case OPT_ONCE: o->follow.once = 1; break;
        case OPT_STATS: o->stats = 1; break;
        case OPT_JOURNAL: o->use_journal = 1; break;
        case OPT_JOURNAL_DIR:
            if (optarg[0] == '\0')
                return cli_usage_error(cli_feed_usage, "feed: --journal-directory needs a directory");
            o->journal.directory = optarg;
            o->use_journal = 1;
            break;
        case OPT_UNIT:
            if ((rc = add_match(o->units, &o->journal.n_units, "--unit", optarg)) != EX_OK)
                return rc;
            break;
        case OPT_IDENTIFIER:
            if ((rc = add_match(o->identifiers, &o->journal.n_identifiers, "--identifier",
                                optarg)) != EX_OK)
                return rc;
            break;
        case 'h': o->help = 1; return EX_OK;
        default: return cli_option_error(cli_feed_usage, "feed", c, argv);
        }
    }
    if (!format_name)
        return cli_usage_error(cli_feed_usage, "feed: --format is required");
    o->format = feed_format_find(format_name);
    if (!o->format)
        return cli_usage_error(cli_feed_usage,
                               "feed: unknown format '%s' (sunmta, postfix, exim or sendmail)",
                               format_name);
    if (o->follow.state_path && o->follow.state_path[0] == '\0')
        return cli_usage_error(cli_feed_usage, "feed: --state needs a file name");
    if (o->use_journal) {
        if (optind != argc)
            return cli_usage_error(cli_feed_usage, "feed: no FILE with --journal");
        o->journal.units = o->units;
        o->journal.identifiers = o->identifiers;
        o->journal.state_path = o->follow.state_path;
        o->journal.from_start = o->follow.from_start;
        o->journal.once = o->follow.once;
        o->journal.message_only = o->format->message_only;
        return EX_OK;
    }
    if (o->journal.n_units || o->journal.n_identifiers)
        return cli_usage_error(cli_feed_usage, "feed: --unit and --identifier need --journal");
    if (optind != argc - 1)
        return cli_usage_error(cli_feed_usage, optind == argc
                               ? "feed: FILE (or '-') is missing"
                               : "feed: only one FILE may be given");
    o->follow.path = argv[optind];
    if (o->follow.path[0] == '\0')
        return cli_usage_error(cli_feed_usage, "feed: FILE must not be empty");
    return EX_OK;
}

/* Follow until the end or a stop signal, saying why it stopped. */
static int feed_follow(struct feed_run *r, char *err, size_t errlen)
{
    struct feed_follow_hooks hooks = {
        .line = on_line, .ctx = r, .tick = on_tick,
        .stop = signals_stop_flag(),
    };
    int status = r->journal ? feed_journal_run(r->journal, &hooks, err, errlen)
                            : feed_follower_run(r->follower, &hooks, err, errlen);
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
    status = o.use_journal ? feed_journal_open(&o.journal, &r.journal, err, sizeof err)
                           : feed_follower_open(&o.follow, &r.follower, err, sizeof err);
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
        feed_journal_close(r.journal);
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
    feed_journal_close(r.journal);
    mtamon_close(m);
    return status;
}
