/*
 * check_config.c - `mtamon check-config FILE`: load a configuration the
 * way mtamond does, report the first problem, start nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "mtamon_config.h"

void cli_check_config_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon check-config FILE\n"
            "\n"
            "Validate the configuration FILE (mtamon.yaml(5)) without starting\n"
            "anything.  Exit status 0 if it is valid, 78 (EX_CONFIG) if not.\n");
}

int cli_check_config(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0; /* full getopt re-initialisation (GNU) */
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        if (c == 'h') {
            cli_check_config_usage(stdout);
            return EX_OK;
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
    printf(")\n");
    config_free(conf);
    return EX_OK;
}
