/*
 * feed_syslog.h - the syslog header the Postfix and Sendmail parsers
 * read before a message: "TIME HOST TAG[PID]: ", TIME RFC 3339 or
 * classic (feed_time.h), [PID] optional.
 */
#ifndef MTAMON_FEED_SYSLOG_H
#define MTAMON_FEED_SYSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "feed_time.h"

/** What a header says. */
struct feed_syslog {
    int64_t time_ms;
    const char *tag;  /**< the tag, without "[PID]" */
    size_t tag_len;
    size_t key_len;   /**< the tag through "]" (tag_len when no pid) */
    const char *msg;  /**< the message, after ": " */
};

/**
 * Read the header of [@p line, @p end), classic stamps through @p classic.
 * A tag @p ours does not take (it gets the tag and its length) makes the
 * line FEED_LINE_SKIPPED; a malformed header makes it FEED_LINE_UNPARSED
 * (a malformed time, host or tag before @p ours is asked, a malformed
 * "[PID]: " after).  FEED_LINE_KNOWN: a header, *@p h filled.
 */
enum feed_line_result feed_syslog_header(struct feed_time_classic *classic,
                                         const char *line, const char *end,
                                         int (*ours)(const char *tag, size_t n),
                                         struct feed_syslog *h);

#endif /* MTAMON_FEED_SYSLOG_H */
