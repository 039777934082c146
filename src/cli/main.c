/*
 * main.c - the `mtamon` command: global options and command dispatch.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

void cli_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon [--segment NAME] COMMAND [ARGS]\n"
            "       mtamon --help | --version\n"
            "\n"
            "commands:\n"
            "  counters create [--capacity N] [--assoc-capacity N] [--group GROUP]\n"
            "                  [--mode MODE]\n"
            "                             create the counter segment\n"
            "  counters show [--json] [--all] [--block-size BYTES] [--no-headers]\n"
            "                [--no-channels] [--no-associations] [--output FILE]\n"
            "                [CHANNEL ...]\n"
            "                             print the channel counters\n"
            "  counters show --interval SECONDS [--count N] [--json] [CHANNEL ...]\n"
            "                             a line per channel with rates, every SECONDS\n"
            "  counters clear             zero the counters (Stored is kept)\n"
            "  counters delete [--force]  remove the counter segment\n"
            "  simulate [--events N] [--duration SECONDS] [--rate N] [--seed N]\n"
            "           [--create]        write synthetic mail traffic\n"
            "  feed --format sunmta|postfix|exim|sendmail [--state FILE] [--from-start] [--once]\n"
            "       [--stats] FILE|-      follow an MTA log and count its records\n"
            "  feed --format F --journal [--journal-directory DIR] [--unit U]...\n"
            "       [--identifier ID]... [--state FILE] [--from-start] [--once] [--stats]\n"
            "                             the same from the systemd journal\n"
            "  check-config [--syntax-only] FILE\n"
            "                             validate a configuration file, and whether\n"
            "                             mtamond can run with it on this machine\n"
            "  queue [--json] [--config FILE] [NAME ...]\n"
            "  queue [--json] --path DIR [--kind directory|postfix|generic]\n"
            "        [--glob GLOB] [--depth N] [--name NAME]\n"
            "                             messages, volume and age of the queues\n"
            "  probe [-c FILE] [--json | --nagios] [NAME ... | URL ...]\n"
            "                             run the server-response probes once\n"
            "  alarms [-c FILE | --state FILE] [--json]\n"
            "                             the state of mtamond's alarms\n"
            "  queue, probe and alarms also take --interval SECONDS [--count N]\n"
            "\n"
            "The Sun spellings (counters -show -noheaders ...) work too.\n"
            "The segment is --segment NAME (anywhere on the line), else\n"
            "$%s, else %s.  See mtamon(1).\n",
            MTAMON_SEGMENT_ENV, MTAMON_DEFAULT_SEGMENT);
}

/*
 * Take "--segment NAME" / "--segment=NAME" out of argv, wherever it is (up
 * to a "--"), so the commands never see it.  The last one wins.  Returns
 * EX_OK or a usage error.
 */
static int take_segment_option(int *argc, char **argv, const char **segment)
{
    static const char opt[] = "--segment";
    const size_t optlen = sizeof opt - 1;
    int kept = 1;
    int i = 1;
    for (; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (strncmp(a, opt, optlen) != 0 || (a[optlen] != '\0' && a[optlen] != '=')) {
            argv[kept++] = argv[i];
            continue;
        }
        const char *value = a[optlen] == '=' ? a + optlen + 1 : NULL;
        if (!value) {
            if (i + 1 >= *argc)
                return cli_usage_error(cli_usage, "option '--segment' needs a value");
            value = argv[++i];
        }
        if (*value == '\0')
            return cli_usage_error(cli_usage, "option '--segment' needs a non-empty value");
        *segment = value;
    }
    for (; i < *argc; i++)
        argv[kept++] = argv[i];
    argv[kept] = NULL;
    *argc = kept;
    return EX_OK;
}

static int is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0;
}

int main(int argc, char **argv)
{
    const char *segment = NULL;
    int status = take_segment_option(&argc, argv, &segment);
    if (status != EX_OK)
        return status;
    if (argc < 2)
        return cli_usage_error(cli_usage, "no command given");

    const char *cmd = argv[1];
    if (is_help(cmd)) {
        cli_usage(stdout);
        status = EX_OK;
    } else if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("mtamon %s\n", PACKAGE_VERSION);
        status = EX_OK;
    } else if (strcmp(cmd, "counters") == 0) {
        status = cli_counters(segment, argc - 1, argv + 1);
    } else if (strcmp(cmd, "simulate") == 0) {
        status = cli_simulate(segment, argc - 1, argv + 1);
    } else if (strcmp(cmd, "feed") == 0) {
        status = cli_feed(segment, argc - 1, argv + 1);
    } else if (strcmp(cmd, "check-config") == 0) {
        status = cli_check_config(argc - 1, argv + 1);
    } else if (strcmp(cmd, "queue") == 0) {
        status = cli_queue(argc - 1, argv + 1);
    } else if (strcmp(cmd, "probe") == 0) {
        status = cli_probe(argc - 1, argv + 1);
    } else if (strcmp(cmd, "alarms") == 0) {
        status = cli_alarms(argc - 1, argv + 1);
    } else if (cmd[0] == '-') {
        return cli_usage_error(cli_usage, "unknown option '%s'", cmd);
    } else {
        return cli_usage_error(cli_usage, "unknown command '%s'", cmd);
    }

    /* Output that could not be written (full disk, closed pipe) is an error. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_errorf("error writing to standard output");
        if (status == EX_OK || status == CLI_EXIT_NOMATCH)
            status = EX_IOERR;
    }
    return status;
}
