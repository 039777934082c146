/*
 * test_collector.c - the collectors' scheduler (src/collect/collector.c):
 * rows named before the first run, results published by a run, threads
 * that run every interval and stop when freed, the lookups.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit_util.h"
#include "collector.h"
#include "mtamon_config.h"

static char dir[64];

static void put_file(const char *name, size_t octets)
{
    char path[128];
    snprintf(path, sizeof path, "%s/q/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (size_t i = 0; i < octets; i++)
        fputc('x', f);
    fclose(f);
}

/* A configuration with a generic queue over DIR/q, a postfix queue over
 * DIR/pf, a partition and a process watch. */
static struct config *load_conf(void)
{
    char path[128], sub[128];
    snprintf(dir, sizeof dir, "/tmp/mtamon-ut-collector.XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/q", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof sub, "%s/pf", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f,
            "queues:\n"
            "  - {name: q, kind: generic, path: %s/q, interval: 1}\n"
            "  - {name: pf, kind: postfix, path: %s/pf, postqueue: '', interval: 1}\n"
            "partitions:\n"
            "  - {name: tmp, path: %s, interval: 1}\n"
            "processes:\n"
            "  interval: 1\n"
            "  watch:\n"
            "    - {name: none, executable: no-such-mtamon-process, min: 1}\n",
            dir, dir, dir);
    fclose(f);
    struct config *c = NULL;
    char err[CONFIG_ERROR_MAX];
    if (config_load(path, &c, err, sizeof err) != 0)
        fprintf(stderr, "\n    %s\n", err);
    return c;
}

static void remove_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_before_and_after_a_run(void)
{
    struct config *conf = load_conf();
    UT_REQUIRE(conf);
    put_file("a", 10);
    put_file("b", 32);
    collector *c = collector_new(conf, "/proc");
    UT_REQUIRE(c);

    struct collector_snapshot s;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
    /* 1 generic row + 6 postfix rows, named, not scanned yet. */
    CU_ASSERT_EQUAL_FATAL(s.n_queues, 7);
    const char *names[] = {"q", "pf", "pf/maildrop", "pf/incoming", "pf/active",
                           "pf/deferred", "pf/hold"};
    for (size_t i = 0; i < 7; i++) {
        CU_ASSERT_STRING_EQUAL(s.queues[i].name, names[i]);
        CU_ASSERT_EQUAL(s.queues[i].status, QUEUE_SCAN_NOT_YET);
        CU_ASSERT_PTR_EQUAL(s.queue_conf[i], &conf->queues[i == 0 ? 0 : 1]);
    }
    CU_ASSERT_EQUAL_FATAL(s.n_partitions, 1);
    CU_ASSERT_EQUAL(s.partitions[0].status, PARTITION_NOT_YET);
    CU_ASSERT_EQUAL_FATAL(s.n_processes, 1);
    CU_ASSERT_EQUAL(s.processes[0].status, PROCESS_WATCH_NOT_YET);
    CU_ASSERT_EQUAL(s.connections.ok, 0);

    collector_run_once(c);
    CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
    const struct queue_scan_stats *q = collector_snapshot_queue_row(&s, "q");
    UT_REQUIRE(q);
    CU_ASSERT_EQUAL(q->status, QUEUE_SCAN_OK);
    CU_ASSERT_EQUAL(q->messages, 2);
    CU_ASSERT_EQUAL(q->volume, 42);
    q = collector_snapshot_queue_row(&s, "pf/deferred");
    UT_REQUIRE(q);
    CU_ASSERT_EQUAL(q->status, QUEUE_SCAN_OK);
    CU_ASSERT_EQUAL(q->messages, 0);
    CU_ASSERT_PTR_NULL(collector_snapshot_queue_row(&s, "pf/nosuch"));
    CU_ASSERT_PTR_NULL(collector_snapshot_queue_row(&s, NULL));
    CU_ASSERT_EQUAL(s.partitions[0].status, PARTITION_OK);
    CU_ASSERT(s.partitions[0].size > 0);
    CU_ASSERT_EQUAL(s.processes[0].status, PROCESS_WATCH_NOT_RUNNING);
    CU_ASSERT_EQUAL(s.processes[0].count, 0);
    /* No connections configured: no job, no ports. */
    CU_ASSERT_PTR_NULL(collector_snapshot_port(&s, 25));

    collector_snapshot_free(&s);
    collector_free(c);
    config_free(conf);
    remove_tree();
}

/* Threads of this process whose nice value is @p nice (from
 * /proc/self/task/TID/stat, field 19). */
static int threads_with_nice(int nice)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        /* Fields after the command, which ends at the last ')'. */
        const char *p = strrchr(buf, ')');
        int field = 2, value = 0;
        for (; p && *p && field < 19; p++)
            if (*p == ' ')
                field++;
        if (p && field == 19 && sscanf(p, "%d", &value) == 1 && value == nice)
            n++;
    }
    closedir(d);
    return n;
}

/* The threads: a file added is seen by a later scan without any call;
 * they run nicer than the request path; freeing stops and joins them. */
static void test_threads(void)
{
    struct config *conf = load_conf();
    UT_REQUIRE(conf);
    collector *c = collector_new(conf, "/proc");
    UT_REQUIRE(c);
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(collector_start(c, err, sizeof err), 0);

    struct collector_snapshot s;
    memset(&s, 0, sizeof s);
    put_file("late", 5);
    /* Scans run every second: wait for one that sees the file (at most
     * 10 s; a wait, not a timing assertion). */
    int seen = 0;
    for (int i = 0; i < 200 && !seen; i++) {
        CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
        const struct queue_scan_stats *q = collector_snapshot_queue_row(&s, "q");
        seen = q && q->status == QUEUE_SCAN_OK && q->messages == 1 && q->volume == 5;
        if (!seen)
            nanosleep(&(struct timespec){0, 50000000L}, NULL);
    }
    CU_ASSERT(seen);
    CU_ASSERT_EQUAL(s.partitions[0].status, PARTITION_OK);
    /* Two queues, a partition, the process watch: four threads 10 nicer
     * than this one (which keeps its own). */
    errno = 0;
    int mine = getpriority(PRIO_PROCESS, 0);
    CU_ASSERT_EQUAL_FATAL(errno, 0);
    if (mine <= 9)
        CU_ASSERT_EQUAL(threads_with_nice(mine + 10), 4);

    collector_snapshot_free(&s);
    collector_free(c);   /* joins every thread */
    config_free(conf);
    remove_tree();
}

/* A configuration without collectors starts no thread and gives empty
 * snapshots. */
static void test_nothing_configured(void)
{
    struct config *conf = config_defaults();
    UT_REQUIRE(conf);
    collector *c = collector_new(conf, "/proc");
    UT_REQUIRE(c);
    char err[256] = "";
    CU_ASSERT_EQUAL(collector_start(c, err, sizeof err), 0);
    struct collector_snapshot s;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL(collector_snapshot(c, &s), 0);
    CU_ASSERT_EQUAL(s.n_queues + s.n_partitions + s.n_processes, 0);
    CU_ASSERT_EQUAL(s.connections.n_ports, 0);
    collector_snapshot_free(&s);
    collector_free(c);
    collector_free(NULL);
    config_free(conf);
}

UT_MAIN("collector",
        {"rows before and after a run", test_before_and_after_a_run},
        {"threads", test_threads},
        {"nothing configured", test_nothing_configured})
