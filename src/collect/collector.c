/*
 * collector.c - the collectors' jobs, their threads and the published
 * results (see collector.h).
 */
#include "collector.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "monotonic.h"

/* A thread scans a tree or reads /proc: no deep recursion, small frames. */
#define JOB_STACK_SIZE ((size_t)256 << 10)

/* A probe's thread runs OpenSSL's handshake and certificate checks, whose
 * frames are larger: give it what a default thread has to spare. */
#define PROBE_STACK_SIZE ((size_t)1 << 20)

/* How much nicer than the request path a collector thread runs: a scan
 * of a million files is CPU work that must not lengthen a GET's tail
 * when the machine is busy (bench/agent/get_during_scan). */
#define JOB_NICE 10   /* added to the daemon's nice value */

enum job_kind { JOB_QUEUE, JOB_PARTITION, JOB_CONNECTIONS, JOB_PROCESSES, JOB_PROBE };

struct job {
    collector *c;
    enum job_kind kind;
    size_t first;                 /* its first row in the published arrays */
    size_t n_rows;
    const struct config_queue *queue;
    const struct config_partition *partition;
    const struct config_probe *probe_conf;
    probe *probe;                 /* NULL when probe_new() failed: */
    char probe_err[PROBE_ERROR_MAX]; /* why */
    unsigned interval_s;
    pthread_t thread;
    int started;
    int was_ok;                   /* -1 before the first run */
    /* What the last run found; only the job's thread touches these. */
    struct queue_scan_stats rows[QUEUE_SCAN_ROWS_MAX];
    struct partition_stats part;
    struct connections_stats conns;
    struct process_watch_stats *procs;
    /* Processes that were running at the last run (for the log). */
    unsigned char *procs_running;
    uint32_t failures_before;     /* consecutive failures before the last check */
    struct probe_result result;   /* the probe's running result */
};

struct collector {
    const struct config *conf;
    char *proc_root;
    pthread_mutex_t lock;         /* guards pub and stopping */
    pthread_cond_t wake;          /* signalled to stop the threads */
    int cond_ready;
    int stopping;
    struct job *jobs;
    size_t n_jobs;
    struct collector_snapshot pub;
};

/* ------------------------------------------------------------------------ */
/* Running a job                                                             */

/* Log a job's source turning unreadable or readable again, once each. */
static void log_change(struct job *j, int ok, const char *what, const char *name,
                       const char *error)
{
    if (ok == j->was_ok)
        return;
    if (!ok)
        log_msg(LOG_WARNING, "%s %s: %s", what, name, error);
    else if (j->was_ok == 0)
        log_msg(LOG_NOTICE, "%s %s: readable again", what, name);
    j->was_ok = ok;
}

static void log_process_changes(struct job *j)
{
    const struct config *conf = j->c->conf;
    for (size_t i = 0; i < conf->n_processes; i++) {
        int running = j->procs[i].status == PROCESS_WATCH_RUNNING;
        if (j->was_ok >= 0 && running == j->procs_running[i])
            continue;
        const struct config_process *p = &conf->processes[i];
        if (!running)
            log_msg(LOG_WARNING, "process %s: not running (%u found, %u to %s wanted)",
                    p->name, (unsigned)j->procs[i].count, p->min,
                    p->max ? "max" : "any");
        else if (j->was_ok >= 0)
            log_msg(LOG_NOTICE, "process %s: running again (%u found)", p->name,
                    (unsigned)j->procs[i].count);
        j->procs_running[i] = (unsigned char)running;
    }
    j->was_ok = 1;
}

/* Log a probe going down, and coming back (up or slow), once each. */
static void log_probe_change(struct job *j)
{
    const struct probe_result *r = &j->result;
    int ok = r->state != PROBE_DOWN;
    if (ok == j->was_ok || (ok && j->was_ok < 0)) {
        j->was_ok = ok;
        return;
    }
    if (!ok)
        log_msg(LOG_WARNING, "probe %s (%s %s): down: %s", j->probe_conf->name,
                config_probe_kind_name(j->probe_conf->kind),
                j->probe_conf->server.address, r->last.error);
    else
        log_msg(LOG_NOTICE, "probe %s (%s %s): %s again after %u failed checks (%u ms)",
                j->probe_conf->name, config_probe_kind_name(j->probe_conf->kind),
                j->probe_conf->server.address, probe_state_name(r->state),
                (unsigned)j->failures_before, (unsigned)r->last.total_ms);
    j->was_ok = ok;
}

