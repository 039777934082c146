/*
 * probe-ldap-once.c - run one check of an ldap probe (probe_new,
 * probe_check: the code mtamond runs) and print what it found, for
 * tests/integration/test_probe_ldap.sh, until `mtamon probe` can do it.
 *
 *   probe-ldap-once [-u DN -w PASSWORD] [-s SEARCH_DN] [-t none|starttls|implicit]
 *                   [-k] [-C CA_FILE] [-N TLS_NAME] [-T TIMEOUT_MS] HOST PORT
 *
 * -k accepts any certificate (tls_verify: false).  Prints, one a line:
 * ok=0|1, reply_code=N, steps=connect,bind,..., total_ms=N, error=TEXT.
 * Exit status 0 when the check passed, 1 when it failed, 64 on a usage
 * error, 70 when the probe cannot be made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

static int usage(void)
{
    fprintf(stderr, "usage: probe-ldap-once [-u DN -w PASSWORD] [-s SEARCH_DN] "
                    "[-t none|starttls|implicit] [-k] [-C CA_FILE] [-N TLS_NAME] "
                    "[-T TIMEOUT_MS] HOST PORT\n");
    return 64;
}

int main(int argc, char **argv)
{
    char empty[] = "";
    char address[] = "test";
    struct config_probe_endpoint ep = {
        .address = address, .host = empty, .port = 0, .unix_path = empty,
        .tls = CONFIG_TLS_NONE, .tls_verify = 1, .tls_ca = empty, .tls_name = empty,
        .credentials = empty, .user = empty, .password = empty,
    };
    char name[] = "ldap", slash[] = "/";
    struct config_probe conf = {
        .name = name, .kind = CONFIG_PROBE_LDAP, .interval_s = 60, .timeout_ms = 5000,
        .slow_ms = 0, .helo = empty, .http_path = slash, .http_host = empty,
        .http_expect = 200, .ldap_search = empty, .mail_from = empty, .mail_to = empty,
        .poll_ms = 1000,
    };
    int opt;
    while ((opt = getopt(argc, argv, "u:w:s:t:kC:N:T:")) != -1) {
        switch (opt) {
        case 'u': ep.user = optarg; break;
        case 'w': ep.password = optarg; break;
        case 's': conf.ldap_search = optarg; break;
        case 't':
            if (strcmp(optarg, "none") == 0)
                ep.tls = CONFIG_TLS_NONE;
            else if (strcmp(optarg, "starttls") == 0)
                ep.tls = CONFIG_TLS_STARTTLS;
            else if (strcmp(optarg, "implicit") == 0)
                ep.tls = CONFIG_TLS_IMPLICIT;
            else
                return usage();
            break;
        case 'k': ep.tls_verify = 0; break;
        case 'C': ep.tls_ca = optarg; break;
        case 'N': ep.tls_name = optarg; break;
        case 'T': conf.timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
        default: return usage();
        }
    }
    if (argc - optind != 2)
        return usage();
    ep.host = argv[optind];
    long port = strtol(argv[optind + 1], NULL, 10);
    if (port < 1 || port > 65535)
        return usage();
    ep.port = (uint16_t)port;
    conf.server = ep;
    conf.mailbox = ep;

    char err[512] = "";
    probe *p = probe_new(&conf, err, sizeof err);
    if (!p) {
        fprintf(stderr, "probe-ldap-once: %s\n", err);
        return 70;
    }
    struct probe_check ck;
    probe_check(p, &ck);
    probe_free(p);
    printf("ok=%d\nreply_code=%d\nsteps=", ck.ok, ck.reply_code);
    for (size_t i = 0; i < ck.n_steps; i++)
        printf("%s%s", i ? "," : "", ck.steps[i].name);
    printf("\ntotal_ms=%u\nerror=%s\n", (unsigned)ck.total_ms, ck.error);
    return ck.ok ? 0 : 1;
}
