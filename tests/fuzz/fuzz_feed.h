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

/* A broken invariant aborts: libFuzzer keeps the input, replay fails. */
#define FUZZ_CHECK(cond) \
    do { \
        if (!(cond)) \
            abort(); \
    } while (0)

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

/*
 * Parse every line of @p data with @p fmt, checking each event with
 * @p check_event (which counts into *@p n_events) and, after each line,
 * that the result is one of the four and that events came from COUNTED
 * lines only: exactly @p events_per_counted of them, or at least one when
 * it is 0.
 */
static inline void fuzz_feed_lines(const struct feed_format *fmt,
                                   const uint8_t *data, size_t size,
                                   feed_emit_fn check_event, size_t *n_events,
                                   size_t events_per_counted)
{
    void *st = fmt->create();
    FUZZ_CHECK(st != NULL);
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        if (len > FEED_LINE_MAX)
            len = FEED_LINE_MAX;
        char *line = malloc(len ? len : 1);
        FUZZ_CHECK(line != NULL);
        memcpy(line, p, len);
        *n_events = 0;
        enum feed_line_result r = fmt->parse(st, line, len, check_event, NULL);
        free(line);
        FUZZ_CHECK(r == FEED_LINE_COUNTED || r == FEED_LINE_KNOWN ||
                   r == FEED_LINE_SKIPPED || r == FEED_LINE_UNPARSED);
        if (r != FEED_LINE_COUNTED)
            FUZZ_CHECK(*n_events == 0);
        else if (events_per_counted)
            FUZZ_CHECK(*n_events == events_per_counted);
        else
            FUZZ_CHECK(*n_events > 0);
        p = nl ? nl + 1 : end;
    }
    fmt->destroy(st);
}

#endif /* MTAMON_FUZZ_FEED_H */
