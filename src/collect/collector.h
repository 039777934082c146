/*
 * collector.h - runs the configured collectors (queues, partitions,
 * connections, processes, probes) on their own schedule, off mtamond's
 * request path, and keeps each one's last complete result.
 *
 * Each job (one per queue, one per partition, one for the connection
 * tables, one for the process watch, one per probe) runs on a thread of
 * its own, so a 1,000,000-file queue, a hung file system or a server
 * that accepts and never answers delays nothing but itself.  The scanning
 * jobs run niced; the probe jobs do not (they measure response times)
 * and run every interval from start to start (a check never takes longer
 * than its timeout).
 * A job's result is published whole, under a lock held only to copy it:
 * collector_snapshot() sees every job's last complete run, never half of
 * one.  A job whose source becomes unreadable logs it once (and once
 * again when it recovers) and reports it as unavailable.
 *
 * No SNMP here: mtamond's view takes a snapshot per refresh.
 */
#ifndef MTAMON_COLLECTOR_H
#define MTAMON_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "connections.h"
#include "mtamon_config.h"
#include "partition.h"
#include "probe.h"
#include "process_watch.h"
#include "queue_scan.h"

typedef struct collector collector;

/**
 * The schedule rule: when a job that started at @p started_ms and ended at
 * @p ended_ms (monotonic_ms() times) runs next.  A probe's next check
 * starts @p interval_s after this one started, so a check's duration (at
 * most its timeout) does not drift the schedule and one longer than the
 * interval is followed at once; a scan's next run starts @p interval_s
 * after this one ended, so a scan longer than its interval never runs back
 * to back.
 */
int64_t collector_next_run_ms(int is_probe, int64_t started_ms, int64_t ended_ms,
                              unsigned interval_s);

/** The last complete result of every job, copied out. */
struct collector_snapshot {
    /** Queue rows in config order (a postfix queue gives six). */
    struct queue_scan_stats *queues;
    /** For each row, the configured queue it belongs to. */
    const struct config_queue **queue_conf;
    size_t n_queues;
    struct partition_stats *partitions;      /**< config order */
    size_t n_partitions;
    struct connections_stats connections;    /**< ok = 0 until read */
    struct process_watch_stats *processes;   /**< config order */
    size_t n_processes;
    /** Each probe's running result, in config order (probes:); state
     * PROBE_NOT_YET before its first check. */
    struct probe_result *probes;
    size_t n_probes;
};

/**
 * The jobs of @p conf (which must outlive the collector), not started.
 * @p proc_root is where /proc is ("/proc"; another tree in tests).  NULL
 * on ENOMEM.  A probe that cannot be set up (probe_new() fails, e.g. its
 * tls_ca cannot be read) is logged once and each of its checks is down
 * with the error "setup: REASON".
 */
collector *collector_new(const struct config *conf, const char *proc_root);

/**
 * Start one thread per job; each runs at once, then every interval.  The
 * threads block every signal (the main loop handles them).  Returns 0, or
 * -1 with the reason in @p err.  A collector without jobs starts nothing.
 */
int collector_start(collector *c, char *err, size_t errlen);

/**
 * Run every job once, now (for `mtamon queue` and for tests); the results
 * are published as a thread's would be.  The probes run side by side, one
 * thread each (so N silent targets cost one timeout, not N), the other
 * jobs on the calling thread meanwhile; returns when all are done.
 */
void collector_run_once(collector *c);

/**
 * Copy the published results into @p out (zeroed, or filled by an
 * earlier call: its arrays are reused).  Rows not run yet have status
 * NOT_YET.  Returns 0, or -1 on ENOMEM (@p out then holds no rows).
 */
int collector_snapshot(collector *c, struct collector_snapshot *out);

/* What reads a snapshot (collector_snapshot.c: no threads, no jobs). */

/** Free the arrays of @p s and zero it. */
void collector_snapshot_free(struct collector_snapshot *s);

/**
 * The row of @p s called @p name ("NAME" or "NAME/SUBQUEUE"), or NULL.
 */
const struct queue_scan_stats *
collector_snapshot_queue_row(const struct collector_snapshot *s, const char *name);

/** The connection counts of @p port in @p s, or NULL when not watched. */
const struct connections_port *
collector_snapshot_port(const struct collector_snapshot *s, uint16_t port);

/**
 * Stop and join the threads, then free everything (NULL is fine).  Waits
 * at most for the longest running job: a probe check in progress ends
 * within its timeout.
 */
void collector_free(collector *c);

#endif /* MTAMON_COLLECTOR_H */
