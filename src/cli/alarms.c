/*
 * alarms.c - `mtamon alarms`: what mtamond's alarms are doing, read from
 * the state file mtamond rewrites after its checks (alarm_file.h), as a
 * table for a person or as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "alarm_file.h"
#include "cli.h"
#include "interval.h"
#include "mtamon_config.h"
#include "whole_file.h"

void cli_alarms_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon alarms [-c FILE | --state FILE] [--json]\n"
            "                     [--interval SECONDS [--count N]]\n"
            "\n"
            "Print the state of mtamond's alarms: every object each alarm watches,\n"
            "its state, value, thresholds, raises, clears and notifications, then\n"
            "the notification totals.  Read from the state file mtamond rewrites\n"
            "(alarm_options.state_file of the configuration -c FILE, default\n"
            "%s), or from --state FILE.  --json prints the file's\n"
            "document as JSON.  --interval (-i) SECONDS reads it again every SECONDS,\n"
            "--count (-n) N times or until interrupted: a line per alarm row (--json:\n"
            "one JSON document a line); the exit status is the last reading's.\n"
            "Exit status 0 (also when no alarm is configured); 66 when the state\n"
            "file does not exist, 77 when it cannot be read for permissions, 74 for\n"
            "another read error; 65 when it is malformed; 69 when the configuration\n"
            "names no state file; 78 for a bad configuration; 64 for bad arguments.\n",
            CONFIG_DEFAULT_PATH);
}

struct alarms_opts {
    const char *config;      /* -c, NULL: the default */
    const char *state;       /* --state, NULL: from the configuration */
    int json;
    struct interval_options interval;
};

enum { OPT_STATE = 256, OPT_JSON };

static int parse_options(int argc, char **argv, struct alarms_opts *o, int *help)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"state", required_argument, NULL, OPT_STATE},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        INTERVAL_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int c, rc;
    optind = 0; /* full getopt re-initialisation (GNU) */
    while ((c = getopt_long(argc, argv, "+:c:h" INTERVAL_SHORTOPTS, opts, NULL)) != -1) {
        switch (c) {
        case 'i':
        case 'n':
            if ((rc = interval_option_usage(&o->interval, c, optarg, cli_alarms_usage,
                                            "alarms")) != EX_OK)
                return rc;
            break;
        case 'c':
            if (!*optarg)
                return cli_usage_error(cli_alarms_usage, "alarms: --config needs a file name");
            o->config = optarg;
            break;
        case OPT_STATE:
            if (!*optarg)
                return cli_usage_error(cli_alarms_usage, "alarms: --state needs a file name");
            o->state = optarg;
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case 'h':
            *help = 1;
            return EX_OK;
        default:
            return cli_option_error(cli_alarms_usage, "alarms", c, argv);
        }
    }
    if ((rc = cli_no_arguments(cli_alarms_usage, "alarms", argc, argv)) != EX_OK)
        return rc;
    if ((rc = interval_check_usage(&o->interval, cli_alarms_usage, "alarms")) != EX_OK)
        return rc;
    if (o->config && o->state)
        return cli_usage_error(cli_alarms_usage,
                               "alarms: --config and --state exclude each other (--state "
                               "names the file itself)");
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* Text                                                                      */

/* @p s made safe for a terminal into @p out: control characters (C0, DEL,
 * C1), the line and paragraph separators and bytes that are not UTF-8
 * become '?'.  Returns its width in characters. */
