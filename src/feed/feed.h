/*
 * feed.h - `mtamon feed`: MTA log lines in, libmtamon calls out.
 *
 *   follow.c        reads a file like tail -F (rotation, copytruncate,
 *                   state file) or standard input, and hands over lines
 *   parse_sunmta.c  Sun/Oracle Messaging Server mail.log records
 *   parse_postfix.c Postfix syslog records
 *   parse_exim.c    Exim main log records
 *   parse_sendmail.c Sendmail syslog records
 *   feed_text.c     the scanners the parsers read a line with
 *   feed_time.c     their time stamps (RFC 3339, classic syslog)
 *   feed_qid.c      their queue-id table, feed_names.c the channel names
 *                   it refers to, feed_event.c a fresh event,
 *                   feed_status.c an SMTP status of a line
 *   sink.c          turns parsed events into libmtamon calls
 *
 * A parser knows nothing of files or of the segment: it reads one line
 * (any bytes, no newline) and emits zero or more events through a
 * callback, so it is tested and fuzzed on strings alone.  It keeps what a
 * format needs across lines (Postfix: the queue ids it saw).
 */
#ifndef MTAMON_FEED_H
#define MTAMON_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon.h"

/** Longest line a parser is given; longer lines are counted as too long. */
#define FEED_LINE_MAX 65536

/** Text sizes of an event (names bounded like libmtamon's). */
#define FEED_NAME_MAX MTAMON_CHANNEL_NAME_MAX
#define FEED_REMOTE_MAX MTAMON_REMOTE_MAX
#define FEED_REASON_MAX MTAMON_REASON_MAX
#define FEED_KEY_MAX 95

/** What happened, each kind mapping to one libmtamon call. */
enum feed_event_kind {
    FEED_ENQUEUE,      /**< mtamon_enqueue(src or 0, channel, rcpts, octets) */
    FEED_SUBMIT,       /**< mtamon_enqueue(channel, 0, rcpts, octets): the
                            channel's Submitted only, for a source learned
                            after the destination was counted */
    FEED_DEQUEUE,      /**< mtamon_dequeue(channel, rcpts, octets, first, queue_ms) */
    FEED_TEMPFAIL,     /**< mtamon_tempfail(channel, rcpts, octets, status) */
    FEED_REJECT,       /**< mtamon_reject(channel, rcpts, octets, status, reason) */
    FEED_FAIL,         /**< mtamon_fail(channel, rcpts, octets, status) */
    FEED_CONVERT,      /**< mtamon_convert(channel, ok) */
    FEED_LOOP,         /**< mtamon_loop(channel) */
    FEED_ASSOC_OPEN,   /**< mtamon_assoc_open(channel, direction, remote); key names it */
    FEED_ASSOC_CLOSE,  /**< mtamon_assoc_close of the open one with the same key */
    FEED_ASSOC_REJECT, /**< mtamon_assoc_reject(channel, status, reason) */
    FEED_ASSOC_FAIL,   /**< mtamon_assoc_fail(channel, status, reason) */
};

/** One event.  Strings are NUL-terminated, "" when absent. */
struct feed_event {
    enum feed_event_kind kind;
    int64_t time_ms;                    /**< when it happened (the log's), 0 = unknown */
    char channel[FEED_NAME_MAX + 1];    /**< the channel the event counts on */
    char src[FEED_NAME_MAX + 1];        /**< FEED_ENQUEUE: source channel, "" = none */
    uint32_t recipients;
    uint64_t octets;                    /**< message size in octets */
    int first_attempt;                  /**< FEED_DEQUEUE */
    int64_t queue_ms;                   /**< FEED_DEQUEUE: time in queue, -1 = unknown */
    mtamon_status_code status;          /**< 0 = none */
    int ok;                             /**< FEED_CONVERT */
    mtamon_direction direction;         /**< FEED_ASSOC_OPEN/CLOSE */
    char remote[FEED_REMOTE_MAX + 1];   /**< FEED_ASSOC_OPEN */
    char reason[FEED_REASON_MAX + 1];   /**< FEED_REJECT, FEED_ASSOC_REJECT/FAIL */
    /** FEED_ASSOC_OPEN/CLOSE: what pairs a close with its open (e.g.
     * "postfix/smtpd[1234]" or a Sun connection's process and address). */
    char key[FEED_KEY_MAX + 1];
};

/** Receives each event a parser emits, in order. */
typedef void (*feed_emit_fn)(void *ctx, const struct feed_event *ev);

/** What a parser made of one line. */
enum feed_line_result {
    FEED_LINE_COUNTED,   /**< a known record; it emitted one or more events */
    FEED_LINE_KNOWN,     /**< a known record with nothing to count */
    FEED_LINE_SKIPPED,   /**< not a record of this format (another program's line) */
    FEED_LINE_UNPARSED,  /**< looks like one of its records but is malformed */
};

/** A log format. */
struct feed_format {
    const char *name;                       /**< "sunmta", "postfix" */
    /** New parser state, NULL on ENOMEM. */
    void *(*create)(void);
    /** Free it (NULL is fine). */
    void (*destroy)(void *state);
    /**
     * Parse @p line (@p len bytes, no newline, not NUL-terminated, any
     * bytes, len <= FEED_LINE_MAX).  Emits the line's events through
     * @p emit before returning.  Must never crash or read past @p len.
     */
    enum feed_line_result (*parse)(void *state, const char *line, size_t len,
                                   feed_emit_fn emit, void *ctx);
    /** Its lines have no syslog header: the journal source (journal.h)
     * hands over an entry's MESSAGE alone. */
    int message_only;
};

/** The Sun/Oracle Messaging Server mail.log format (parse_sunmta.c). */
extern const struct feed_format feed_format_sunmta;

/** The Postfix syslog format (parse_postfix.c). */
extern const struct feed_format feed_format_postfix;

/** The Exim main log format (parse_exim.c). */
extern const struct feed_format feed_format_exim;
/** The Sendmail syslog format (parse_sendmail.c). */
extern const struct feed_format feed_format_sendmail;

/** The format called @p name, or NULL. */
const struct feed_format *feed_format_find(const char *name);

#endif /* MTAMON_FEED_H */