/* One check of probe job @p j, added to its result. */
static void probe_run(struct job *j)
{
    struct probe_check check;
    if (j->probe) {
        probe_check(j->probe, &check);
    } else {
        memset(&check, 0, sizeof check);
        snprintf(check.error, sizeof check.error, "setup: %.*s",
                 (int)(sizeof check.error - sizeof "setup: "), j->probe_err);
    }
    j->failures_before = j->result.consecutive_failures;
    probe_result_add(&j->result, &check, j->probe_conf->slow_ms, time(NULL));
    log_probe_change(j);
}

/* Run @p j once and publish what it found. */
static void job_run(struct job *j)
{
    collector *c = j->c;
    switch (j->kind) {
    case JOB_QUEUE: {
        int ok = queue_scan(j->queue, j->rows) == 0;
        log_change(j, ok, "queue", j->queue->name, j->rows[0].error);
        pthread_mutex_lock(&c->lock);
        memcpy(&c->pub.queues[j->first], j->rows, j->n_rows * sizeof j->rows[0]);
        pthread_mutex_unlock(&c->lock);
        break;
    }
    case JOB_PARTITION: {
        int ok = partition_read(j->partition->path, &j->part) == 0;
        log_change(j, ok, "partition", j->partition->name, j->part.error);
        pthread_mutex_lock(&c->lock);
        c->pub.partitions[j->first] = j->part;
        pthread_mutex_unlock(&c->lock);
        break;
    }
    case JOB_CONNECTIONS: {
        int ok = connections_read(c->proc_root, &c->conf->connections, &j->conns) == 0;
        log_change(j, ok, "connections", "table", j->conns.error);
        pthread_mutex_lock(&c->lock);
        if (connections_copy(&c->pub.connections, &j->conns) != 0)
            c->pub.connections.ok = 0;
        pthread_mutex_unlock(&c->lock);
        break;
    }
    case JOB_PROCESSES: {
        if (process_watch_scan(c->proc_root, c->conf->processes, c->conf->n_processes,
                               j->procs) != 0)
            log_change(j, 0, "process watch:", c->proc_root, "cannot be read");
        else
            log_process_changes(j);
        pthread_mutex_lock(&c->lock);
        memcpy(c->pub.processes, j->procs, c->conf->n_processes * sizeof j->procs[0]);
        pthread_mutex_unlock(&c->lock);
        break;
    }
    case JOB_PROBE:
        probe_run(j);
        pthread_mutex_lock(&c->lock);
        c->pub.probes[j->first] = j->result;
        pthread_mutex_unlock(&c->lock);
        break;
    }
}

int64_t collector_next_run_ms(int is_probe, int64_t started_ms, int64_t ended_ms,
                              unsigned interval_s)
{
    return (is_probe ? started_ms : ended_ms) + (int64_t)interval_s * 1000;
}

/* The CLOCK_MONOTONIC timespec of @p ms, a monotonic_ms() time. */
static struct timespec monotonic_timespec(int64_t ms)
{
    return (struct timespec){.tv_sec = (time_t)(ms / 1000),
                             .tv_nsec = (long)(ms % 1000) * 1000000L};
}

