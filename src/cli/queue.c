/*
 * queue.c - `mtamon queue`: scan the configured queues (or one directory
 * named on the command line) once and print a summary per queue, like
 * `imsimta qm summarize`, or JSON.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "interval.h"
#include "mtamon_config.h"
#include "queue_scan.h"

void cli_queue_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon queue [--json] [--interval SECONDS [--count N]] [--config FILE]\n"
            "                    [NAME ...]\n"
            "       mtamon queue [--json] --path DIR [--kind directory|postfix|generic]\n"
            "                    [--glob GLOB] [--depth N] [--name NAME]\n"
            "                    [--postqueue COMMAND] [--postfix-config DIR]\n"
            "\n"
            "Scan the queues of the configuration (default %s), or those\n"
            "called NAME (a queue, or one row of a postfix queue: NAME/deferred), once\n"
            "and print messages, volume, oldest message, next retry and scan time per\n"
            "queue.  --path scans DIR without a configuration (kind directory, glob\n"
            "'*', depth 2 unless given; generic: depth 16; postfix: postqueue\n"
            "/usr/sbin/postqueue when the spool cannot be read, '' for none).\n"
            "--interval (-i) SECONDS scans again every SECONDS, --count (-n) N times or\n"
            "until interrupted: a line per queue with the change of messages per second\n"
            "(--json: one JSON document a line); the exit status is the last scan's.\n"
            "Exit status 0; 1 when a NAME matches nothing; 69 when a queue could not\n"
            "be read; 78 for a bad configuration; 64 for bad arguments.\n",
            CONFIG_DEFAULT_PATH);
}

/* OPT_PATH..OPT_POSTFIX_CONFIG are the ad-hoc queue's options, in one
 * run: parse_options() hands that range to adhoc_option(). */
enum {
    OPT_CONFIG = 256,
    OPT_PATH,
    OPT_KIND,
    OPT_GLOB,
    OPT_DEPTH,
    OPT_NAME,
    OPT_POSTQUEUE,
    OPT_POSTFIX_CONFIG,
};

struct queue_opts {
    int json;
    struct interval_options interval;
    const char *config;         /* NULL: not given */
    struct config_queue adhoc;  /* --path ... */
    int have_adhoc;
    int have_depth;
    int have_postqueue;
};

static int parse_kind(const char *text, enum config_queue_kind *kind)
{
    if (strcmp(text, "directory") == 0)
        *kind = CONFIG_QUEUE_DIRECTORY;
    else if (strcmp(text, "postfix") == 0)
        *kind = CONFIG_QUEUE_POSTFIX;
    else if (strcmp(text, "generic") == 0)
        *kind = CONFIG_QUEUE_GENERIC;
    else
        return -1;
    return 0;
}

static const char *kind_name(enum config_queue_kind kind)
{
    switch (kind) {
    case CONFIG_QUEUE_DIRECTORY: return "directory";
    case CONFIG_QUEUE_POSTFIX: return "postfix";
    case CONFIG_QUEUE_GENERIC: return "generic";
    }
    return "?";
}

/* The last part of @p path, without trailing slashes, cut to a queue name. */
static void base_name(const char *path, char *out, size_t len)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t n = end - start;
    if (n == 0) {
        snprintf(out, len, "/");
        return;
    }
    if (n > CONFIG_NAME_MAX)
        n = CONFIG_NAME_MAX;
    snprintf(out, len, "%.*s", (int)n, path + start);
}

/* An option of the ad-hoc queue (--path and the options that go with it)
 * into o->adhoc; *other set for those that need --path.  EX_OK, or the
 * usage error's status. */