static size_t printable(const char *s, char *out, size_t outlen)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, width = 0;
    while (*p && o + 5 < outlen) {
        size_t n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 1;
        int formed = *p < 0x80 || n > 1;
        for (size_t k = 1; formed && k < n; k++)
            formed = (p[k] & 0xc0) == 0x80;
        if (!formed)
            n = 1;   /* a stray byte: one '?' for it */
        int shown = formed && *p >= 0x20 && *p != 0x7f;
        if (shown && n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
            shown = 0;   /* U+0080..U+009F */
        if (shown && n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
            shown = 0;   /* U+2028, U+2029 */
        if (shown)
            memcpy(out + o, p, n);
        else
            out[o] = '?';
        o += shown ? n : 1;
        p += n;
        width++;
    }
    out[o] = '\0';
    return width;
}

/* @p v as the MIB prints it (alarm_format_value() in src/agent/alarm.c,
 * which the CLI does not link): a whole number as such, else with at most
 * two decimals; an exponent only past 10^15, which alarms' values never
 * reach. */
static void format_value(double v, char *buf, size_t len)
{
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
        snprintf(buf, len, "%lld", (long long)v);
        return;
    }
    if (v <= -1e15 || v >= 1e15) {
        snprintf(buf, len, "%.6g", v);
        return;
    }
    snprintf(buf, len, "%.2f", v);
    char *end = buf + strlen(buf);
    while (end > buf && end[-1] == '0')
        *--end = '\0';
    if (end > buf && end[-1] == '.')
        *--end = '\0';
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, len, "0");
}

/* The columns of the table, one cell each. */
enum { COL_ALARM, COL_KIND, COL_OBJECT, COL_STATE, COL_VALUE, COL_THRESHOLDS, COL_RAISED,
       COL_CLEARED, COL_CHANGE, COL_NOTIFICATIONS, N_COLS };

static const char *const headings[N_COLS] = {
    "ALARM", "KIND", "OBJECT", "STATE", "VALUE", "RAISE/CLEAR", "RAISED", "CLEARED",
    "LAST CHANGE", "SENT/FAILED",
};

/* Room for a printable() name: its bytes, or '?' for one. */
#define CELL_MAX (ALARM_FILE_NAME_MAX + 8)

struct line {
    char cell[N_COLS][CELL_MAX];
    size_t width[N_COLS];
};

static void set_cell(struct line *l, int col, const char *text)
{
    l->width[col] = printable(text, l->cell[col], sizeof l->cell[col]);
}

static void fill_line(struct line *l, const struct alarm_file_alarm *a,
                      const struct alarm_file_row *r)
{
    char buf[CELL_MAX], x[40], y[40];
    set_cell(l, COL_ALARM, a->name);
    set_cell(l, COL_KIND, a->kind);
    format_value(a->raise, x, sizeof x);
    format_value(a->clear, y, sizeof y);
    snprintf(buf, sizeof buf, "%s/%s", x, y);
    set_cell(l, COL_THRESHOLDS, buf);
    if (!r) {
        for (int c = 0; c < N_COLS; c++)
            if (c != COL_ALARM && c != COL_KIND && c != COL_THRESHOLDS)
                set_cell(l, c, "-");
        return;
    }
    set_cell(l, COL_OBJECT, r->object[0] ? r->object : "(segment)");
    snprintf(buf, sizeof buf, "%s%s", alarm_file_state_name(r->state), r->present ? "" : "*");
    set_cell(l, COL_STATE, buf);
    if (r->has_value)
        format_value(r->value, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "-");
    set_cell(l, COL_VALUE, buf);
    snprintf(buf, sizeof buf, "%" PRIu64, r->raises);
    set_cell(l, COL_RAISED, buf);
    snprintf(buf, sizeof buf, "%" PRIu64, r->clears);
    set_cell(l, COL_CLEARED, buf);
    int64_t change = r->last_raise_ms > r->last_clear_ms ? r->last_raise_ms : r->last_clear_ms;
    cli_time_local(change, buf, sizeof buf);
    set_cell(l, COL_CHANGE, buf);
    snprintf(buf, sizeof buf, "%" PRIu64 "/%" PRIu64, r->sent, r->failed);
    set_cell(l, COL_NOTIFICATIONS, buf);
}

static void print_line(FILE *out, const struct line *l, const size_t *widths)
{
    for (int c = 0; c < N_COLS; c++) {
        fputs(l->cell[c], out);
        if (c + 1 < N_COLS)
            fprintf(out, "%*s", (int)(widths[c] - l->width[c] + 2), "");
    }
    fputc('\n', out);
}

/* Line @p l: with @p out, printed in columns of @p widths; without,
 * @p widths grown to hold it. */
