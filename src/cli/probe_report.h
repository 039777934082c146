/*
 * probe_report.h - what `mtamon probe` prints of the checks it ran: a
 * table, one JSON object, or a Nagios plugin's status line with perfdata;
 * and the exit status they add up to.  No I/O but the stream given.
 */
#ifndef MTAMON_PROBE_REPORT_H
#define MTAMON_PROBE_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "mtamon_config.h"
#include "probe.h"

/** Exit statuses (and Nagios plugin statuses) of `mtamon probe`. */
enum probe_report_status {
    PROBE_REPORT_OK = 0,       /**< every probe up */
    PROBE_REPORT_WARNING = 1,  /**< one slow, none down */
    PROBE_REPORT_CRITICAL = 2, /**< one down */
    PROBE_REPORT_UNKNOWN = 3,  /**< --nagios: bad arguments or configuration */
};

/** One probe that ran: its configuration and the result of its check. */
struct probe_report_row {
    const struct config_probe *conf;
    struct probe_result result;   /**< after probe_result_add() of the check */
};

/** The status @p n rows add up to: CRITICAL when one is down, else
 * WARNING when one is slow, else OK. */
enum probe_report_status probe_report_status(const struct probe_report_row *rows, size_t n);

/** "up", "slow" or "down" (a probe not checked counts as down). */
const char *probe_report_state(enum probe_state state);

/**
 * A table, NAME KIND ADDRESS STATE TIME ERROR, each probe followed by an
 * indented line of its step times.  0, or -1 when writing failed.
 */
int probe_report_text(FILE *out, const struct probe_report_row *rows, size_t n);

/**
 * One JSON object {"probes":[{"name", "kind", "address", "tls", "state",
 * "ok", "total_ms", "reply_code", "error", "steps":{STEP: ms...}}...]}
 * and a newline.  0, or -1 when writing failed.
 */
int probe_report_json(FILE *out, const struct probe_report_row *rows, size_t n);

/** The "probes" array of probe_report_json(), without a newline. */
void probe_report_json_array(FILE *out, const struct probe_report_row *rows, size_t n);

/**
 * The interval layout: a line per probe, TIME NAME KIND ADDRESS STATE MS
 * ERROR, with @p clock in the TIME column, after the headings when
 * @p headings.  0, or -1 when writing failed.
 */
int probe_report_compact(FILE *out, const char *clock, const struct probe_report_row *rows,
                         size_t n, int headings);

/**
 * One Nagios plugin line: "MTAMON PROBE OK - 3 up", "... WARNING - imap
 * slow (2310 ms)", "... CRITICAL - smtp down: greeting: 421 ..." (every
 * down probe, then every slow one, separated by ", "), then " | " and
 * NAME=MSms;WARN;CRIT;0 per probe (WARN the slow threshold, empty when
 * never slow; CRIT the timeout).  0, or -1 when writing failed.
 */
int probe_report_nagios(FILE *out, const struct probe_report_row *rows, size_t n);

#endif /* MTAMON_PROBE_REPORT_H */
