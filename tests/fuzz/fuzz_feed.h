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

/* One run of fuzz_feed_lines(): the parser, its state, the target's
 * check of an event and the events of the current line. */
struct fuzz_feed_run {
    const struct feed_format *fmt;
    void *st;
    void (*check_event)(const struct feed_event *ev);
    size_t events_per_counted;
    size_t n_events;
};

/* The emit function: count the event, check its strings, then the
 * target's invariants. */
static inline void fuzz_feed_event(void *ctx, const struct feed_event *ev)
{
    struct fuzz_feed_run *run = ctx;
    run->n_events++;
    fuzz_feed_check_strings(ev);
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
 * every line of @p data with one state of @p fmt: every event's strings
 * are checked (fuzz_feed_check_strings()) and then given to
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
