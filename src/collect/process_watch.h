/*
 * process_watch.h - are the MTA's processes running (processes: in
 * mtamon.yaml)?  The seed checked that exactly one dispatcher and one
 * job_controller run; here each watch matches processes by pidfile or by
 * executable name (plus an optional argument), read from PROC_ROOT.  No
 * SNMP here.
 */
#ifndef MTAMON_PROCESS_WATCH_H
#define MTAMON_PROCESS_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"

/** State of one watch. */
enum process_watch_status {
    PROCESS_WATCH_NOT_YET = 0,      /**< not scanned yet */
    PROCESS_WATCH_RUNNING = 1,      /**< min <= count (<= max when max) */
    PROCESS_WATCH_NOT_RUNNING = 2,  /**< too few (or too many) */
};

/** One watch after a scan. */
struct process_watch_stats {
    enum process_watch_status status;
    uint32_t count;          /**< matching processes */
    int32_t oldest_pid;      /**< the longest-running of them, 0 = none */
    int64_t oldest_start_ms; /**< its start, ms since the epoch, 0 = none */
    int64_t read_ms;         /**< when the scan was made (wall clock) */
};

/**
 * One pass over PROC_ROOT (@p proc_root is "/proc" except in tests) for
 * the @p n watches of @p w, into @p out[0 .. n-1].  Processes that exit
 * during the scan are skipped.  Returns 0, or -1 when PROC_ROOT cannot be
 * read (every out[i] NOT_RUNNING).
 */
int process_watch_scan(const char *proc_root, const struct config_process *w,
                       size_t n, struct process_watch_stats *out);

#endif /* MTAMON_PROCESS_WATCH_H */
