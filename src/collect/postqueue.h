/*
 * postqueue.h - the Postfix queue as `postqueue -j` lists it, for a spool
 * that cannot be read directly (its directories are mode 0700 postfix;
 * postqueue asks showq(8) and works for any user).
 *
 * `postqueue -j` writes one JSON object per line and message (JSON Lines):
 *
 *   {"queue_name": "deferred", "queue_id": "4Xy2Kq0bQmz1", "arrival_time":
 *    1714564800, "message_size": 2213, "forced_expire": false, "sender":
 *    "...", "recipients": [{"address": "...", "delay_reason": "..."}]}
 *
 * The reader is a small purpose-built parser of that: a whole JSON object
 * per line (any valid JSON inside, nested at most 64 deep), of which the
 * top-level keys queue_name and queue_id (strings), arrival_time (an
 * integer) and message_size (an integer >= 0) are required and kept, and
 * every other key is checked and ignored.  A line that is not such an
 * object is malformed: counted and skipped, never a crash.  Lines longer
 * than POSTQUEUE_LINE_MAX (a message with thousands of recipients) are
 * read in their first POSTQUEUE_LINE_MAX bytes: the required keys come
 * first in postqueue's output, so the message still counts when they are
 * all in that part; memory stays bounded whatever postqueue writes.
 */
#ifndef MTAMON_POSTQUEUE_H
#define MTAMON_POSTQUEUE_H

#include <stddef.h>
#include <stdint.h>

/** Bytes of one output line parsed at most. */
#define POSTQUEUE_LINE_MAX 65536

/** Longest queue name kept ("deferred"; longer names are cut). */
#define POSTQUEUE_QUEUE_NAME_MAX 15

/** Longest queue id kept (Postfix: 255). */
#define POSTQUEUE_ID_MAX 255

/** One message of the listing. */
struct postqueue_msg {
    char queue_name[POSTQUEUE_QUEUE_NAME_MAX + 1];
    char queue_id[POSTQUEUE_ID_MAX + 1];   /**< non-printable bytes as '?' */
    int64_t arrival_s;                      /**< arrival_time */
    uint64_t size;                          /**< message_size */
};

/**
 * Parse the line at @p line (@p len bytes, no newline needed; NULs are
 * malformed).  @p truncated: the line went on past @p len (it was cut).
 * Returns 0 and fills *@p msg for a message, 1 for a blank line, -1 for a
 * malformed line with the reason in @p err ("byte 17: expected ':'",
 * "no queue_id").
 */
int postqueue_parse_line(const char *line, size_t len, int truncated,
                         struct postqueue_msg *msg, char *err, size_t errlen);

/** What postqueue_run() does with each message. */
typedef void (*postqueue_fn)(void *ctx, const struct postqueue_msg *msg);

/** What a run found besides the messages. */
struct postqueue_outcome {
    uint64_t bad_lines;         /**< malformed lines skipped */
    char first_bad[200];        /**< "line N: why" of the first, or "" */
};

/**
 * Run @p command -j (with -c @p config_dir when it is not "") by fork and
 * execve, no shell, standard input /dev/null, and give each message of its
 * output to @p fn.  After @p timeout_ms the command is killed (SIGKILL).
 * Returns 0 when it ran to the end and exited with status 0 (*@p outcome
 * tells of malformed lines); -1 with the reason in @p err when it could
 * not be started, was killed, timed out or failed ("postqueue: fatal:
 * Queue report unavailable - mail system is down", its first line of
 * standard error, else its exit status); the messages given to @p fn
 * before a failure are to be discarded by the caller.
 */
int postqueue_run(const char *command, const char *config_dir, int timeout_ms,
                  postqueue_fn fn, void *ctx, struct postqueue_outcome *outcome,
                  char *err, size_t errlen);

#endif /* MTAMON_POSTQUEUE_H */
