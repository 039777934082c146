/*
 * probe.c - `mtamon probe`: run the configured probes (or ad hoc URL
 * targets) once, side by side, one thread each, and print what they found
 * (probe_report.h); usable as a Nagios plugin with --nagios.
 */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "interval.h"
#include "mtamon_config.h"
#include "probe.h"
#include "probe_report.h"
#include "probe_url.h"

/* Longest --timeout / --slow (seconds). */
#define PROBE_CLI_SECONDS_MAX 3600

void cli_probe_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon probe [-c FILE] [--json | --nagios] [--timeout SEC] [--slow SEC]\n"
            "                    [--interval SECONDS [--count N]] [NAME ...]\n"
            "       mtamon probe [--json | --nagios] [--starttls] [--insecure]\n"
            "                    [--credentials FILE] [--timeout SEC] [--slow SEC] URL ...\n"
            "\n"
            "Run the probes of the configuration (-c FILE, default %s),\n"
            "or those called NAME, or the targets given as URLs (tcp://HOST:PORT,\n"
            "smtp:// smtps:// lmtp:// imap:// imaps:// pop3:// pop3s://, http://HOST/PATH,\n"
            "https://, ldap://HOST/DN, ldaps://; SCHEME:///SOCKET for a Unix socket),\n"
            "once, side by side, and print a table (--json: one JSON object; --nagios: one\n"
            "Nagios plugin status line with perfdata).\n"
            "  --starttls           URL targets: upgrade with STARTTLS\n"
            "  --insecure           URL targets: accept any certificate\n"
            "  --credentials FILE   URL targets (imap, pop3, ldap): log in with FILE's\n"
            "                       USER:PASSWORD (mode 0600)\n"
            "  --timeout SEC        a check taking longer is down (decimals allowed)\n"
            "  --slow SEC           a check taking longer is slow (0 = never)\n"
            "  --interval SEC       run again every SEC (-i), a line per probe (--json: one\n"
            "                       JSON document a line); not with --nagios\n"
            "  --count N            stop after N reports (-n); default: until interrupted\n"
            "Exit status 0 when all are up, 1 when one is slow and none down, 2 when one\n"
            "is down; 78 for a bad configuration, 64 for bad arguments (both 3 with\n"
            "--nagios); with --interval, the status of the last report.\n",
            CONFIG_DEFAULT_PATH);
}

enum {
    OPT_JSON = 256,
    OPT_NAGIOS,
    OPT_STARTTLS,
    OPT_INSECURE,
    OPT_CREDENTIALS,
    OPT_TIMEOUT,
    OPT_SLOW,
};

struct probe_opts {
    const char *config;      /* -c, NULL: the default */
    int json, nagios;
    struct probe_url_options url;
    int have_timeout;
    struct interval_options interval;
};

/* One probe's run on its thread. */
struct probe_job {
    const struct config_probe *conf;
    probe *p;
    struct probe_check check;
    char setup_error[PROBE_ERROR_MAX];
    pthread_t thread;
    int started;
};

static void *job_main(void *arg)
{
    struct probe_job *j = arg;
    probe_check(j->p, &j->check);
    return NULL;
}

/* A usage or configuration problem: the message, and the status that
 * goes with it (3 = UNKNOWN under --nagios). */
__attribute__((format(printf, 3, 4)))
static int fail(const struct probe_opts *o, int status, const char *fmt, ...)
{
    char msg[CONFIG_ERROR_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_errorf("%s", msg);
    if (status == EX_USAGE && !o->nagios)
        cli_probe_usage(stderr);
    if (!o->nagios)
        return status;
    printf("MTAMON PROBE UNKNOWN - %s\n", msg);
    return PROBE_REPORT_UNKNOWN;
}

static int parse_seconds(const struct probe_opts *o, const char *opt, const char *text,
                         uint64_t min_ms, unsigned *out)
{
    uint64_t ms;
    if (parse_number_ms(text, min_ms, (uint64_t)PROBE_CLI_SECONDS_MAX * 1000, &ms) != 0)
        return fail(o, EX_USAGE, "probe: %s: '%s' is not a number of seconds (%s..%d, at most "
                    "3 decimals)", opt, text, min_ms ? "0.001" : "0", PROBE_CLI_SECONDS_MAX);
    *out = (unsigned)ms;
    return EX_OK;
}

static int parse_options(int argc, char **argv, struct probe_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, OPT_JSON},
        {"nagios", no_argument, NULL, OPT_NAGIOS},
        {"starttls", no_argument, NULL, OPT_STARTTLS},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"credentials", required_argument, NULL, OPT_CREDENTIALS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"slow", required_argument, NULL, OPT_SLOW},
        {"help", no_argument, NULL, 'h'},
        INTERVAL_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    char err[160];
    /* --nagios decides how every later problem is told: look first. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--nagios") == 0)
            o->nagios = 1;
    int c, st;
    optind = 0; /* full getopt re-initialisation (GNU) */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:h" INTERVAL_SHORTOPTS, opts, NULL)) != -1) {
        switch (c) {
        case 'i':
        case 'n':
            if (interval_option(&o->interval, c, optarg, err, sizeof err) != 0)
                return fail(o, EX_USAGE, "probe: %s", err);
            break;
        case 'c': o->config = optarg; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_NAGIOS: o->nagios = 1; break;
        case OPT_STARTTLS: o->url.starttls = 1; break;
        case OPT_INSECURE: o->url.insecure = 1; break;
        case OPT_CREDENTIALS: o->url.credentials = optarg; break;
        case OPT_TIMEOUT:
            if ((st = parse_seconds(o, "--timeout", optarg, 1, &o->url.timeout_ms)) != EX_OK)
                return st;
            o->have_timeout = 1;
            break;
        case OPT_SLOW:
            if ((st = parse_seconds(o, "--slow", optarg, 0, &o->url.slow_ms)) != EX_OK)
                return st;
            o->url.have_slow = 1;
            break;
        case 'h': cli_probe_usage(stdout); return -1;
        case ':':
            return fail(o, EX_USAGE, "probe: option '%s' needs a value", argv[optind - 1]);
        default:
            return fail(o, EX_USAGE, "probe: unknown option '%s'", argv[optind - 1]);
        }
    }
    if (o->json && o->nagios)
        return fail(o, EX_USAGE, "probe: --json and --nagios exclude each other");
    if (interval_check(&o->interval, err, sizeof err) != 0)
        return fail(o, EX_USAGE, "probe: %s", err);
    if (o->nagios && o->interval.interval_ms)
        return fail(o, EX_USAGE, "probe: --nagios makes one check for a plugin: not with "
                    "--interval");
    return EX_OK;
}

