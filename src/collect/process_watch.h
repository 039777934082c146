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

/** Longest error text kept. */
#define PROCESS_WATCH_ERROR_MAX 256

/** One watch after a scan. */
struct process_watch_stats {
    enum process_watch_status status;
    /** Why nothing could be counted, else "": "PROC: what" when PROC_ROOT
     * cannot be read, "PIDFILE: what" when the pidfile is missing, holds
     * no pid or names a process that is not running.  A count outside
     * min..max is no error. */
    char error[PROCESS_WATCH_ERROR_MAX];
    uint32_t count;          /**< matching processes */
    int32_t oldest_pid;      /**< the longest-running of them, 0 = none */
    int64_t oldest_start_ms; /**< its start, ms since the epoch, 0 = none */
    int64_t read_ms;         /**< when the scan was made (wall clock) */
};

/**
 * One pass over PROC_ROOT (@p proc_root is "/proc" except in tests) for
 * the @p n watches of @p w, into @p out[0 .. n-1].
 *
 * An executable watch counts the processes whose executable's base name
 * (readlink of PROC/PID/exe, without the " (deleted)" the kernel appends
 * once the file was replaced, as by a package upgrade) equals
 * `executable`.  Where exe cannot be read (another user's process, for an
 * unprivileged scanner) PROC/PID/comm stands in: the kernel cuts it to 15
 * bytes, so then only the first 15 bytes of `executable` are compared, and
 * a process may have renamed itself there.  With `argument`, one of
 * argv[1..] (PROC/PID/cmdline, its first 256 KiB) must contain it.
 *
 * A pidfile watch counts the process whose pid the file holds (decimal,
 * blanks around it allowed, at most 63 bytes), if PROC/PID exists.
 *
 * Zombies (state Z or X in PROC/PID/stat) count as not running.  The
 * oldest is the process with the earliest start (field 22 of
 * PROC/PID/stat, clock ticks since boot, plus btime from PROC/stat; the
 * start is 0 when btime cannot be read), ties to the lower pid.
 * Processes that exit during the scan are skipped.  Returns 0, or -1 when
 * PROC_ROOT cannot be read (every out[i] NOT_RUNNING, with the reason).
 */
int process_watch_scan(const char *proc_root, const struct config_process *w,
                       size_t n, struct process_watch_stats *out);

#endif /* MTAMON_PROCESS_WATCH_H */
