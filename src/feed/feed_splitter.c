/*
 * feed_splitter.c - blocks of bytes into lines for `mtamon feed` (see
 * follow.h): an incomplete last line is held until its '\n' arrives, a
 * line longer than FEED_LINE_MAX is skipped without being buffered.
 */
#include <stdlib.h>
#include <string.h>

#include "follow.h"

int feed_splitter_init(struct feed_splitter *s)
{
    memset(s, 0, sizeof *s);
    s->hold = malloc(FEED_LINE_MAX);
    return s->hold ? 0 : -1;
}

void feed_splitter_free(struct feed_splitter *s)
{
    free(s->hold);
    s->hold = NULL;
}

void feed_splitter_reset(struct feed_splitter *s, uint64_t offset)
{
    s->held = 0;
    s->skipping = 0;
    s->pushed = offset;
    s->line_end = offset;
}

void feed_splitter_push(struct feed_splitter *s, const char *data, size_t len,
                        feed_line_fn fn, void *ctx)
{
    const char *p = data;
    const char *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            size_t rest = (size_t)(end - p);
            if (s->skipping)
                break;
            if (s->held + rest > FEED_LINE_MAX) {
                /* Too long already: count it now, drop it to its '\n'. */
                s->skipping = 1;
                s->held = 0;
                s->too_long++;
                break;
            }
            memcpy(s->hold + s->held, p, rest);
            s->held += rest;
            break;
        }
        size_t n = (size_t)(nl - p);
        if (s->skipping) {
            s->skipping = 0; /* counted when it was found too long */
        } else if (s->held) {
            if (s->held + n > FEED_LINE_MAX) {
                s->too_long++;
            } else {
                memcpy(s->hold + s->held, p, n);
                fn(ctx, s->hold, s->held + n);
            }
            s->held = 0;
        } else if (n > FEED_LINE_MAX) {
            s->too_long++;
        } else {
            fn(ctx, p, n);
        }
        p = nl + 1;
        s->line_end = s->pushed + (uint64_t)(p - data);
    }
    s->pushed += len;
}

void feed_splitter_flush(struct feed_splitter *s, feed_line_fn fn, void *ctx)
{
    if (s->held && !s->skipping)
        fn(ctx, s->hold, s->held);
    s->held = 0;
    s->skipping = 0;
    s->line_end = s->pushed;
}
