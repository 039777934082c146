/*
 * counters.c - `mtamon counters create|show|clear|delete`, also spelled
 * the Sun way (`counters -show`, ...).
 */
#include <fnmatch.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

void cli_counters_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon [--segment NAME] counters create [--capacity N] [--assoc-capacity N]\n"
            "       mtamon [--segment NAME] counters show [--json] [--all] [--block-size BYTES]\n"
            "                                             [CHANNEL ...]\n"
            "       mtamon [--segment NAME] counters clear\n"
            "       mtamon [--segment NAME] counters delete [--force]\n"
            "\n"
            "  -create, -show, -clear and -delete are accepted as well.\n"
            "  CHANNEL is a shell pattern (fnmatch), e.g. 'tcp_*'.\n");
}

/* ------------------------------------------------------------------------ */
/* create                                                                    */

static int counters_create(const char *segment, int argc, char **argv)
{
    static const struct option opts[] = {
        {"capacity", required_argument, NULL, 'c'},
        {"assoc-capacity", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct mtamon_create_params params = {0};
    uint64_t v = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (cli_parse_uint(optarg, 1, MTAMON_MAX_CHANNELS, &v) != 0)
                return cli_usage_error(cli_counters_usage,
                                       "--capacity must be 1..%u, not '%s'",
                                       MTAMON_MAX_CHANNELS, optarg);
            params.channel_capacity = (uint32_t)v;
            break;
        case 'a':
            if (cli_parse_uint(optarg, 1, MTAMON_MAX_ASSOCS, &v) != 0)
                return cli_usage_error(cli_counters_usage,
                                       "--assoc-capacity must be 1..%u, not '%s'",
                                       MTAMON_MAX_ASSOCS, optarg);
            params.assoc_capacity = (uint32_t)v;
            break;
        case 'h':
            cli_counters_usage(stdout);
            return EX_OK;
        default:
            return cli_option_error(cli_counters_usage, "counters create", c, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error(cli_counters_usage,
                               "counters create: unexpected argument '%s'", argv[optind]);

    struct mtamon_error err = {MTAMON_OK, ""};
    mtamon_t *m = mtamon_open(segment, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, &params, &err);
    if (!m)
        return cli_report(&err);
    mtamon_close(m);
    printf("created segment %s (%u channels, %u associations)\n",
           mtamon_segment_name(segment),
           params.channel_capacity ? params.channel_capacity : MTAMON_DEFAULT_CHANNELS,
           params.assoc_capacity ? params.assoc_capacity : MTAMON_DEFAULT_ASSOCS);
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

static int counters_show(const char *segment, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"all", no_argument, NULL, 'a'},
        {"block-size", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct show_request req = {mtamon_segment_name(segment), 0,
                               CLI_DEFAULT_BLOCK_SIZE, NULL};
    int json = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'a':
            req.all = 1;
            break;
        case 'b':
            if (cli_parse_uint(optarg, 1, UINT32_MAX, &req.block_size) != 0)
                return cli_usage_error(cli_counters_usage,
                                       "--block-size must be a number of bytes "
                                       "1..%u, not '%s'", UINT32_MAX, optarg);
            break;
        case 'h':
            cli_counters_usage(stdout);
            return EX_OK;
        default:
            return cli_option_error(cli_counters_usage, "counters show", c, argv);
        }
    }

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

    int status = EX_OK;
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
    int written = json ? show_json(stdout, &snap, &req) : show_text(stdout, &snap, &req);
    free(selected);
    mtamon_snapshot_free(&snap);
    if (written != 0) {
        cli_errorf("error writing to standard output");
        return EX_IOERR;
    }
    return status;
}

/* ------------------------------------------------------------------------ */
/* clear                                                                     */

/* For commands without options: only --help is accepted. */
static int no_options(const char *what, int argc, char **argv, int *help)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    *help = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c != 'h')
            return cli_option_error(cli_counters_usage, what, c, argv);
        *help = 1;
    }
    if (optind < argc)
        return cli_usage_error(cli_counters_usage, "%s: unexpected argument '%s'",
                               what, argv[optind]);
    return EX_OK;
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

static int counters_delete(const char *segment, int argc, char **argv)
{
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int force = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":fh", opts, NULL)) != -1) {
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
    if (optind < argc)
        return cli_usage_error(cli_counters_usage,
                               "counters delete: unexpected argument '%s'", argv[optind]);

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
};

static const struct subcommand subcommands[] = {
    {"create", counters_create},
    {"show", counters_show},
    {"clear", counters_clear},
    {"delete", counters_delete},
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
        if (strcmp(bare, subcommands[i].name) == 0) {
            optind = 0; /* full getopt re-initialisation (GNU) */
            return subcommands[i].run(segment, argc - 1, argv + 1);
        }
    }
    return cli_usage_error(cli_counters_usage, "counters: unknown subcommand '%s'", word);
}
