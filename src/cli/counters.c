/*
 * counters.c - `mtamon counters create|show|clear|delete`, also spelled
 * the Sun way (`counters -show -noheaders -output=FILE`, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "interval.h"

void cli_counters_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon [--segment NAME] counters create [--capacity N] [--assoc-capacity N]\n"
            "                                               [--group GROUP] [--mode MODE]\n"
            "       mtamon [--segment NAME] counters show [--json] [--all] [--block-size BYTES]\n"
            "                                             [--no-headers] [--no-channels]\n"
            "                                             [--no-associations] [--output FILE]\n"
            "                                             [CHANNEL ...]\n"
            "       mtamon [--segment NAME] counters show --interval SECONDS [--count N]\n"
            "                                             [--json] [--no-headers] [CHANNEL ...]\n"
            "       mtamon [--segment NAME] counters clear\n"
            "       mtamon [--segment NAME] counters delete [--force]\n"
            "\n"
            "  GROUP is a group name or number, MODE octal permission bits (0660).\n"
            "  CHANNEL is a shell pattern (fnmatch), e.g. 'tcp_*'.\n"
            "  --interval (-i) SECONDS: a line per channel with the rates per second,\n"
            "  every SECONDS, --count N times or until interrupted (--json: JSON Lines).\n"
            "  Sun Messaging Server spellings are accepted as well: -create, -show,\n"
            "  -clear, -delete, -max_channels=N, -[no]headers, -[no]channels,\n"
            "  -[no]associations, -output=FILE.\n");
}

/* ------------------------------------------------------------------------ */
/* create                                                                    */

enum { OPT_GROUP = 256, OPT_MODE };

