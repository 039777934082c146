/*
 * test_collector.c - the collectors' scheduler (src/collect/collector.c):
 * rows named before the first run, results published by a run, threads
 * that run every interval and stop when freed, the lookups; probes run
 * side by side, logged once per change, checked every interval from
 * start to start on threads that are not niced and stop within a
 * check's timeout.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <limits.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit_util.h"
#include "collector.h"
#include "fake_server.h"
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

/* A collector of @p conf over /proc (neither may be NULL). */
static collector *collector_of(struct config *conf)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(conf);
    collector *c = collector_new(conf, "/proc");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    return c;
}

/* Start @p c's threads (required). */
static void start(collector *c)
{
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(collector_start(c, err, sizeof err), 0);
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
    put_file("a", 10);
    put_file("b", 32);
    collector *c = collector_of(conf);

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
    collector *c = collector_of(conf);
    start(c);

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
    collector *c = collector_of(conf);
    start(c);
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

/* ------------------------------------------------------------------------ */
/* Probes                                                                    */

static char s_empty[] = "", s_root[] = "/", s_host[] = "127.0.0.1";
static char probe_names[8][16], probe_addrs[8][32];

/* A TCP listener on 127.0.0.1 that never accepts: a connect succeeds (the
 * kernel's backlog) and nothing is ever said.  On *@p port, or when that
 * is 0 on a free port put in *@p port (to listen again on a port after
 * it was closed). */
static int silent_listener(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(*port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static void set_endpoint(struct config_probe_endpoint *e, char *address, uint16_t port)
{
    e->address = address;
    e->host = s_host;
    e->port = port;
    e->unix_path = s_empty;
    e->tls = CONFIG_TLS_NONE;
    e->tls_verify = 1;
    e->tls_ca = e->tls_name = e->credentials = e->user = e->password = s_empty;
}

/* Probe @p i of @p probes: KIND on 127.0.0.1:PORT, checked every
 * @p interval_s, timing out after @p timeout_ms. */
static void set_probe(struct config_probe *probes, size_t i, enum config_probe_kind kind,
                      uint16_t port, unsigned interval_s, unsigned timeout_ms)
{
    struct config_probe *p = &probes[i];
    memset(p, 0, sizeof *p);
    snprintf(probe_names[i], sizeof probe_names[i], "p%zu", i + 1);
    snprintf(probe_addrs[i], sizeof probe_addrs[i], "127.0.0.1:%u", (unsigned)port);
    p->name = probe_names[i];
    p->kind = kind;
    set_endpoint(&p->server, probe_addrs[i], port);
    set_endpoint(&p->mailbox, s_empty, 0);
    p->interval_s = interval_s;
    p->timeout_ms = timeout_ms;
    p->slow_ms = 0;
    p->helo = s_empty;
    p->http_path = s_root;
    p->http_host = s_host;
    p->http_expect = 200;
    p->ldap_search = p->mail_from = p->mail_to = s_empty;
    p->mailbox_kind = CONFIG_PROBE_IMAP;
    p->poll_ms = 1000;
}

/* The defaults with @p n of @p probes (config_free must not free them:
 * unhook with unhook_probes()). */
static struct config *probe_conf(struct config_probe *probes, size_t n)
{
    struct config *conf = config_defaults();
    if (conf) {
        conf->probes = probes;
        conf->n_probes = n;
    }
    return conf;
}

static void unhook_probes(struct config *conf)
{
    conf->probes = NULL;
    conf->n_probes = 0;
    config_free(conf);
}

/* Not checked before a run; collector_run_once checks the probes side by
 * side, so five silent targets cost one timeout, not five: every one of
 * five silent servers had accepted its probe's connection before any
 * connection ended (a check ends by closing it), where one check after
 * the other would end the first before the second connects. */
static void test_probes_run_once(void)
{
    static const struct fake_action silent[] = {FAKE_SILENT, FAKE_END};
    struct config_probe probes[5];
    fake_server *fs[5];
    for (size_t i = 0; i < 5; i++) {
        fs[i] = fake_server_start(silent, NULL, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fs[i]);
        set_probe(probes, i, CONFIG_PROBE_HTTP, fake_server_port(fs[i]), 60, 1000);
    }
    struct config *conf = probe_conf(probes, 5);
    collector *c = collector_of(conf);
    struct collector_snapshot s;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
    CU_ASSERT_EQUAL_FATAL(s.n_probes, 5);
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(s.probes[i].state, PROBE_NOT_YET);

    ut_capture_stderr_start();
    collector_run_once(c);
    free(ut_capture_stderr_stop());
    /* Each server sees its client go after the check closed: once all
     * five have, compare the order of the accepts and the ends. */
    unsigned last_accept = 0, first_end = UINT_MAX;
    for (size_t i = 0; i < 5; i++) {
        for (int k = 0; k < 1000 && fake_server_completed(fs[i]) < 1; k++)
            nanosleep(&(struct timespec){0, 10000000L}, NULL);
        CU_ASSERT_EQUAL(fake_server_connections(fs[i]), 1);
        CU_ASSERT_EQUAL(fake_server_completed(fs[i]), 1);
        unsigned in = fake_server_accepted_at(fs[i]), out = fake_server_ended_at(fs[i]);
        last_accept = in > last_accept ? in : last_accept;
        first_end = out && out < first_end ? out : first_end;
    }
    CU_ASSERT(last_accept != 0 && last_accept < first_end);
    if (!(last_accept != 0 && last_accept < first_end))
        for (size_t i = 0; i < 5; i++)
            fprintf(stderr, "\n    server %zu: accepted %u, ended %u", i + 1,
                    fake_server_accepted_at(fs[i]), fake_server_ended_at(fs[i]));
    CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(s.probes[i].state, PROBE_DOWN);
        /* One collector_run_once(): one check each, and it failed. */
        CU_ASSERT_EQUAL(s.probes[i].checks, s.probes[i].failures);
        CU_ASSERT_EQUAL(s.probes[i].checks, 1);
        CU_ASSERT_EQUAL(s.probes[i].consecutive_failures, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(s.probes[i].last_error, "timed out"));
    }
    collector_snapshot_free(&s);
    collector_free(c);
    unhook_probes(conf);
    for (size_t i = 0; i < 5; i++)
        fake_server_stop(fs[i]);
}

/* Going down and coming back are logged once each. */
static void test_probe_log(void)
{
    struct config_probe probes[1];
    uint16_t port = 0;
    int fd = silent_listener(&port);
    CU_ASSERT_FATAL(fd >= 0);
    set_probe(probes, 0, CONFIG_PROBE_TCP, port, 60, 1000);
    struct config *conf = probe_conf(probes, 1);
    collector *c = collector_of(conf);
    struct collector_snapshot s;
    memset(&s, 0, sizeof s);

    ut_capture_stderr_start();
    collector_run_once(c);                 /* up: nothing to say */
    CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
    CU_ASSERT_EQUAL(s.probes[0].state, PROBE_UP);
    close(fd);                             /* refused from now on */
    const unsigned refused_checks = 3;     /* collector_run_once() calls */
    for (unsigned k = 0; k < refused_checks; k++)
        collector_run_once(c);
    CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
    CU_ASSERT_EQUAL(s.probes[0].state, PROBE_DOWN);
    CU_ASSERT_EQUAL(s.probes[0].consecutive_failures, refused_checks);
    fd = silent_listener(&port);
    CU_ASSERT_FATAL(fd >= 0);
    collector_run_once(c);
    collector_run_once(c);
    char *log = ut_capture_stderr_stop();
    CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
    CU_ASSERT_EQUAL(s.probes[0].state, PROBE_UP);
    CU_ASSERT_EQUAL(s.probes[0].checks, 6);
    CU_ASSERT_EQUAL(s.probes[0].failures, 3);
    char down[128], back[128];
    snprintf(down, sizeof down, "probe p1 (tcp %s): down: connect: ", probe_addrs[0]);
    snprintf(back, sizeof back, "probe p1 (tcp %s): up again after 3 failed checks",
             probe_addrs[0]);
    int n_down = 0, n_back = 0;
    for (const char *p = log; (p = strstr(p, down)) != NULL; p++)
        n_down++;
    for (const char *p = log; (p = strstr(p, back)) != NULL; p++)
        n_back++;
    CU_ASSERT_EQUAL(n_down, 1);
    CU_ASSERT_EQUAL(n_back, 1);
    if (n_down != 1 || n_back != 1)
        fprintf(stderr, "\n    the log:\n%s\n", log);
    free(log);
    collector_snapshot_free(&s);
    collector_free(c);
    unhook_probes(conf);
    close(fd);
}

/* The schedule rule: a probe's next check starts an interval after the
 * last one started (checks of 0.6 s every 1 s: 1 s apart, not 1.6 s); a
 * scan's next run an interval after the last one ended. */
static void test_schedule(void)
{
    CU_ASSERT_EQUAL(collector_next_run_ms(1, 10000, 10600, 1), 11000);
    CU_ASSERT_EQUAL(collector_next_run_ms(0, 10000, 10600, 1), 11600);
    /* A check longer than its interval is followed at once. */
    CU_ASSERT_EQUAL(collector_next_run_ms(1, 10000, 12500, 2), 12000);
    CU_ASSERT_EQUAL(collector_next_run_ms(0, 10000, 12500, 2), 14500);
    CU_ASSERT_EQUAL(collector_next_run_ms(1, 0, 0, 3600), 3600000);
}

/* The first probe's checks once it has made @p n, polling for at most
 * 30 s (0 if it never did). */
static uint64_t wait_probe0_checks(collector *c, uint64_t n)
{
    for (int64_t t0 = ut_now_ms(); ut_now_ms() - t0 < 30000;) {
        struct collector_snapshot s;
        memset(&s, 0, sizeof s);
        CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
        uint64_t checks = s.probes[0].checks;
        collector_snapshot_free(&s);
        if (checks >= n)
            return checks;
        nanosleep(&(struct timespec){0, 50000000L}, NULL);
    }
    return 0;
}

/* The threads: each probe checks on its own schedule (the first every
 * second, the second every 60 s: once while the first makes three);
 * probe threads are not niced; freeing the collector while checks hang
 * waits for them to end at their 2 s timeout, not for the 60 s interval. */
static void test_probe_threads(void)
{
    struct config_probe probes[3];
    int fds[3];
    for (size_t i = 0; i < 3; i++) {
        uint16_t port = 0;
        fds[i] = silent_listener(&port);
        CU_ASSERT_FATAL(fds[i] >= 0);
        set_probe(probes, i, CONFIG_PROBE_HTTP, port, i == 0 ? 1 : 60, i == 0 ? 600 : 2000);
    }
    struct config *conf = probe_conf(probes, 3);
    collector *c = collector_of(conf);
    ut_capture_stderr_start();
    start(c);
    errno = 0;
    int mine = getpriority(PRIO_PROCESS, 0);
    CU_ASSERT_EQUAL_FATAL(errno, 0);
    if (mine <= 9)
        CU_ASSERT_EQUAL(threads_with_nice(mine + 10), 0);

    CU_ASSERT(wait_probe0_checks(c, 3) >= 3);
    struct collector_snapshot s;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(collector_snapshot(c, &s), 0);
    CU_ASSERT(s.probes[0].checks >= 3);
    CU_ASSERT_EQUAL(s.probes[0].state, PROBE_DOWN);
    CU_ASSERT_EQUAL(s.probes[1].checks, 1);  /* interval 60 s: once */

    /* Probes 2 and 3 wait out their 2 s timeout every 60 s: start a
     * fresh collector, let their checks begin, and free it at once. */
    collector_snapshot_free(&s);
    collector_free(c);
    c = collector_of(conf);
    start(c);
    nanosleep(&(struct timespec){0, 200000000L}, NULL);
    int64_t t0 = ut_now_ms();
    collector_free(c);
    int64_t stop_ms = ut_now_ms() - t0;
    free(ut_capture_stderr_stop());
    /* Half the interval: far above the 2 s timeout on any machine, far
     * below the 60 s a stop that waited out the interval would take. */
    CU_ASSERT(stop_ms < 30000);
    if (stop_ms >= 30000)
        fprintf(stderr, "\n    stopping took %" PRId64 " ms\n", stop_ms);
    unhook_probes(conf);
    for (size_t i = 0; i < 3; i++)
        close(fds[i]);
}

UT_MAIN("collector",
        {"rows before and after a run", test_before_and_after_a_run},
        {"threads", test_threads},
        {"probes: run once, side by side", test_probes_run_once},
        {"probes: down and back logged once", test_probe_log},
        {"schedule: probes start to start, scans end to start", test_schedule},
        {"probes: threads, schedule, stopping", test_probe_threads},
        {"nothing configured", test_nothing_configured})