static int adhoc_option(struct queue_opts *o, int c, char *arg, int *other)
{
    struct config_queue *q = &o->adhoc;
    uint64_t depth;

    switch (c) {
    case OPT_PATH:
        if (arg[0] != '/')
            return cli_usage_error(cli_queue_usage,
                                   "queue: --path must be an absolute directory, not '%s'",
                                   arg);
        q->path = arg;
        o->have_adhoc = 1;
        break;
    case OPT_KIND:
        if (parse_kind(arg, &q->kind) != 0)
            return cli_usage_error(cli_queue_usage,
                                   "queue: --kind must be directory, postfix or "
                                   "generic, not '%s'", arg);
        *other = 1;
        break;
    case OPT_GLOB:
        if (!*arg)
            return cli_usage_error(cli_queue_usage, "queue: --glob needs a pattern");
        q->glob = arg;
        *other = 1;
        break;
    case OPT_DEPTH:
        if (parse_number_uint(arg, 0, QUEUE_SCAN_DEPTH_MAX, &depth) != 0)
            return cli_usage_error(cli_queue_usage,
                                   "queue: --depth must be a number 0..%d, not '%s'",
                                   QUEUE_SCAN_DEPTH_MAX, arg);
        q->depth = (unsigned)depth;
        o->have_depth = 1;
        *other = 1;
        break;
    case OPT_NAME:
        if (!*arg || strlen(arg) > CONFIG_NAME_MAX || strchr(arg, '/'))
            return cli_usage_error(cli_queue_usage,
                                   "queue: --name must be 1..%d characters without "
                                   "'/', not '%s'", CONFIG_NAME_MAX, arg);
        q->name = arg;
        *other = 1;
        break;
    case OPT_POSTQUEUE:
        if (*arg && arg[0] != '/')
            return cli_usage_error(cli_queue_usage,
                                   "queue: --postqueue must be an absolute path or "
                                   "'', not '%s'", arg);
        q->postqueue = arg;
        o->have_postqueue = 1;
        *other = 1;
        break;
    case OPT_POSTFIX_CONFIG:
        q->postfix_config = arg;
        *other = 1;
        break;
    }
    return EX_OK;
}

/* The checks once every option is read: --path and what goes with it. */
static int check_adhoc(struct queue_opts *o, int have_other, int n_names)
{
    struct config_queue *q = &o->adhoc;
    if (have_other && !o->have_adhoc)
        return cli_usage_error(cli_queue_usage,
                               "queue: --kind, --glob, --depth, --name, --postqueue and "
                               "--postfix-config go with --path");
    if (o->have_adhoc && (o->config || n_names > 0))
        return cli_usage_error(cli_queue_usage,
                               "queue: --path scans one directory: no --config or NAME "
                               "with it");
    if (o->have_adhoc) {
        if (!o->have_depth)
            q->depth = q->kind == CONFIG_QUEUE_GENERIC ? 16 : 2;
        if (!o->have_postqueue && q->kind == CONFIG_QUEUE_POSTFIX)
            q->postqueue = (char *)"/usr/sbin/postqueue";
    }
    return EX_OK;
}

/* `mtamon queue`'s options into @p o (*help set for --help).  EX_OK, or
 * the usage error's status. */
static int parse_options(int argc, char **argv, struct queue_opts *o, int *help)
{
    static const struct option opts[] = {
        INTERVAL_LONGOPTS,
        {"json", no_argument, NULL, 'j'},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"path", required_argument, NULL, OPT_PATH},
        {"kind", required_argument, NULL, OPT_KIND},
        {"glob", required_argument, NULL, OPT_GLOB},
        {"depth", required_argument, NULL, OPT_DEPTH},
        {"name", required_argument, NULL, OPT_NAME},
        {"postqueue", required_argument, NULL, OPT_POSTQUEUE},
        {"postfix-config", required_argument, NULL, OPT_POSTFIX_CONFIG},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct config_queue *q = &o->adhoc;
    int c, rc, have_other = 0;

    q->kind = CONFIG_QUEUE_DIRECTORY;
    q->glob = (char *)"*";
    q->interval_s = 60;
    q->postqueue = (char *)"";
    q->postfix_config = (char *)"";
    q->name = NULL;
    optind = 0; /* full getopt re-initialisation (GNU) */
    while ((c = getopt_long(argc, argv, "+:jh" INTERVAL_SHORTOPTS, opts, NULL)) != -1) {
        switch (c) {
        case 'i':
        case 'n':
            if ((rc = interval_option_usage(&o->interval, c, optarg, cli_queue_usage,
                                            "queue")) != EX_OK)
                return rc;
            break;
        case 'j':
            o->json = 1;
            break;
        case OPT_CONFIG:
            if (!*optarg)
                return cli_usage_error(cli_queue_usage, "queue: --config needs a file name");
            o->config = optarg;
            break;
        case 'h':
            *help = 1;
            return EX_OK;
        default:
            if (c < OPT_PATH || c > OPT_POSTFIX_CONFIG)
                return cli_option_error(cli_queue_usage, "queue", c, argv);
            if ((rc = adhoc_option(o, c, optarg, &have_other)) != EX_OK)
                return rc;
        }
    }
    if ((rc = interval_check_usage(&o->interval, cli_queue_usage, "queue")) != EX_OK)
        return rc;
    return check_adhoc(o, have_other, argc - optind);
}