static void take_line(FILE *out, const struct line *l, size_t *widths)
{
    if (out) {
        print_line(out, l, widths);
        return;
    }
    for (int c = 0; c < N_COLS; c++)
        if (l->width[c] > widths[c])
            widths[c] = l->width[c];
}

/* Each line of the table (the headings, then one per row or per alarm
 * without rows) to take_line(): two passes, widths then printing, so
 * that no line is kept. */
static void each_line(const struct alarm_file *d, struct line *l, FILE *out,
                      size_t *widths)
{
    for (int c = 0; c < N_COLS; c++)
        set_cell(l, c, headings[c]);
    take_line(out, l, widths);
    for (size_t i = 0; i < d->n_alarms; i++) {
        const struct alarm_file_alarm *a = &d->alarms[i];
        if (a->n_rows == 0) {
            fill_line(l, a, NULL);
            take_line(out, l, widths);
        }
        for (size_t j = 0; j < a->n_rows; j++) {
            fill_line(l, a, &a->rows[j]);
            take_line(out, l, widths);
        }
    }
}

static void print_table(FILE *out, const struct alarm_file *d)
{
    struct line l;
    size_t widths[N_COLS] = {0};
    int gone = 0;
    each_line(d, &l, NULL, widths);
    each_line(d, &l, out, widths);
    for (size_t i = 0; i < d->n_alarms; i++)
        for (size_t j = 0; j < d->alarms[i].n_rows; j++)
            gone |= !d->alarms[i].rows[j].present;
    if (gone)
        fputs("* not in the alarm's last check (the object is gone): the state is "
              "the last one seen\n", out);
}

/* "45 s", "3m12s", "2h5m", "4d3h": the two largest units of @p s seconds. */
static void human_age(int64_t s, char *buf, size_t len)
{
    if (s < 120)
        snprintf(buf, len, "%" PRId64 " s", s);
    else if (s < 3600)
        snprintf(buf, len, "%" PRId64 "m%" PRId64 "s", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, len, "%" PRId64 "h%" PRId64 "m", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, len, "%" PRId64 "d%" PRId64 "h", s / 86400, s % 86400 / 3600);
}

/* The shortest check interval of the file's alarms (s), 0 when none. */
static uint32_t shortest_interval(const struct alarm_file *d)
{
    uint32_t s = 0;
    for (size_t i = 0; i < d->n_alarms; i++)
        if (i == 0 || d->alarms[i].interval_s < s)
            s = d->alarms[i].interval_s;
    return s;
}

static int print_text(FILE *out, const char *path, const struct alarm_file *d, int64_t now_ms)
{
    char when[CLI_TIME_MAX], host[CELL_MAX], file[4096 + 8];
    cli_time_local(d->written_ms, when, sizeof when);
    printable(d->host, host, sizeof host);
    printable(path, file, sizeof file);
    int64_t age_s = (now_ms - d->written_ms) / 1000;
    char age[48];
    human_age(age_s, age, sizeof age);
    fprintf(out, "%s: written by mtamond on %s at %s", file, host[0] ? host : "?", when);
    if (age_s >= 0)
        fprintf(out, " (%s ago)\n", age);
    else
        fputs(" (in the future: check the clocks)\n", out);
    if (d->n_alarms == 0) {
        fputs("no alarms configured\n", out);
    } else {
        fputc('\n', out);
        print_table(out, d);
        fputc('\n', out);
    }
    fprintf(out,
            "notifications: %" PRIu64 " sent, %" PRIu64 " failed, %" PRIu64
            " suppressed (%" PRIu64 " %s), %" PRIu64 " pending; last sequence %" PRIu32 "\n",
            d->sent, d->failed, d->suppressed, d->summaries,
            d->summaries == 1 ? "summary" : "summaries", d->pending, d->last_sequence);

    /* mtamond rewrites the file after its checks: much older than the
     * shortest interval, it has stopped. */
    uint64_t limit_s = 3 * (uint64_t)shortest_interval(d) + 10;
    if (d->n_alarms > 0 && age_s > 0 && (uint64_t)age_s > limit_s)
        cli_errorf("warning: %s was written %s ago, more than 3 x the shortest alarm "
                   "interval (%" PRIu32 " s) + 10 s: mtamond may not be running",
                   file, age, shortest_interval(d));
    return ferror(out) ? -1 : 0;
}

