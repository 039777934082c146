/*
 * bench_queue_scan.c - queue_scan() on a tree, for bench/queue/run.
 *
 *   bench_queue_scan [--kind directory|generic|postfix] [--glob GLOB]
 *                    [--depth N] [--runs N] DIR
 *
 * Scans DIR --runs times (default 1) and prints one line per run:
 *
 *   messages=N volume=N oldest_id=ID scan_ms=N max_rss_kb=N
 *
 * scan_ms is the wall time of that queue_scan() call (the monotonic
 * clock), max_rss_kb the process's peak resident set so far (getrusage).
 * Exit status 0, 1 if the scan failed (its error on stderr), 64 on bad
 * arguments.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "monotonic.h"
#include "queue_scan.h"

static int usage(void)
{
    fprintf(stderr, "usage: bench_queue_scan [--kind directory|generic|postfix] "
                    "[--glob GLOB] [--depth N] [--runs N] DIR\n");
    return 64;
}

int main(int argc, char **argv)
{
    struct config_queue q;
    memset(&q, 0, sizeof q);
    q.name = (char *)"bench";
    q.kind = CONFIG_QUEUE_DIRECTORY;
    q.glob = (char *)"*";
    q.depth = 2;
    q.postqueue = (char *)"";
    q.postfix_config = (char *)"";
    int runs = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--kind") == 0 && i + 1 < argc) {
            const char *k = argv[++i];
            if (strcmp(k, "directory") == 0)
                q.kind = CONFIG_QUEUE_DIRECTORY;
            else if (strcmp(k, "generic") == 0)
                q.kind = CONFIG_QUEUE_GENERIC;
            else if (strcmp(k, "postfix") == 0)
                q.kind = CONFIG_QUEUE_POSTFIX;
            else
                return usage();
        } else if (strcmp(a, "--glob") == 0 && i + 1 < argc) {
            q.glob = argv[++i];
        } else if (strcmp(a, "--depth") == 0 && i + 1 < argc) {
            q.depth = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (a[0] != '-' && !q.path) {
            q.path = argv[i];
        } else {
            return usage();
        }
    }
    if (!q.path || runs < 1)
        return usage();

    struct queue_scan_stats rows[QUEUE_SCAN_ROWS_MAX];
    for (int r = 0; r < runs; r++) {
        int64_t t0 = monotonic_ms();
        if (queue_scan(&q, rows) != 0) {
            fprintf(stderr, "bench_queue_scan: %s\n", rows[0].error);
            return 1;
        }
        int64_t ms = monotonic_ms() - t0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("messages=%" PRIu64 " volume=%" PRIu64 " oldest_id=%s scan_ms=%" PRId64
               " max_rss_kb=%ld\n",
               rows[0].messages, rows[0].volume, rows[0].oldest_id, ms, ru.ru_maxrss);
    }
    return 0;
}