/* ------------------------------------------------------------------------ */
/* Printing                                                                  */

/* "3h12m", "2d4h", "45s": the two largest units of @p s seconds. */
static void human_duration(int64_t s, char *buf, size_t len)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(buf, len, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
    else if (s < 86400)
        snprintf(buf, len, "%lldh%lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(buf, len, "%lldd%lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

/* "812 B", "1.5 KiB", "20.0 MiB". */
static void human_volume(uint64_t v, char *buf, size_t len)
{
    static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (v < 1024) {
        snprintf(buf, len, "%" PRIu64 " B", v);
        return;
    }
    double x = (double)v / 1024.0;
    size_t u = 0;
    while (x >= 1024.0 && u + 1 < sizeof unit / sizeof unit[0]) {
        x /= 1024.0;
        u++;
    }
    snprintf(buf, len, "%.1f %s", x, unit[u]);
}

static void text_row(const struct queue_scan_stats *r, int64_t now, int name_w, int id_w)
{
    char volume[32], age[32], retry[40], status[QUEUE_SCAN_ERROR_MAX + 64];
    if (r->status != QUEUE_SCAN_OK) {
        printf("%-*s %8s %10s %8s %-*s %10s %7" PRIu32 "  unavailable: %s\n", name_w,
               r->name, "-", "-", "-", id_w, "-", "-", r->duration_ms, r->error);
        return;
    }
    human_volume(r->volume, volume, sizeof volume);
    if (r->messages > 0)
        human_duration((now - r->oldest_ms) / 1000, age, sizeof age);
    else
        snprintf(age, sizeof age, "-");
    if (r->next_retry_ms == 0) {
        snprintf(retry, sizeof retry, "-");
    } else if (r->next_retry_ms <= now) {
        snprintf(retry, sizeof retry, "due");
    } else {
        char d[32];
        human_duration((r->next_retry_ms - now + 999) / 1000, d, sizeof d);
        snprintf(retry, sizeof retry, "in %s", d);
    }
    const char *via = r->source == QUEUE_SCAN_POSTQUEUE ? " (postqueue -j)" : "";
    if (r->unreadable > 0)
        snprintf(status, sizeof status, "ok%s, %" PRIu64 " unreadable: %s", via,
                 r->unreadable, r->error);
    else
        snprintf(status, sizeof status, "ok%s", via);
    printf("%-*s %8" PRIu64 " %10s %8s %-*s %10s %7" PRIu32 "  %s\n", name_w, r->name,
           r->messages, volume, age, id_w, r->messages > 0 ? r->oldest_id : "-", retry,
           r->duration_ms, status);
}

static void print_text(const struct queue_scan_stats *const *rows, size_t n, int64_t now)
{
    int name_w = 5, id_w = 9;
    for (size_t i = 0; i < n; i++) {
        int w = (int)strlen(rows[i]->name);
        name_w = w > name_w ? w : name_w;
        w = (int)strlen(rows[i]->oldest_id);
        id_w = w > id_w ? w : id_w;
    }
    printf("%-*s %8s %10s %8s %-*s %10s %7s  %s\n", name_w, "QUEUE", "MESSAGES",
           "VOLUME", "OLDEST", id_w, "OLDEST ID", "NEXT RETRY", "SCAN MS", "STATUS");
    for (size_t i = 0; i < n; i++)
        text_row(rows[i], now, name_w, id_w);
}

/* A time as a number of ms and as ISO-8601 UTC, or two nulls. */
static void json_time_pair(FILE *out, const char *key, int64_t ms, int present)
{
    char iso[CLI_TIME_MAX];
    if (!present || cli_time_utc(ms, iso, sizeof iso) != 0) {
        fprintf(out, ", \"%s_ms\": null, \"%s\": null", key, key);
        return;
    }
    fprintf(out, ", \"%s_ms\": %" PRId64 ", \"%s\": ", key, ms, key);
    show_json_string(out, iso);
}

/*
 * The rows as the members of the "queues" array, each after @p sep (a
 * line break and indentation, or "" for JSON Lines); with @p change (one
 * per row, NULL: none), a last member "messages_change_per_s" (null where
 * @p have_change says there is none).
 */
static void json_rows(FILE *out, const struct queue_scan_stats *const *rows, size_t n,
                      int64_t now, const char *sep, const double *change,
                      const unsigned char *have_change)
{
    for (size_t i = 0; i < n; i++) {
        const struct queue_scan_stats *r = rows[i];
        int ok = r->status == QUEUE_SCAN_OK;
        int have = ok && r->messages > 0;
        fprintf(out, "%s%s{\"name\": ", i ? "," : "", sep);
        show_json_string(out, r->name);
        fprintf(out, ", \"kind\": \"%s\", \"status\": \"%s\", \"source\": \"%s\"",
                kind_name(r->kind), ok ? "ok" : "unavailable",
                r->source == QUEUE_SCAN_POSTQUEUE ? "postqueue" : "tree");
        fprintf(out, ", \"messages\": %" PRIu64 ", \"volume\": %" PRIu64, r->messages,
                r->volume);
        json_time_pair(out, "oldest", r->oldest_ms, have);
        if (have)
            fprintf(out, ", \"oldest_age_s\": %" PRId64 ", \"oldest_id\": ",
                    (now - r->oldest_ms) / 1000);
        else
            fprintf(out, ", \"oldest_age_s\": null, \"oldest_id\": ");
        if (have)
            show_json_string(out, r->oldest_id);
        else
            fputs("null", out);
        json_time_pair(out, "next_retry", r->next_retry_ms, ok && r->next_retry_ms != 0);
        json_time_pair(out, "scanned", r->scanned_ms, 1);
        fprintf(out, ", \"duration_ms\": %" PRIu32 ", \"unreadable\": %" PRIu64
                     ", \"error\": ", r->duration_ms, r->unreadable);
        show_json_string(out, r->error);
        if (change && have_change[i])
            fprintf(out, ", \"messages_change_per_s\": %.3f", change[i]);
        else if (change)
            fputs(", \"messages_change_per_s\": null", out);
        fputs("}", out);
    }
}

static void print_json(const struct queue_scan_stats *const *rows, size_t n, int64_t now)
{
    printf("{\"queues\": [");
    json_rows(stdout, rows, n, now, "\n  ", NULL, NULL);
    printf("%s]}\n", n ? "\n" : "");
}

/* ------------------------------------------------------------------------ */
/* Choosing and scanning                                                     */

/* Does NAME (a queue, or QUEUE/ROW) select row @p r of queue @p q? */
static int selects(const char *name, const struct config_queue *q,
                   const struct queue_scan_stats *r)
{
    return strchr(name, '/') ? strcmp(name, r->name) == 0 : strcmp(name, q->name) == 0;
}

/* Does NAME select anything of queue @p q (before it is scanned)? */
static int selects_queue(const char *name, const struct config_queue *q)
{
    size_t len = strlen(q->name);
    return strcmp(name, q->name) == 0 ||
           (strncmp(name, q->name, len) == 0 && name[len] == '/');
}

/* What one scan found: the rows of every queue scanned, those shown. */
struct scan {
    struct queue_scan_stats *rows;
    const struct queue_scan_stats **shown;
    size_t n_shown;
    int64_t now;            /* wall clock after the scan, ms */
};

static void scan_free(struct scan *sc)
{
    free(sc->rows);
    free(sc->shown);
    memset(sc, 0, sizeof *sc);
}

/*
 * Scan @p queues[0 .. n) (those NAMEs select; all when there is none)
 * into @p sc.  A NAME that selects nothing is said unless @p quiet.
 * Returns the exit status.
 */
static int scan_queues(const struct config_queue *queues, size_t n, char **names,
                       int n_names, int quiet, struct scan *sc)
{
    int status = EX_OK;
    memset(sc, 0, sizeof *sc);
    sc->rows = calloc(n ? n * QUEUE_SCAN_ROWS_MAX : 1, sizeof *sc->rows);
    sc->shown = calloc(n ? n * QUEUE_SCAN_ROWS_MAX : 1, sizeof *sc->shown);
    unsigned char *matched = calloc(n_names ? (size_t)n_names : 1, 1);
    if (!sc->rows || !sc->shown || !matched) {
        scan_free(sc);
        free(matched);
        cli_errorf("out of memory");
        return EX_OSERR;
    }
    for (size_t i = 0; i < n; i++) {
        const struct config_queue *q = &queues[i];
        int wanted = n_names == 0;
        for (int k = 0; k < n_names; k++)
            wanted |= selects_queue(names[k], q);
        if (!wanted)
            continue;
        struct queue_scan_stats *r = &sc->rows[i * QUEUE_SCAN_ROWS_MAX];
        if (queue_scan(q, r) != 0)
            status = EX_UNAVAILABLE;
        for (size_t j = 0; j < queue_scan_rows(q); j++) {
            int show = n_names == 0;
            for (int k = 0; k < n_names; k++)
                if (selects(names[k], q, &r[j])) {
                    matched[k] = 1;
                    show = 1;
                }
            if (show)
                sc->shown[sc->n_shown++] = &r[j];
        }
    }
    for (int k = 0; k < n_names; k++)
        if (!matched[k]) {
            if (!quiet)
                cli_errorf("no queue called '%s'", names[k]);
            status = CLI_EXIT_NOMATCH;
        }
    free(matched);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sc->now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return status;
}

/* Scan once and print.  Returns the exit status. */
static int scan_and_print(const struct queue_opts *o, const struct config_queue *queues,
                          size_t n, char **names, int n_names)
{
    struct scan sc;
    int status = scan_queues(queues, n, names, n_names, 0, &sc);
    if (status == EX_OSERR)
        return status;
    if (sc.n_shown > 0 || o->json) {
        if (o->json)
            print_json(sc.shown, sc.n_shown, sc.now);
        else
            print_text(sc.shown, sc.n_shown, sc.now);
    }
    scan_free(&sc);
    return status;
}

/* ------------------------------------------------------------------------ */
/* --interval                                                                */

/* What `queue --interval` keeps from one report to the next. */
struct watch {
    const struct queue_opts *o;
    const struct config_queue *queues;
    size_t n;
    char **names;
    int n_names;
    struct scan before;     /* the previous report's scan (rows empty at first) */
    int name_w;             /* the queue column's width so far */
};

/* The row called @p name in the previous scan, if it was read. */
static const struct queue_scan_stats *row_before(const struct watch *w, const char *name)
{
    for (size_t i = 0; i < w->before.n_shown; i++)
        if (strcmp(w->before.shown[i]->name, name) == 0)
            return w->before.shown[i]->status == QUEUE_SCAN_OK ? w->before.shown[i] : NULL;
    return NULL;
}

static void watch_text(struct watch *w, const struct scan *sc, const double *change,
                       const unsigned char *have, int64_t wall_ms)
{
    char clock[INTERVAL_CLOCK_MAX], rate[32], volume[32], age[32];
    interval_clock(wall_ms, clock, sizeof clock);
    int width = w->name_w < 5 ? 5 : w->name_w;
    for (size_t i = 0; i < sc->n_shown; i++)
        if ((int)strlen(sc->shown[i]->name) > width)
            width = (int)strlen(sc->shown[i]->name);
    if (width != w->name_w)
        printf("%-8s  %-*s %8s %9s %10s %8s  %s\n", "TIME", width, "QUEUE", "MESSAGES",
               "CHANGE/S", "VOLUME", "OLDEST", "STATUS");
    w->name_w = width;
    for (size_t i = 0; i < sc->n_shown; i++) {
        const struct queue_scan_stats *r = sc->shown[i];
        if (r->status != QUEUE_SCAN_OK) {
            printf("%-8s  %-*s %8s %9s %10s %8s  unavailable: %s\n", clock, width, r->name,
                   "-", "-", "-", "-", r->error);
            continue;
        }
        human_volume(r->volume, volume, sizeof volume);
        if (r->messages > 0)
            human_duration((sc->now - r->oldest_ms) / 1000, age, sizeof age);
        else
            snprintf(age, sizeof age, "-");
        if (have[i])
            snprintf(rate, sizeof rate, "%+.2f", change[i]);
        else
            snprintf(rate, sizeof rate, "-");
        printf("%-8s  %-*s %8" PRIu64 " %9s %10s %8s  ok%s\n", clock, width, r->name,
               r->messages, rate, volume, age,
               r->unreadable > 0 ? ", some unreadable" : "");
    }
}

static void watch_json(const struct scan *sc, const double *change,
                       const unsigned char *have, const struct interval_tick *t)
{
    char when[CLI_TIME_MAX];
    cli_time_utc(t->wall_ms, when, sizeof when);
    fputs("{\"time\": ", stdout);
    show_json_string(stdout, when);
    printf(", \"report\": %" PRIu64 ", \"elapsed_s\": ", t->number);
    if (t->elapsed_ms < 0)
        fputs("null", stdout);
    else
        printf("%" PRId64 ".%03d", t->elapsed_ms / 1000, (int)(t->elapsed_ms % 1000));
    fputs(", \"queues\": [", stdout);
    json_rows(stdout, sc->shown, sc->n_shown, sc->now, "", change, have);
    fputs("]}\n", stdout);
}

static int watch_report(void *ctx, const struct interval_tick *t, int *status)
{
    struct watch *w = ctx;
    struct scan sc;
    *status = scan_queues(w->queues, w->n, w->names, w->n_names, t->number > 1, &sc);
    if (*status == EX_OSERR)
        return -1;
    double *change = calloc(sc.n_shown ? sc.n_shown : 1, sizeof *change);
    unsigned char *have = calloc(sc.n_shown ? sc.n_shown : 1, 1);
    if (!change || !have) {
        free(change);
        free(have);
        scan_free(&sc);
        cli_errorf("out of memory");
        *status = EX_OSERR;
        return -1;
    }
    /* The change of messages per second since the previous report. */
    for (size_t i = 0; i < sc.n_shown; i++) {
        const struct queue_scan_stats *b = t->number > 1 ? row_before(w, sc.shown[i]->name)
                                                         : NULL;
        have[i] = b && sc.shown[i]->status == QUEUE_SCAN_OK &&
                  interval_change((int64_t)b->messages, (int64_t)sc.shown[i]->messages,
                                  t->elapsed_ms, &change[i]) == 0;
    }
    if (w->o->json)
        watch_json(&sc, change, have, t);
    else
        watch_text(w, &sc, change, have, t->wall_ms);
    free(change);
    free(have);
    scan_free(&w->before);
    w->before = sc;
    return 0;
}

/* Scan every --interval; returns the status of the last scan. */
static int watch_queues(const struct queue_opts *o, const struct config_queue *queues,
                        size_t n, char **names, int n_names)
{
    struct watch w;
    memset(&w, 0, sizeof w);
    w.o = o;
    w.queues = queues;
    w.n = n;
    w.names = names;
    w.n_names = n_names;
    int status = interval_run(&o->interval, watch_report, &w);
    scan_free(&w.before);
    return status;
}

/* One scan, or one every --interval. */
static int run_queues(const struct queue_opts *o, const struct config_queue *queues,
                      size_t n, char **names, int n_names)
{
    if (o->interval.interval_ms)
        return watch_queues(o, queues, n, names, n_names);
    return scan_and_print(o, queues, n, names, n_names);
}

int cli_queue(int argc, char **argv)
{
    struct queue_opts o;
    int help = 0;
    memset(&o, 0, sizeof o);
    int status = parse_options(argc, argv, &o, &help);
    if (status != EX_OK || help) {
        if (help)
            cli_queue_usage(stdout);
        return status;
    }
    if (o.have_adhoc) {
        char name[CONFIG_NAME_MAX + 1];
        if (!o.adhoc.name) {
            base_name(o.adhoc.path, name, sizeof name);
            o.adhoc.name = name;
        }
        return run_queues(&o, &o.adhoc, 1, NULL, 0);
    }

    const char *path = o.config ? o.config : CONFIG_DEFAULT_PATH;
    struct config *conf = NULL;
    char err[CONFIG_ERROR_MAX];
    if (config_load(path, &conf, err, sizeof err) != 0) {
        cli_errorf("%s", err);
        return EX_CONFIG;
    }
    if (conf->n_queues == 0) {
        cli_errorf("%s: no queues configured (queues:), and no --path given", path);
        config_free(conf);
        return CLI_EXIT_NOMATCH;
    }
    status = run_queues(&o, conf->queues, conf->n_queues, argv + optind, argc - optind);
    config_free(conf);
    return status;
}