static void *job_thread(void *arg)
{
    struct job *j = arg;
    collector *c = j->c;
    /* Linux gives each thread its own nice value, inherited from the
     * thread that made it: JOB_NICE more than the daemon's (at most 19).
     * Failing to lower it only costs latency, so it is not checked.  A
     * probe is not niced: it measures response times, and a busy machine
     * must not make a server look slow. */
    if (j->kind != JOB_PROBE) {
        id_t tid = (id_t)syscall(SYS_gettid);
        errno = 0;
        int nice_now = getpriority(PRIO_PROCESS, tid);
        if (errno == 0)
            (void)setpriority(PRIO_PROCESS, tid,
                              nice_now + JOB_NICE > 19 ? 19 : nice_now + JOB_NICE);
    }
    for (;;) {
        int64_t started_ms = monotonic_ms();
        job_run(j);
        struct timespec until = monotonic_timespec(collector_next_run_ms(
            j->kind == JOB_PROBE, started_ms, monotonic_ms(), j->interval_s));
        pthread_mutex_lock(&c->lock);
        int rc = 0;
        while (!c->stopping && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&c->wake, &c->lock, &until);
        int stop = c->stopping;
        pthread_mutex_unlock(&c->lock);
        if (stop)
            return NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* Building the jobs                                                         */

static int add_job(collector *c, enum job_kind kind, size_t first, size_t n_rows,
                   unsigned interval_s)
{
    struct job *j = &c->jobs[c->n_jobs++];
    memset(j, 0, sizeof *j);
    j->c = c;
    j->kind = kind;
    j->first = first;
    j->n_rows = n_rows;
    j->interval_s = interval_s ? interval_s : 1;
    j->was_ok = -1;
    return 0;
}

static int make_jobs(collector *c)
{
    const struct config *conf = c->conf;
    size_t rows = 0;
    for (size_t i = 0; i < conf->n_queues; i++)
        rows += queue_scan_rows(&conf->queues[i]);
    size_t n = conf->n_queues + conf->n_partitions + 2 + conf->n_probes;
    c->jobs = calloc(n, sizeof *c->jobs);
    c->pub.queues = calloc(rows ? rows : 1, sizeof *c->pub.queues);
    c->pub.queue_conf = calloc(rows ? rows : 1, sizeof *c->pub.queue_conf);
    c->pub.partitions = calloc(conf->n_partitions ? conf->n_partitions : 1,
                               sizeof *c->pub.partitions);
    c->pub.processes = calloc(conf->n_processes ? conf->n_processes : 1,
                              sizeof *c->pub.processes);
    c->pub.probes = calloc(conf->n_probes ? conf->n_probes : 1, sizeof *c->pub.probes);
    if (!c->jobs || !c->pub.queues || !c->pub.queue_conf || !c->pub.partitions ||
        !c->pub.processes || !c->pub.probes)
        return -1;
    c->pub.n_probes = conf->n_probes;
    c->pub.n_queues = rows;
    c->pub.n_partitions = conf->n_partitions;
    c->pub.n_processes = conf->n_processes;

    size_t row = 0;
    for (size_t i = 0; i < conf->n_queues; i++) {
        const struct config_queue *q = &conf->queues[i];
        size_t nr = queue_scan_rows(q);
        add_job(c, JOB_QUEUE, row, nr, q->interval_s);
        c->jobs[c->n_jobs - 1].queue = q;
        /* Until the first scan: the row names, not yet scanned. */
        struct queue_scan_stats *r = c->jobs[c->n_jobs - 1].rows;
        queue_scan_name_rows(q, r);   /* status NOT_YET */
        for (size_t k = 0; k < nr; k++)
            c->pub.queue_conf[row + k] = q;
        memcpy(&c->pub.queues[row], r, nr * sizeof *r);
        row += nr;
    }
    for (size_t i = 0; i < conf->n_partitions; i++) {
        add_job(c, JOB_PARTITION, i, 1, conf->partitions[i].interval_s);
        c->jobs[c->n_jobs - 1].partition = &conf->partitions[i];
    }
    if (conf->connections.n_ports)
        add_job(c, JOB_CONNECTIONS, 0, 1, conf->connections.interval_s);
    if (conf->n_processes) {
        add_job(c, JOB_PROCESSES, 0, conf->n_processes, conf->process_watch.interval_s);
        struct job *j = &c->jobs[c->n_jobs - 1];
        j->procs = calloc(conf->n_processes, sizeof *j->procs);
        j->procs_running = calloc(conf->n_processes, 1);
        if (!j->procs || !j->procs_running)
            return -1;
    }
    for (size_t i = 0; i < conf->n_probes; i++) {
        const struct config_probe *pc = &conf->probes[i];
        add_job(c, JOB_PROBE, i, 1, pc->interval_s);
        struct job *j = &c->jobs[c->n_jobs - 1];
        j->probe_conf = pc;
        j->probe = probe_new(pc, j->probe_err, sizeof j->probe_err);
        if (!j->probe)
            log_msg(LOG_ERR, "probe %s: %s", pc->name, j->probe_err);
    }
    return 0;
}

collector *collector_new(const struct config *conf, const char *proc_root)
{
    collector *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->conf = conf;
    c->proc_root = strdup(proc_root ? proc_root : "/proc");
    pthread_condattr_t ca;
    int cond_ok = pthread_condattr_init(&ca) == 0;
    if (cond_ok) {
        cond_ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
                  pthread_cond_init(&c->wake, &ca) == 0;
        pthread_condattr_destroy(&ca);
    }
    c->cond_ready = cond_ok;
    if (!c->proc_root || !cond_ok || pthread_mutex_init(&c->lock, NULL) != 0 ||
        make_jobs(c) != 0) {
        collector_free(c);
        return NULL;
    }
    return c;
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */

int collector_start(collector *c, char *err, size_t errlen)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        snprintf(err, errlen, "collectors: cannot set up threads");
        return -1;
    }
    /* The threads inherit a mask with every signal blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = 0;
    for (size_t i = 0; i < c->n_jobs && rc == 0; i++) {
        pthread_attr_setstacksize(&attr, c->jobs[i].kind == JOB_PROBE ? PROBE_STACK_SIZE
                                                                     : JOB_STACK_SIZE);
        int e = pthread_create(&c->jobs[i].thread, &attr, job_thread, &c->jobs[i]);
        if (e != 0) {
            snprintf(err, errlen, "collectors: cannot start a thread: %s", strerror(e));
            rc = -1;
        } else {
            c->jobs[i].started = 1;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return rc;
}

static void *run_once_thread(void *arg)
{
    job_run(arg);
    return NULL;
}

void collector_run_once(collector *c)
{
    /* Each probe on a thread of its own; one that cannot be started runs
     * here, in turn. */
    pthread_t *threads = calloc(c->n_jobs ? c->n_jobs : 1, sizeof *threads);
    unsigned char *started = calloc(c->n_jobs ? c->n_jobs : 1, 1);
    pthread_attr_t attr;
    int attr_ok = threads && started && pthread_attr_init(&attr) == 0;
    if (attr_ok)
        pthread_attr_setstacksize(&attr, PROBE_STACK_SIZE);
    for (size_t i = 0; attr_ok && i < c->n_jobs; i++)
        if (c->jobs[i].kind == JOB_PROBE)
            started[i] = pthread_create(&threads[i], &attr, run_once_thread,
                                        &c->jobs[i]) == 0;
    for (size_t i = 0; i < c->n_jobs; i++)
        if (!started || !started[i])
            job_run(&c->jobs[i]);
    for (size_t i = 0; started && i < c->n_jobs; i++)
        if (started[i])
            pthread_join(threads[i], NULL);
    if (attr_ok)
        pthread_attr_destroy(&attr);
    free(threads);
    free(started);
}

static void stop_threads(collector *c)
{
    pthread_mutex_lock(&c->lock);
    c->stopping = 1;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
    for (size_t i = 0; i < c->n_jobs; i++)
        if (c->jobs[i].started)
            pthread_join(c->jobs[i].thread, NULL);
}

void collector_free(collector *c)
{
    if (!c)
        return;
    if (c->jobs && c->cond_ready)
        stop_threads(c);
    for (size_t i = 0; c->jobs && i < c->n_jobs; i++) {
        connections_free(&c->jobs[i].conns);
        free(c->jobs[i].procs);
        free(c->jobs[i].procs_running);
        probe_free(c->jobs[i].probe);
    }
    free(c->jobs);
    collector_snapshot_free(&c->pub);
    if (c->cond_ready) {
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
    }
    free(c->proc_root);
    free(c);
}

/* ------------------------------------------------------------------------ */
/* Snapshots                                                                 */

/*
 * Give @p out arrays for @p pub's rows.  A collector's row counts are
 * fixed by its configuration (make_jobs), so this allocates at the first
 * copy only, and outside the lock.
 */
static int size_rows(struct collector_snapshot *out, const struct collector_snapshot *pub)
{
    if (out->queues && out->queue_conf && out->partitions && out->processes &&
        out->probes && out->n_queues == pub->n_queues &&
        out->n_partitions == pub->n_partitions && out->n_processes == pub->n_processes &&
        out->n_probes == pub->n_probes)
        return 0;
    collector_snapshot_free(out);
    out->queues = calloc(pub->n_queues ? pub->n_queues : 1, sizeof *out->queues);
    out->queue_conf = calloc(pub->n_queues ? pub->n_queues : 1, sizeof *out->queue_conf);
    out->partitions = calloc(pub->n_partitions ? pub->n_partitions : 1,
                             sizeof *out->partitions);
    out->processes = calloc(pub->n_processes ? pub->n_processes : 1, sizeof *out->processes);
    out->probes = calloc(pub->n_probes ? pub->n_probes : 1, sizeof *out->probes);
    if (!out->queues || !out->queue_conf || !out->partitions || !out->processes ||
        !out->probes) {
        collector_snapshot_free(out);
        return -1;
    }
    out->n_queues = pub->n_queues;
    out->n_partitions = pub->n_partitions;
    out->n_processes = pub->n_processes;
    out->n_probes = pub->n_probes;
    return 0;
}

int collector_snapshot(collector *c, struct collector_snapshot *out)
{
    const struct collector_snapshot *pub = &c->pub;
    if (size_rows(out, pub) != 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    int rc = connections_copy(&out->connections, &pub->connections);
    memcpy(out->queues, pub->queues, pub->n_queues * sizeof *out->queues);
    memcpy(out->queue_conf, pub->queue_conf, pub->n_queues * sizeof *out->queue_conf);
    memcpy(out->partitions, pub->partitions, pub->n_partitions * sizeof *out->partitions);
    memcpy(out->processes, pub->processes, pub->n_processes * sizeof *out->processes);
    memcpy(out->probes, pub->probes, pub->n_probes * sizeof *out->probes);
    pthread_mutex_unlock(&c->lock);
    if (rc != 0)
        collector_snapshot_free(out);
    return rc;
}