/* ------------------------------------------------------------------------ */

/* Which file: --state, or the configuration's.  Sets *@p path (into
 * *@p conf's strings) or returns an exit status; EX_OK with *@p path NULL
 * when no alarm is configured (said so on stdout). */
static int state_path(const struct alarms_opts *o, struct config **conf, const char **path)
{
    *path = NULL;
    if (o->state) {
        *path = o->state;
        return EX_OK;
    }
    const char *cpath = o->config ? o->config : CONFIG_DEFAULT_PATH;
    char err[CONFIG_ERROR_MAX];
    if (config_load(cpath, conf, err, sizeof err) != 0) {
        cli_errorf("%s", err);
        return EX_CONFIG;
    }
    if ((*conf)->n_alarms == 0) {
        printf("no alarms configured in %s\n", cpath);
        return EX_OK;
    }
    const char *file = (*conf)->alarm_options.state_file;
    if (!file || !*file) {
        cli_errorf("%s: alarm_options.state_file is empty: mtamond keeps no alarm state to "
                   "read", cpath);
        return EX_UNAVAILABLE;
    }
    *path = file;
    return EX_OK;
}

/* Read and parse @p path into *@p doc, or return an exit status. */
static int read_state(const char *path, struct alarm_file **doc)
{
    char *text = NULL;
    size_t len = 0;
    int rc = whole_file_read(path, ALARM_FILE_MAX, &text, &len);
    if (rc < 0) {
        int e = errno;
        if (e == ENOENT) {
            cli_errorf("%s: no such file: mtamond has not written its alarm state (is it "
                       "running, with alarms configured?)", path);
            return EX_NOINPUT;
        }
        cli_errorf("%s: cannot read: %s", path, strerror(e));
        return e == EACCES || e == EPERM ? EX_NOPERM : EX_IOERR;
    }
    if (rc > 0) {
        free(text);
        cli_errorf("%s: larger than %u bytes: not an alarm state file", path,
                   (unsigned)ALARM_FILE_MAX);
        return EX_DATAERR;
    }
    char err[CONFIG_ERROR_MAX + 256];
    rc = alarm_file_parse(path, text, len, doc, err, sizeof err);
    free(text);
    if (rc != 0) {
        cli_errorf("%s", err);
        return EX_DATAERR;
    }
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* --interval                                                                */

/* The columns of the interval layout, after its TIME column. */
static const int compact_cols[] = {
    COL_ALARM, COL_OBJECT, COL_STATE, COL_VALUE, COL_RAISED, COL_CLEARED, COL_NOTIFICATIONS,
};
#define N_COMPACT (sizeof compact_cols / sizeof compact_cols[0])

/* What `alarms --interval` keeps from one reading to the next. */
struct watch {
    const struct alarms_opts *o;
    const char *path;
    size_t widths[N_COLS];      /* the columns' widths so far */
};

static void compact_line(FILE *out, const char *clock, const struct line *l,
                         const size_t *widths)
{
    fprintf(out, "%-8s", clock);
    for (size_t k = 0; k < N_COMPACT; k++) {
        int c = compact_cols[k];
        fprintf(out, "  %s", l->cell[c]);
        if (k + 1 < N_COMPACT)
            fprintf(out, "%*s", (int)(widths[c] - l->width[c]), "");
    }
    fputc('\n', out);
}

/* Each row of @p d (an alarm without rows: one line of it) as a line,
 * into @p widths (@p out NULL) or printed. */
static void compact_rows(FILE *out, const char *clock, const struct alarm_file *d,
                         struct line *l, size_t *widths)
{
    for (size_t i = 0; i < d->n_alarms; i++) {
        const struct alarm_file_alarm *a = &d->alarms[i];
        for (size_t j = 0; j < a->n_rows || (j == 0 && a->n_rows == 0); j++) {
            fill_line(l, a, a->n_rows ? &a->rows[j] : NULL);
            if (out)
                compact_line(out, clock, l, widths);
            else
                take_line(NULL, l, widths);
        }
    }
}

static void watch_text(struct watch *w, const struct alarm_file *d, int64_t wall_ms)
{
    char clock[INTERVAL_CLOCK_MAX];
    struct line l;
    size_t widths[N_COLS];
    memset(&l, 0, sizeof l);
    interval_clock(wall_ms, clock, sizeof clock);
    memcpy(widths, w->widths, sizeof widths);
    for (int c = 0; c < N_COLS; c++)
        set_cell(&l, c, headings[c]);
    take_line(NULL, &l, widths);
    compact_rows(NULL, clock, d, &l, widths);
    /* The headings at the start, and again when a column widens. */
    if (memcmp(widths, w->widths, sizeof widths) != 0) {
        for (int c = 0; c < N_COLS; c++)
            set_cell(&l, c, headings[c]);
        compact_line(stdout, "TIME", &l, widths);
    }
    memcpy(w->widths, widths, sizeof widths);
    compact_rows(stdout, clock, d, &l, widths);
}

/* The document as JSON on one line: alarm_file_write_json()'s text
 * without its line breaks and their indentation, which are all between
 * members (a string holds "\n" escaped). */
static int watch_json(const struct watch *w, const struct alarm_file *d,
                      const struct interval_tick *t)
{
    char *doc = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&doc, &len);
    if (!mem)
        return -1;
    int rc = alarm_file_write_json(mem, d);
    if (fclose(mem) != 0 || rc != 0) {
        free(doc);
        return -1;
    }
    char when[CLI_TIME_MAX];
    cli_time_utc(t->wall_ms, when, sizeof when);
    fputs("{\"time\": ", stdout);
    show_json_string(stdout, when);
    printf(", \"report\": %" PRIu64 ", \"file\": ", t->number);
    show_json_string(stdout, w->path);
    fputs(", \"state\": ", stdout);
    for (const char *p = doc; *p; p++) {
        if (*p != '\n')
            putchar(*p);
        else
            while (p[1] == ' ')   /* and the indentation after it */
                p++;
    }
    fputs("}\n", stdout);
    free(doc);
    return 0;
}

