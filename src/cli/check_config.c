/*
 * check_config.c - `mtamon check-config [--syntax-only] FILE`: load a
 * configuration the way mtamond does, then check that this machine gives
 * mtamond what it asks for (config_env.c); start nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "config_env.h"
#include "mtamon_config.h"

void cli_check_config_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon check-config [--syntax-only] FILE\n"
            "\n"
            "Validate the configuration FILE (mtamon.yaml(5)) without starting\n"
            "anything, then check what mtamond needs from this machine at start:\n"
            "daemon.user and daemon.group exist, the pidfile's and the group-index\n"
            "file's directories exist and are writable by whoever writes them\n"
            "(errors); the counter segment and the AgentX socket exist and may be\n"
            "used by the daemon user (warnings: they may appear later).  Run it as\n"
            "root, as mtamond is started, to check for daemon.user.\n"
            "\n"
            "  -s, --syntax-only   check the file only, not this machine (CI, a\n"
            "                      packaging host)\n"
            "  -h, --help          this text\n"
            "\n"
            "Exit status: 0 valid (warnings allowed), 78 (EX_CONFIG) the file is\n"
            "not valid, 69 (EX_UNAVAILABLE) the file is valid but mtamond cannot\n"
            "run with it on this machine, 64 (EX_USAGE) bad arguments.\n");
}

/* Counts and prints the environment's findings. */
struct findings {
    const char *path;
    unsigned errors, warnings;
};

static void print_finding(void *ctx, enum config_env_severity severity,
                          const char *key, const char *what)
{
    struct findings *f = ctx;
    if (severity == CONFIG_ENV_ERROR)
        f->errors++;
    else
        f->warnings++;
    cli_errorf("%s: %s: %s: %s", f->path, key,
               severity == CONFIG_ENV_ERROR ? "error" : "warning", what);
}

static const char *plural(unsigned n)
{
    return n == 1 ? "" : "s";
}

int cli_check_config(int argc, char **argv)
{
    static const struct option opts[] = {
        {"syntax-only", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, syntax_only = 0;
    optind = 0; /* full getopt re-initialisation (GNU) */
    while ((c = getopt_long(argc, argv, "+:sh", opts, NULL)) != -1) {
        if (c == 'h') {
            cli_check_config_usage(stdout);
            return EX_OK;
        }
        if (c == 's') {
            syntax_only = 1;
            continue;
        }
        return cli_option_error(cli_check_config_usage, "check-config", c, argv);
    }
    if (optind >= argc)
        return cli_usage_error(cli_check_config_usage, "check-config: no FILE given");
    if (optind + 1 < argc)
        return cli_usage_error(cli_check_config_usage,
                               "check-config: unexpected argument '%s'", argv[optind + 1]);

    const char *path = argv[optind];
    struct config *conf = NULL;
    char err[CONFIG_ERROR_MAX];
    if (config_load(path, &conf, err, sizeof err) != 0) {
        cli_errorf("%s", err);
        return EX_CONFIG;
    }
    struct findings f = {path, 0, 0};
    if (!syntax_only)
        config_env_check(conf, print_finding, &f);
    if (f.errors) {
        cli_errorf("%s: %u error%s, %u warning%s: mtamond cannot run with it on "
                   "this machine", path, f.errors, plural(f.errors), f.warnings,
                   plural(f.warnings));
        config_free(conf);
        return EX_UNAVAILABLE;
    }
    printf("%s: ok (%zu applications, %zu channels", path, conf->n_apps, conf->n_channels);
    /* The collectors, when there are any: older files keep their line. */
    if (conf->n_queues || conf->n_partitions || conf->connections.n_ports ||
        conf->n_processes)
        printf(", %zu queues, %zu partitions, %zu ports, %zu processes", conf->n_queues,
               conf->n_partitions, conf->connections.n_ports, conf->n_processes);
    if (conf->n_probes)
        printf(", %zu probes", conf->n_probes);
    if (conf->n_alarms)
        printf(", %zu alarms", conf->n_alarms);
    printf(")");
    if (f.warnings)
        printf(", %u warning%s", f.warnings, plural(f.warnings));
    printf("\n");
    config_free(conf);
    return EX_OK;
}