static const char create_shortopts[] = ":h";
static const struct option create_opts[] = {
    {"capacity", required_argument, NULL, 'c'},
    {"assoc-capacity", required_argument, NULL, 'a'},
    {"group", required_argument, NULL, OPT_GROUP},
    {"mode", required_argument, NULL, OPT_MODE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const struct sun_option create_sun[] = {
    {"max_channels", "--capacity", 1},
    {NULL, NULL, 0},
};

static int counters_create(const char *segment, int argc, char **argv)
{
    struct mtamon_create_params params = {0};
    uint64_t v = 0;
    int c, rc;
    while ((c = getopt_long(argc, argv, create_shortopts, create_opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (parse_number_uint(optarg, 1, MTAMON_MAX_CHANNELS, &v) != 0)
                return cli_usage_error(cli_counters_usage,
                                       "--capacity must be 1..%u, not '%s'",
                                       MTAMON_MAX_CHANNELS, optarg);
            params.channel_capacity = (uint32_t)v;
            break;
        case 'a':
            if (parse_number_uint(optarg, 1, MTAMON_MAX_ASSOCS, &v) != 0)
                return cli_usage_error(cli_counters_usage,
                                       "--assoc-capacity must be 1..%u, not '%s'",
                                       MTAMON_MAX_ASSOCS, optarg);
            params.assoc_capacity = (uint32_t)v;
            break;
        case OPT_GROUP: {
            int status = owner_parse_group(optarg, &params.gid);
            if (status != EX_OK)
                return status;
            params.flags |= MTAMON_CREATE_SET_GROUP;
            break;
        }
        case OPT_MODE:
            if (owner_parse_mode(optarg, &params.mode) != 0)
                return cli_usage_error(cli_counters_usage,
                                       "--mode must be octal permission bits such as "
                                       "0660 or 0640, not '%s'", optarg);
            if (params.mode == 0) /* to the library, 0 means "default" */
                return cli_usage_error(cli_counters_usage,
                                       "--mode %s: the owner needs read and write", optarg);
            break;
        case 'h':
            cli_counters_usage(stdout);
            return EX_OK;
        default:
            return cli_option_error(cli_counters_usage, "counters create", c, argv);
        }
    }
    if ((rc = cli_no_arguments(cli_counters_usage, "counters create", argc, argv)) != EX_OK)
        return rc;

    struct mtamon_error err = {MTAMON_OK, ""};
    mtamon_t *m = mtamon_open(segment, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, &params, &err);
    if (!m)
        return cli_report(&err);
    mtamon_close(m);
    char group[128] = "";
    if (params.flags & MTAMON_CREATE_SET_GROUP)
        owner_group_text(params.gid, group, sizeof group);
    printf("created segment %s (%u channels, %u associations, mode %04o%s)\n",
           mtamon_segment_name(segment),
           params.channel_capacity ? params.channel_capacity : MTAMON_DEFAULT_CHANNELS,
           params.assoc_capacity ? params.assoc_capacity : MTAMON_DEFAULT_ASSOCS,
           params.mode ? (unsigned)params.mode : 0660u, group);
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* show                                                                      */

/*
 * Mark the channels matching any of @p patterns in @p selected (one flag per
 * snapshot channel).  Each pattern that matches nothing is reported.
 * Returns EX_OK or CLI_EXIT_NOMATCH.
 */
static int select_channels(const struct mtamon_snapshot *snap, char **patterns,
                           int n_patterns, unsigned char *selected)
{
    int status = EX_OK;
    for (int p = 0; p < n_patterns; p++) {
        int matched = 0;
        for (uint32_t i = 0; i < snap->n_channels; i++) {
            if (fnmatch(patterns[p], snap->channels[i].name, 0) == 0) {
                selected[i] = 1;
                matched = 1;
            }
        }
        if (!matched) {
            cli_errorf("no channel matches '%s'", patterns[p]);
            status = CLI_EXIT_NOMATCH;
        }
    }
    return status;
}

enum {
    OPT_HEADERS = 256, OPT_NO_HEADERS, OPT_CHANNELS, OPT_NO_CHANNELS,
    OPT_ASSOCIATIONS, OPT_NO_ASSOCIATIONS, OPT_OUTPUT
};

/* -i for --interval, but no -n for --count: "-noheaders" and the other
 * Sun words, and a mistyped one, must not read as "-n oheaders". */
static const char show_shortopts[] = ":hi:";
static const struct option show_opts[] = {
    INTERVAL_LONGOPTS,
    {"json", no_argument, NULL, 'j'},
    {"all", no_argument, NULL, 'a'},
    {"block-size", required_argument, NULL, 'b'},
    {"headers", no_argument, NULL, OPT_HEADERS},
    {"no-headers", no_argument, NULL, OPT_NO_HEADERS},
    {"channels", no_argument, NULL, OPT_CHANNELS},
    {"no-channels", no_argument, NULL, OPT_NO_CHANNELS},
    {"associations", no_argument, NULL, OPT_ASSOCIATIONS},
    {"no-associations", no_argument, NULL, OPT_NO_ASSOCIATIONS},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const struct sun_option show_sun[] = {
    {"associations", "--associations", 0},
    {"noassociations", "--no-associations", 0},
    {"channels", "--channels", 0},
    {"nochannels", "--no-channels", 0},
    {"headers", "--headers", 0},
    {"noheaders", "--no-headers", 0},
    {"output", "--output", 1},
    {NULL, NULL, 0},
};

/*
 * Print the report into @p path (created 0644, or truncated), or on
 * standard output when @p path is NULL.  Returns EX_OK or an exit status
 * after a message.
 */
static int show_print(const char *path, int json, const struct mtamon_snapshot *snap,
                      const struct show_request *req)
{
    FILE *out = stdout;
    if (path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0) {
            cli_errorf("cannot create output file %s: %s", path, strerror(errno));
            return EX_CANTCREAT;
        }
        out = fdopen(fd, "w");
        if (!out) {
            cli_errorf("cannot write output file %s: %s", path, strerror(errno));
            close(fd);
            return EX_OSERR;
        }
    }
    int written = json ? show_json(out, snap, req) : show_text(out, snap, req);
    int e = errno;
    if (path && fclose(out) != 0 && written == 0) {
        e = errno;
        written = -1;
    }
    if (written != 0) {
        if (path)
            cli_errorf("error writing to %s: %s", path, strerror(e));
        else
            cli_errorf("error writing to standard output");
        return EX_IOERR;
    }
    return EX_OK;
}

/* What `counters show` was asked for, besides the show_request. */
struct show_options {
    int json;
    const char *output;    /* NULL: standard output */
    int help;
    struct interval_options interval;
    const char *full_only; /* an option of the full layout only, or NULL */
};

/* The options of `counters show` into @p req and @p o; EX_OK or a usage
 * error (printed). */
static int show_parse_options(int argc, char **argv, struct show_request *req,
                              struct show_options *o)
{
    int c;
    int rc;
    while ((c = getopt_long(argc, argv, show_shortopts, show_opts, NULL)) != -1) {
        switch (c) {
        case 'i':
        case 'n':
            if ((rc = interval_option_usage(&o->interval, c, optarg, cli_counters_usage,
                                            "counters show")) != EX_OK)
                return rc;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'a':
            req->all = 1;
            o->full_only = "--all";
            break;
        case 'b':
            o->full_only = "--block-size";
            if (parse_number_uint(optarg, 1, UINT32_MAX, &req->block_size) != 0)
                return cli_usage_error(cli_counters_usage,
                                       "--block-size must be a number of bytes "
                                       "1..%u, not '%s'", UINT32_MAX, optarg);
            break;
        case OPT_HEADERS:
        case OPT_NO_HEADERS:
            req->headers = c == OPT_HEADERS;
            break;
        case OPT_CHANNELS:
        case OPT_NO_CHANNELS:
            req->channels = c == OPT_CHANNELS;
            if (c == OPT_NO_CHANNELS)
                o->full_only = "--no-channels";
            break;
        case OPT_ASSOCIATIONS:
        case OPT_NO_ASSOCIATIONS:
            req->associations = c == OPT_ASSOCIATIONS;
            if (c == OPT_NO_ASSOCIATIONS)
                o->full_only = "--no-associations";
            break;
        case OPT_OUTPUT:
            o->full_only = "--output";
            if (optarg[0] == '\0')
                return cli_usage_error(cli_counters_usage,
                                       "counters show: --output needs a file name");
            o->output = optarg;
            break;
        case 'h':
            o->help = 1;
            return EX_OK;
        default:
            return cli_option_error(cli_counters_usage, "counters show", c, argv);
        }
    }
    if ((rc = interval_check_usage(&o->interval, cli_counters_usage, "counters show")) != EX_OK)
        return rc;
    /* The compact layout has no blocks, association lines or file. */
    if (o->interval.interval_ms && o->full_only)
        return cli_usage_error(cli_counters_usage,
                               "counters show: %s has no effect on the --interval layout",
                               o->full_only);
    if (o->interval.interval_ms)
        return EX_OK;   /* --json --no-headers: no headings to leave out */
    /* The JSON object always has every part: leaving some out is refused
     * rather than silently ignored. */
    if (o->json && !(req->headers && req->channels && req->associations))
        return cli_usage_error(cli_counters_usage,
                               "counters show: --json cannot be combined with %s",
                               !req->headers ? "--no-headers"
                               : !req->channels ? "--no-channels" : "--no-associations");
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* show --interval                                                           */

/* What `counters show --interval` keeps from one report to the next. */
struct watch {
    const char *segment;        /* resolved name */
    mtamon_reader *r;
    struct mtamon_snapshot snap[2];
    int cur;                    /* snap[cur] takes the next copy */
    int have_before;            /* snap[!cur] holds the last report's */
    int deleted;                /* the segment is gone */
    char **patterns;
    int n_patterns;
    unsigned char *warned;      /* per pattern: said it matched nothing */
    int json;
    int headers;
    int name_w;                 /* the channel column's width so far */
};

/* The channels of @p snap the patterns select, into *@p selected (NULL:
 * all; else to free()).  A pattern that matches nothing is said once.
 * Returns EX_OK, CLI_EXIT_NOMATCH, or EX_OSERR. */
static int watch_select(struct watch *w, const struct mtamon_snapshot *snap,
                        unsigned char **selected)
{
    *selected = NULL;
    if (w->n_patterns == 0)
        return EX_OK;
    *selected = calloc(snap->n_channels ? snap->n_channels : 1, 1);
    if (!*selected) {
        cli_errorf("out of memory");
        return EX_OSERR;
    }
    int status = EX_OK;
    for (int p = 0; p < w->n_patterns; p++) {
        int matched = 0;
        for (uint32_t i = 0; i < snap->n_channels; i++)
            if (fnmatch(w->patterns[p], snap->channels[i].name, 0) == 0)
                (*selected)[i] = matched = 1;
        if (!matched) {
            if (!w->warned[p])
                cli_errorf("no channel matches '%s'", w->patterns[p]);
            w->warned[p] = 1;
            status = CLI_EXIT_NOMATCH;
        }
    }
    return status;
}

static int watch_wanted(const struct watch *w, const char *name)
{
    for (int p = 0; p < w->n_patterns; p++)
        if (fnmatch(w->patterns[p], name, 0) == 0)
            return 1;
    return w->n_patterns == 0;
}

static int watch_print(const struct watch *w, const struct show_interval_report *rep,
                       int *name_w)
{
    return w->json ? show_interval_json(stdout, rep) : show_interval_text(stdout, rep, name_w);
}

static int watch_report(void *ctx, const struct interval_tick *t, int *status)
{
    struct watch *w = ctx;
    struct mtamon_snapshot *now = &w->snap[w->cur];
    const struct mtamon_snapshot *before = w->have_before ? &w->snap[!w->cur] : NULL;
    struct show_interval_report rep;
    memset(&rep, 0, sizeof rep);
    rep.segment = w->segment;
    rep.number = t->number;
    rep.wall_ms = t->wall_ms;
    rep.elapsed_ms = t->elapsed_ms;
    rep.headers = w->headers;

    struct mtamon_error err = {MTAMON_OK, ""};
    int restarted = 0;
    mtamon_result rc = mtamon_snapshot_take(w->r, 0, now, &restarted, &err);
    if (rc == MTAMON_ERR_STALE) {
        /* Deleted: say so (text: once), and wait for a new one. */
        *status = EX_NOINPUT;
        rep.deleted = 1;
        if ((w->json || !w->deleted) && watch_print(w, &rep, &w->name_w) != 0)
            return -1;
        w->deleted = 1;
        return 0;
    }
    if (rc != MTAMON_OK) {
        *status = cli_report(&err);
        return -1;
    }
    w->deleted = 0;

    unsigned char *selected = NULL;
    struct show_interval_row *rows = calloc(now->n_channels ? now->n_channels : 1,
                                            sizeof *rows);
    char **gone = before ? calloc(before->n_channels ? before->n_channels : 1,
                                  sizeof *gone) : NULL;
    *status = watch_select(w, now, &selected);
    if (*status == EX_OSERR || !rows || (before && !gone)) {
        free(selected);
        free(rows);
        free(gone);
        if (*status != EX_OSERR)
            cli_errorf("out of memory");
        *status = EX_OSERR;
        return -1;
    }
    rep.snap = now;
    rep.selected = selected;
    rep.rows = rows;
    rep.restart = before ? show_interval_restart(before, now, restarted) : NULL;
    if (before && !rep.restart) {
        for (uint32_t i = 0; i < now->n_channels; i++) {
            const struct mtamon_channel_stats *b = show_interval_before(before,
                                                                        &now->channels[i]);
            rows[i].have_rates = show_interval_rates(b, &now->channels[i], t->elapsed_ms,
                                                     rows[i].rates) == 0;
            rows[i].went_down = !rows[i].have_rates;
        }
        for (uint32_t i = 0; i < before->n_channels; i++) {
            const struct mtamon_channel_stats *b = &before->channels[i];
            const struct mtamon_channel_stats *c = cli_channel_by_index(now, b->index);
            if ((!c || show_interval_before(before, c) != b) && watch_wanted(w, b->name))
                gone[rep.n_gone++] = (char *)b->name;
        }
    }
    rep.gone = gone;
    int printed = watch_print(w, &rep, &w->name_w);
    free(selected);
    free(rows);
    free(gone);
    if (printed != 0)
        return -1;
    w->cur = !w->cur;
    w->have_before = 1;
    return 0;
}

/* `counters show --interval ...` with the options @p o, CHANNEL patterns
 * argv[optind..]. */
static int counters_watch(const char *segment, const struct show_request *req,
                          const struct show_options *o, int argc, char **argv)
{
    struct watch w;
    memset(&w, 0, sizeof w);
    w.segment = req->segment;
    w.patterns = argv + optind;
    w.n_patterns = argc - optind;
    w.json = o->json;
    w.headers = req->headers;
    w.warned = calloc((size_t)w.n_patterns + 1, 1);
    if (!w.warned) {
        cli_errorf("out of memory");
        return EX_OSERR;
    }
    struct mtamon_error err = {MTAMON_OK, ""};
    w.r = mtamon_reader_open(segment, &err);
    if (!w.r) {
        free(w.warned);
        return cli_report(&err);
    }
    int status = interval_run(&o->interval, watch_report, &w);
    mtamon_reader_close(w.r);
    mtamon_snapshot_free(&w.snap[0]);
    mtamon_snapshot_free(&w.snap[1]);
    free(w.warned);
    return status;
}

static int counters_show(const char *segment, int argc, char **argv)
{
    struct show_request req = {
        .segment = mtamon_segment_name(segment),
        .block_size = CLI_DEFAULT_BLOCK_SIZE,
        .headers = 1,
        .channels = 1,
        .associations = 1,
    };
    struct show_options o;
    memset(&o, 0, sizeof o);
    int status = show_parse_options(argc, argv, &req, &o);
    if (status != EX_OK || o.help) {
        if (o.help)
            cli_counters_usage(stdout);
        return status;
    }
    if (o.interval.interval_ms)
        return counters_watch(segment, &req, &o, argc, argv);

    struct mtamon_error err = {MTAMON_OK, ""};
    mtamon_reader *r = mtamon_reader_open(segment, &err);
    if (!r)
        return cli_report(&err);
    struct mtamon_snapshot snap;
    memset(&snap, 0, sizeof snap);
    mtamon_result rc = mtamon_snapshot_take(r, 0, &snap, NULL, &err);
    mtamon_reader_close(r);
    if (rc != MTAMON_OK) {
        mtamon_snapshot_free(&snap);
        return cli_report(&err);
    }

    unsigned char *selected = NULL;
    if (optind < argc) {
        selected = calloc(snap.n_channels ? snap.n_channels : 1, 1);
        if (!selected) {
            mtamon_snapshot_free(&snap);
            cli_errorf("out of memory");
            return EX_OSERR;
        }
        status = select_channels(&snap, argv + optind, argc - optind, selected);
        req.selected = selected;
    }
    int printed = show_print(o.output, o.json, &snap, &req);
    free(selected);
    mtamon_snapshot_free(&snap);
    return printed != EX_OK ? printed : status;
}

/* ------------------------------------------------------------------------ */
/* clear                                                                     */

static const char clear_shortopts[] = ":h";
static const struct option clear_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* For commands without options: only --help is accepted. */
static int no_options(const char *what, int argc, char **argv, int *help)
{
    int c;
    *help = 0;
    while ((c = getopt_long(argc, argv, clear_shortopts, clear_opts, NULL)) != -1) {
        if (c != 'h')
            return cli_option_error(cli_counters_usage, what, c, argv);
        *help = 1;
    }
    return cli_no_arguments(cli_counters_usage, what, argc, argv);
}

static int counters_clear(const char *segment, int argc, char **argv)
{
    int help = 0;
    int status = no_options("counters clear", argc, argv, &help);
    if (status != EX_OK || help) {
        if (help)
            cli_counters_usage(stdout);
        return status;
    }
    struct mtamon_error err = {MTAMON_OK, ""};
    mtamon_t *m = mtamon_open(segment, 0, NULL, &err);
    if (!m)
        return cli_report(&err);
    mtamon_result rc = mtamon_clear(m, &err);
    mtamon_close(m);
    if (rc != MTAMON_OK)
        return cli_report(&err);
    printf("cleared segment %s\n", mtamon_segment_name(segment));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* delete                                                                    */

static const char delete_shortopts[] = ":fh";
static const struct option delete_opts[] = {
    {"force", no_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int counters_delete(const char *segment, int argc, char **argv)
{
    int force = 0;
    int c, rc;
    while ((c = getopt_long(argc, argv, delete_shortopts, delete_opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = 1;
            break;
        case 'h':
            cli_counters_usage(stdout);
            return EX_OK;
        default:
            return cli_option_error(cli_counters_usage, "counters delete", c, argv);
        }
    }
    if ((rc = cli_no_arguments(cli_counters_usage, "counters delete", argc, argv)) != EX_OK)
        return rc;

    const char *name = mtamon_segment_name(segment);
    struct mtamon_error err = {MTAMON_OK, ""};
    if (!force) {
        /* Only remove what is really ours: a typo in --segment must not
         * delete another program's shared memory. */
        mtamon_reader *r = mtamon_reader_open(segment, &err);
        if (!r) {
            int status = cli_report(&err);
            if (status == EX_DATAERR)
                cli_errorf("not deleting %s: it is not a valid mtamon segment "
                           "(use --force to delete it anyway)", name);
            return status;
        }
        mtamon_reader_close(r);
    }
    if (mtamon_unlink(segment, &err) != MTAMON_OK)
        return cli_report(&err);
    printf("deleted segment %s\n", name);
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* dispatch                                                                  */

struct subcommand {
    const char *name; /* also accepted with a leading '-' (Sun spelling) */
    int (*run)(const char *segment, int argc, char **argv);
    const char *what;                 /* for messages */
    const char *shortopts;            /* what run() gives getopt_long() */
    const struct option *longopts;
    const struct sun_option *sun;     /* Sun spellings of its options */
};

static const struct subcommand subcommands[] = {
    {"create", counters_create, "counters create", create_shortopts, create_opts,
     create_sun},
    {"show", counters_show, "counters show", show_shortopts, show_opts, show_sun},
    {"clear", counters_clear, "counters clear", clear_shortopts, clear_opts, NULL},
    {"delete", counters_delete, "counters delete", delete_shortopts, delete_opts, NULL},
};

int cli_counters(const char *segment, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(cli_counters_usage, "counters: no subcommand given");
    const char *word = argv[1];
    if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0 ||
        strcmp(word, "help") == 0) {
        cli_counters_usage(stdout);
        return EX_OK;
    }
    const char *bare = word[0] == '-' && word[1] != '-' ? word + 1 : word;
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        const struct subcommand *sc = &subcommands[i];
        if (strcmp(bare, sc->name) != 0)
            continue;
        int sub_argc = 0;
        char **sub_argv = NULL;
        int status = sun_options_translate(sc->what, sc->sun, sc->longopts,
                                           sc->shortopts, argc - 1, argv + 1,
                                           &sub_argc, &sub_argv);
        if (status != EX_OK)
            return status;
        optind = 0; /* full getopt re-initialisation (GNU) */
        status = sc->run(segment, sub_argc, sub_argv);
        free(sub_argv);
        return status;
    }
    return cli_usage_error(cli_counters_usage, "counters: unknown subcommand '%s'", word);
}