static int watch_report(void *ctx, const struct interval_tick *t, int *status)
{
    struct watch *w = ctx;
    struct alarm_file *doc = NULL;
    *status = read_state(w->path, &doc);
    if (*status != EX_OK)
        return t->number == 1 ? -1 : 0;   /* later: mtamond may be rewriting it */
    if (w->o->json) {
        if (watch_json(w, doc, t) != 0)
            *status = EX_OSERR;
    } else {
        watch_text(w, doc, t->wall_ms);
    }
    alarm_file_free(doc);
    return *status == EX_OK ? 0 : -1;
}

int cli_alarms(int argc, char **argv)
{
    struct alarms_opts o;
    memset(&o, 0, sizeof o);
    int help = 0;
    int status = parse_options(argc, argv, &o, &help);
    if (status != EX_OK || help) {
        if (help)
            cli_alarms_usage(stdout);
        return status;
    }
    struct config *conf = NULL;
    const char *path = NULL;
    struct alarm_file *doc = NULL;
    status = state_path(&o, &conf, &path);
    if (status == EX_OK && path && o.interval.interval_ms) {
        struct watch w;
        memset(&w, 0, sizeof w);
        w.o = &o;
        w.path = path;
        status = interval_run(&o.interval, watch_report, &w);
        config_free(conf);
        return status;
    }
    if (status == EX_OK && path)
        status = read_state(path, &doc);
    if (status == EX_OK && doc) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        int rc = o.json ? alarm_file_write_json(stdout, doc)
                        : print_text(stdout, path, doc, now);
        if (rc != 0)
            status = EX_IOERR;   /* main() says the write failed */
    }
    alarm_file_free(doc);
    config_free(conf);
    return status;
}