/* The probes to run: URL targets (@p urls, owned) and configured ones. */
struct selection {
    struct config *conf;
    struct config_probe *urls;
    size_t n_urls;
    const struct config_probe **list;
    size_t n;
};

static void selection_free(struct selection *s)
{
    for (size_t i = 0; i < s->n_urls; i++)
        config_probe_clear(&s->urls[i]);
    free(s->urls);
    free(s->list);
    config_free(s->conf);
}

/* "smtp", then "smtp-2", "smtp-3" for more URL targets of one kind. */
static int name_url(struct selection *s, struct config_probe *p)
{
    size_t same = 0;
    for (size_t i = 0; i + 1 < s->n_urls; i++)
        if (s->urls[i].kind == p->kind)
            same++;
    if (!same)
        return 0;
    char name[CONFIG_NAME_MAX + 1];
    snprintf(name, sizeof name, "%s-%zu", config_probe_kind_name(p->kind), same + 1);
    char *copy = strdup(name);
    if (!copy)
        return -1;
    free(p->name);
    p->name = copy;
    return 0;
}

static int select_probes(int argc, char **argv, const struct probe_opts *o,
                         struct selection *s)
{
    int n_names = 0, n_urls = 0;
    for (int i = optind; i < argc; i++)
        probe_url_is_url(argv[i]) ? n_urls++ : n_names++;
    if (!n_urls && (o->url.starttls || o->url.insecure || o->url.credentials))
        return fail(o, EX_USAGE, "probe: --starttls, --insecure and --credentials are for URL "
                    "targets");
    s->urls = calloc((size_t)n_urls + 1, sizeof *s->urls);
    if (!s->urls)
        return fail(o, EX_OSERR, "probe: out of memory");
    char err[CONFIG_ERROR_MAX + 256];
    if (n_names || !n_urls) {
        const char *path = o->config ? o->config : CONFIG_DEFAULT_PATH;
        if (config_load(path, &s->conf, err, sizeof err) != 0)
            return fail(o, EX_CONFIG, "%s", err);
        if (!n_names && s->conf->n_probes == 0)
            return fail(o, EX_CONFIG, "%s: no probes configured", path);
    }
    size_t total = s->conf && !n_names ? s->conf->n_probes : 0;
    s->list = calloc(total + (size_t)argc + 1, sizeof *s->list);
    if (!s->list)
        return fail(o, EX_OSERR, "probe: out of memory");
    for (size_t i = 0; i < total; i++)
        s->list[s->n++] = &s->conf->probes[i];
    for (int i = optind; i < argc; i++) {
        if (probe_url_is_url(argv[i])) {
            struct config_probe *p = &s->urls[s->n_urls++];
            if (probe_url_parse(argv[i], &o->url, p, err, sizeof err) != 0)
                return fail(o, EX_USAGE, "probe: %s", err);
            if (name_url(s, p) != 0)
                return fail(o, EX_OSERR, "probe: out of memory");
            s->list[s->n++] = p;
            continue;
        }
        const struct config_probe *p = config_probe_find(s->conf, argv[i]);
        if (!p)
            return fail(o, EX_USAGE, "probe: no probe '%s' in %s", argv[i], s->conf->path);
        s->list[s->n++] = p;
    }
    return EX_OK;
}

