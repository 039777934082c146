/*
 * fuzz_feed.h - what the log-parser fuzz targets share: split the input
 * into lines and give each, in a buffer of exactly its length (so ASan
 * sees any read past it), to one parser state, so that per-line state
 * (Sun's retry memory, Postfix's queue ids) sees sequences of records.
 */
#ifndef MTAMON_FUZZ_FEED_H
#define MTAMON_FUZZ_FEED_H

#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "fuzz.h"

/* Every string of @p ev is NUL-terminated within its array, and its
 * channel is a valid channel name. */
static inline void fuzz_feed_check_strings(const struct feed_event *ev)
{
    FUZZ_CHECK(memchr(ev->channel, '\0', sizeof ev->channel) != NULL);
    FUZZ_CHECK(memchr(ev->src, '\0', sizeof ev->src) != NULL);
    FUZZ_CHECK(memchr(ev->remote, '\0', sizeof ev->remote) != NULL);
    FUZZ_CHECK(memchr(ev->reason, '\0', sizeof ev->reason) != NULL);
    FUZZ_CHECK(memchr(ev->key, '\0', sizeof ev->key) != NULL);
    FUZZ_CHECK(mtamon_channel_name_check(ev->channel, NULL) == MTAMON_OK);
}

/* What every log parser's events obey: a message event (ENQUEUE, DEQUEUE,
 * TEMPFAIL, REJECT, FAIL) counts exactly one recipient, a SUBMIT at least
 * one; only a DEQUEUE has a queue time, -1 (unknown) or more; no log
 * tells of a conversion or a loop. */
static inline void fuzz_feed_check_common(const struct feed_event *ev)
{
    FUZZ_CHECK(ev->kind == FEED_DEQUEUE || ev->queue_ms == -1);
    FUZZ_CHECK(ev->queue_ms >= -1);
    switch (ev->kind) {
    case FEED_SUBMIT:
        FUZZ_CHECK(ev->recipients >= 1);
        break;
    case FEED_ENQUEUE:
    case FEED_DEQUEUE:
    case FEED_TEMPFAIL:
    case FEED_REJECT:
    case FEED_FAIL:
        FUZZ_CHECK(ev->recipients == 1);
        break;
    case FEED_CONVERT:
    case FEED_LOOP:
        FUZZ_CHECK(0);
        break;
    default:
        break;
    }
}

/* The associations of a server's own SMTP sessions, as Postfix and Exim
 * log them: an opened one is inbound, an opened or closed one carries the
 * key that pairs them, a refused or failed one a status and a reason. */
static inline void fuzz_feed_check_session(const struct feed_event *ev)
{
    switch (ev->kind) {
    case FEED_ASSOC_OPEN:
        FUZZ_CHECK(ev->direction == MTAMON_INBOUND && ev->key[0] != '\0');
        break;
    case FEED_ASSOC_CLOSE:
        FUZZ_CHECK(ev->key[0] != '\0');
        break;
    case FEED_ASSOC_REJECT:
    case FEED_ASSOC_FAIL:
        FUZZ_CHECK(ev->status != 0 && ev->reason[0] != '\0');
        break;
    default:
        break;
    }
}

/* One run of fuzz_feed_lines(): the parser, its state, the target's
 * check of an event and the events of the current line. */
struct fuzz_feed_run {
    const struct feed_format *fmt;
    void *st;
    void (*check_event)(const struct feed_event *ev);
    size_t events_per_counted;
    size_t n_events;
};

/* The emit function: count the event, check its strings and what every
 * parser's events obey, then the target's invariants. */
static inline void fuzz_feed_event(void *ctx, const struct feed_event *ev)
{
    struct fuzz_feed_run *run = ctx;
    run->n_events++;
    fuzz_feed_check_strings(ev);
    fuzz_feed_check_common(ev);
    run->check_event(ev);
}

/* Parse one line (cut to FEED_LINE_MAX) from a buffer of exactly its
 * length: the result is one of the four, and events came from a COUNTED
 * line only, as many as the run wants. */
static inline void fuzz_feed_line(const char *p, size_t len, void *ctx)
{
    struct fuzz_feed_run *run = ctx;
    if (len > FEED_LINE_MAX)
        len = FEED_LINE_MAX;
    char *line = fuzz_copy(p, len);
    run->n_events = 0;
    enum feed_line_result r = run->fmt->parse(run->st, line, len, fuzz_feed_event, run);
    free(line);
    FUZZ_CHECK(r == FEED_LINE_COUNTED || r == FEED_LINE_KNOWN ||
               r == FEED_LINE_SKIPPED || r == FEED_LINE_UNPARSED);
    if (r != FEED_LINE_COUNTED)
        FUZZ_CHECK(run->n_events == 0);
    else if (run->events_per_counted)
        FUZZ_CHECK(run->n_events == run->events_per_counted);
    else
        FUZZ_CHECK(run->n_events > 0);
}

/*
 * Check that feed_format_find() knows @p fmt by its name, then parse
 * every line of @p data with one state of @p fmt: every event is checked
 * (fuzz_feed_check_strings(), fuzz_feed_check_common()) and then given to
 * @p check_event; after each line, the result is one of the four and
 * events came from COUNTED lines only: exactly @p events_per_counted of
 * them, or at least one when it is 0.
 */
static inline void fuzz_feed_lines(const struct feed_format *fmt,
                                   const uint8_t *data, size_t size,
                                   void (*check_event)(const struct feed_event *ev),
                                   size_t events_per_counted)
{
    FUZZ_CHECK(feed_format_find(fmt->name) == fmt);
    struct fuzz_feed_run run = {fmt, fmt->create(), check_event, events_per_counted, 0};
    FUZZ_CHECK(run.st != NULL);
    fuzz_each_line(data, size, fuzz_feed_line, &run);
    fmt->destroy(run.st);
}

#endif /* MTAMON_FUZZ_FEED_H */
