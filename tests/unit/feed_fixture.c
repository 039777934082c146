/*
 * feed_fixture.c - a log parser on strings (see feed_fixture.h).
 */
#include "feed_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "unit_util.h"

struct feed_event ff_events[FF_MAX_EVENTS];
size_t ff_n_events, ff_n_dropped;

static const struct feed_format *ff_fmt;
static void *ff_st;

static void ff_collect(void *ctx, const struct feed_event *ev)
{
    (void)ctx;
    if (ff_n_events < FF_MAX_EVENTS)
        ff_events[ff_n_events++] = *ev;
    else
        ff_n_dropped++;
}

void ff_fresh(const struct feed_format *fmt)
{
    ff_destroy();
    ff_fmt = fmt;
    ff_st = fmt->create();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ff_st);
}

void *ff_state(void)
{
    return ff_st;
}

void ff_destroy(void)
{
    if (ff_fmt)
        ff_fmt->destroy(ff_st);
    ff_st = NULL;
}

enum feed_line_result ff_parse_n(const char *text, size_t len)
{
    char *buf = malloc(len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    if (!buf)
        return FEED_LINE_SKIPPED;
    memcpy(buf, text, len);
    ff_n_events = ff_n_dropped = 0;
    enum feed_line_result r = ff_fmt->parse(ff_st, buf, len, ff_collect, NULL);
    free(buf);
    return r;
}

enum feed_line_result ff_parse(const char *text)
{
    return ff_parse_n(text, strlen(text));
}

void ff_expect_no_events(const char *const *lines, size_t n, enum feed_line_result want)
{
    for (size_t i = 0; i < n; i++) {
        enum feed_line_result r = ff_parse(lines[i]);
        CU_ASSERT_EQUAL(r, want);
        CU_ASSERT_EQUAL(ff_n_events, 0);
        if (r != want || ff_n_events)
            fprintf(stderr, "\n    line %zu: result %d, %zu events: %s\n", i, (int)r,
                    ff_n_events, lines[i]);
    }
}