/* --timeout and --slow on configured probes too: copies of them. */
static int override_times(const struct probe_opts *o, struct selection *s,
                          struct config_probe *copies)
{
    for (size_t i = 0; i < s->n; i++) {
        copies[i] = *s->list[i];
        if (o->have_timeout) {
            copies[i].timeout_ms = o->url.timeout_ms;
            if (!o->url.have_slow)
                copies[i].slow_ms = config_probe_default_slow_ms(copies[i].kind,
                                                                  copies[i].timeout_ms);
        }
        if (o->url.have_slow) {
            if (o->url.slow_ms && o->url.slow_ms >= copies[i].timeout_ms)
                return fail(o, EX_USAGE, "probe: --slow %u ms is not below %s's timeout "
                            "(%u ms)", o->url.slow_ms, copies[i].name, copies[i].timeout_ms);
            copies[i].slow_ms = o->url.slow_ms;
        }
        s->list[i] = &copies[i];
    }
    return EX_OK;
}

/* Run every selected probe on a thread of its own; fill @p rows. */
static int run_all(const struct selection *s, struct probe_report_row *rows)
{
    struct probe_job *jobs = calloc(s->n ? s->n : 1, sizeof *jobs);
    if (!jobs)
        return -1;
    /* The probes' threads leave the stop signals to the main thread, whose
     * interval loop ends after the round under way (their own system calls
     * are not cut short). */
    sigset_t stops, saved;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stops, &saved);
    for (size_t i = 0; i < s->n; i++) {
        jobs[i].conf = s->list[i];
        jobs[i].p = probe_new(s->list[i], jobs[i].setup_error, sizeof jobs[i].setup_error);
        if (jobs[i].p && pthread_create(&jobs[i].thread, NULL, job_main, &jobs[i]) == 0)
            jobs[i].started = 1;
        else if (jobs[i].p)
            snprintf(jobs[i].setup_error, sizeof jobs[i].setup_error,
                     "setup: cannot start a thread");
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    for (size_t i = 0; i < s->n; i++) {
        struct probe_job *j = &jobs[i];
        if (j->started) {
            pthread_join(j->thread, NULL);
        } else {
            memset(&j->check, 0, sizeof j->check);
            snprintf(j->check.error, sizeof j->check.error, "%s",
                     j->setup_error[0] ? j->setup_error : "setup: failed");
        }
        probe_free(j->p);
        rows[i].conf = j->conf;
        memset(&rows[i].result, 0, sizeof rows[i].result);
        probe_result_add(&rows[i].result, &j->check, j->conf->slow_ms, time(NULL));
    }
    free(jobs);
    return 0;
}

/* What `probe --interval` needs from one report to the next. */
struct watch {
    const struct probe_opts *o;
    const struct selection *s;
    struct probe_report_row *rows;
};

static int watch_report(void *ctx, const struct interval_tick *t, int *status)
{
    struct watch *w = ctx;
    if (run_all(w->s, w->rows) != 0) {
        *status = fail(w->o, EX_OSERR, "probe: out of memory");
        return -1;
    }
    if (w->o->json) {
        char when[CLI_TIME_MAX];
        cli_time_utc(t->wall_ms, when, sizeof when);
        fputs("{\"time\":", stdout);
        show_json_string(stdout, when);
        printf(",\"report\":%" PRIu64 ",\"probes\":", t->number);
        probe_report_json_array(stdout, w->rows, w->s->n);
        fputs("}\n", stdout);
    } else {
        char clock[INTERVAL_CLOCK_MAX];
        interval_clock(t->wall_ms, clock, sizeof clock);
        probe_report_compact(stdout, clock, w->rows, w->s->n, t->number == 1);
    }
    *status = (int)probe_report_status(w->rows, w->s->n);
    return 0;
}

int cli_probe(int argc, char **argv)
{
    struct probe_opts o = {0};
    int st = parse_options(argc, argv, &o);
    if (st != EX_OK)
        return st < 0 ? EX_OK : st;
    struct selection s = {0};
    struct config_probe *copies = NULL;
    struct probe_report_row *rows = NULL;
    st = select_probes(argc, argv, &o, &s);
    if (st == EX_OK) {
        copies = calloc(s.n ? s.n : 1, sizeof *copies);
        rows = calloc(s.n ? s.n : 1, sizeof *rows);
        if (!copies || !rows)
            st = fail(&o, EX_OSERR, "probe: out of memory");
    }
    if (st == EX_OK)
        st = override_times(&o, &s, copies);
    if (st == EX_OK && o.interval.interval_ms) {
        struct watch w = {&o, &s, rows};
        st = interval_run(&o.interval, watch_report, &w);
    } else if (st == EX_OK && run_all(&s, rows) != 0) {
        st = fail(&o, EX_OSERR, "probe: out of memory");
    } else if (st == EX_OK) {
        if (o.json)
            probe_report_json(stdout, rows, s.n);
        else if (o.nagios)
            probe_report_nagios(stdout, rows, s.n);
        else
            probe_report_text(stdout, rows, s.n);
        st = (int)probe_report_status(rows, s.n);
    }
    /* The copies share the strings of s's probes: only the arrays go. */
    free(copies);
    free(rows);
    selection_free(&s);
    return st;
}
