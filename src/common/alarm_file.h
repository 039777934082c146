/*
 * alarm_file.h - mtamond's alarm state file (alarm_options.state_file,
 * default /var/lib/mtamon/alarms.json): the document, its JSON text and
 * its reader.  mtamond fills a document from its alarm engine and writes
 * it (src/agent/alarm_state.c); `mtamon alarms` reads it back and prints
 * it (src/cli/alarms.c).  Both sides go through this file, so the format
 * has one definition:
 *
 *   {"version": 1, "written_ms": 1764896553000, "host": "mx1",
 *    "notifications": {"sent": 3, "failed": 0, "suppressed": 0,
 *                      "summaries": 0, "pending": 0, "last_sequence": 3},
 *    "alarms": [
 *     {"index": 1, "name": "spool-space", "kind": "disk_free",
 *      "severity": "major", "raise": 10, "clear": 15, "interval": 30,
 *      "for": 0, "resend": 3600, "rows": [
 *       {"object": "spool", "state": "active", "value": 4.7,
 *        "last_value": 4.7, "raises": 1, "clears": 0, "resends": 0,
 *        "last_raise_ms": 1764896500000, "last_clear_ms": 0,
 *        "last_check_ms": 1764896550000, "sent": 1, "failed": 0,
 *        "suppressed": 0, "present": true}]}]}
 *
 * Every key is required; "value" is null before the first sample and
 * "last_value" before the first raise or clear; times are milliseconds
 * since the epoch, 0 = never.  Alarms come in configuration order (index
 * is the position, as mtamonAlarmIndex), rows in mtamonAlarmTable's
 * order.  A reader ignores keys it does not know (a newer mtamond may
 * add some) but refuses another version.
 *
 * Strings are written as JSON strings: '"' and '\' escaped, control
 * characters (C0, DEL, C1) and the characters a YAML reader takes for
 * line breaks or refuses (U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF) as
 * \uXXXX, other valid UTF-8 as it is, and a byte that is not part of
 * valid UTF-8 as the character U+00XX (its Latin-1 reading), so the file
 * is always valid UTF-8 JSON that reads back as written (object names
 * come from channel names in the counter segment: outside input).  Numbers are JSON
 * numbers, the shortest text that reads back as the same double.
 */
#ifndef MTAMON_ALARM_FILE_H
#define MTAMON_ALARM_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** The version this code writes and reads. */
#define ALARM_FILE_VERSION 1

/** Largest state file alarm_file_parse() is given by its callers (bytes). */
#define ALARM_FILE_MAX (16u * 1024 * 1024)

/** Longest object name (bytes), as ALARM_OBJECT_MAX in src/agent/alarm.h. */
#define ALARM_FILE_OBJECT_MAX 80

/** Longest alarm name, kind, severity and host name (bytes). */
#define ALARM_FILE_NAME_MAX 255

/** A row's state, numbered as enum alarm_state and mtamonAlarmState. */
enum alarm_file_state {
    ALARM_FILE_CLEAR = 1,
    ALARM_FILE_PENDING = 2,
    ALARM_FILE_ACTIVE = 3,
};

/** One (alarm, object) row. */
struct alarm_file_row {
    char *object;                 /**< "" for the segment kinds */
    enum alarm_file_state state;
    int has_value;                /**< value is known (not null) */
    double value;
    int has_last_value;           /**< last_value is known (not null) */
    double last_value;            /**< carried by the last raise or clear */
    uint64_t raises, clears, resends;
    int64_t last_raise_ms, last_clear_ms, last_check_ms;  /**< 0 = never */
    uint64_t sent, failed, suppressed;
    int present;                  /**< in the alarm's last sample set */
};

/** One configured alarm and its rows. */
struct alarm_file_alarm {
    uint32_t index;               /**< position in alarms:, 1..2^31 - 1 */
    char *name;
    char *kind;                   /**< as in mtamon.yaml: "disk_free" ... */
    char *severity;               /**< "critical", "major", "minor", "warning" */
    double raise, clear;          /**< thresholds, finite */
    uint32_t interval_s, for_s, resend_s;
    struct alarm_file_row *rows;
    size_t n_rows;
};

/** The whole file. */
struct alarm_file {
    int64_t written_ms;
    char *host;
    uint64_t sent, failed, suppressed, summaries, pending;
    uint32_t last_sequence;
    struct alarm_file_alarm *alarms;
    size_t n_alarms;
};

/** "clear", "pending" or "active" ("?" for another value). */
const char *alarm_file_state_name(enum alarm_file_state s);

/**
 * Write @p doc as the JSON above (newline-terminated) to @p out.
 * Returns 0, or -1 when writing failed (ferror).  Non-finite numbers
 * are written as null (a reader refuses them where null is not
 * allowed: the engine's values and the configured thresholds are
 * finite).
 */
int alarm_file_write_json(FILE *out, const struct alarm_file *doc);

/**
 * Parse the @p len bytes at @p text, read from the file @p name (for
 * messages only).  On success returns 0 and sets *@p out (free with
 * alarm_file_free()).  On error returns -1, sets *@p out to NULL and
 * writes one line, "NAME:LINE:COL: KEY: what is wrong" (the key path as
 * "alarms[0].rows[2].value"), or "NAME: what" for an empty file, into
 * @p err (@p errlen bytes; 256 + the name are enough).  Malformed JSON,
 * another version, a missing key, a value of the wrong type or out of
 * range (a count above 2^64 - 1, a time outside 0..2^63 - 1), a string
 * with a NUL byte or longer than its maximum, an unknown state, and
 * anchors, aliases and tags are errors.
 */
int alarm_file_parse(const char *name, const char *text, size_t len,
                     struct alarm_file **out, char *err, size_t errlen);

/** Free @p doc and everything in it (NULL is fine). */
void alarm_file_free(struct alarm_file *doc);

#endif /* MTAMON_ALARM_FILE_H */
