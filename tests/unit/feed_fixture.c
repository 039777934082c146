/*
 * feed_fixture.c - a log parser on strings (see feed_fixture.h).
 */
#include "feed_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

void ff_check_msg(const struct feed_event *e, enum feed_event_kind kind,
                  const char *channel, const char *src, uint32_t rcpts,
                  uint64_t octets, mtamon_status_code status)
{
    CU_ASSERT_EQUAL(e->kind, kind);
    CU_ASSERT_STRING_EQUAL(e->channel, channel);
    CU_ASSERT_STRING_EQUAL(e->src, src);
    CU_ASSERT_EQUAL(e->recipients, rcpts);
    CU_ASSERT_EQUAL(e->octets, octets);
    CU_ASSERT_EQUAL(e->status, status);
    CU_ASSERT_STRING_EQUAL(e->key, "");
    CU_ASSERT_STRING_EQUAL(e->remote, "");
    if (e->kind != kind || strcmp(e->channel, channel) != 0 || strcmp(e->src, src) != 0 ||
        e->recipients != rcpts || e->octets != octets || e->status != status)
        fprintf(stderr, "\n    event kind %d on %s from '%s', %u recipients, %llu octets, "
                "status %u\n",
                (int)e->kind, e->channel, e->src, (unsigned)e->recipients,
                (unsigned long long)e->octets, (unsigned)e->status);
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

void ff_expect_results(const struct ff_line_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ff_expect_no_events(&cases[i].line, 1, cases[i].want);
}

void ff_every_prefix(const struct ff_prefix_case *cases, size_t n,
                     const struct feed_format *fmt,
                     size_t (*unparsed_upto)(const char *line), int at_least)
{
    for (size_t c = 0; c < n; c++) {
        const char *line = cases[c].line;
        size_t len = strlen(line), want = cases[c].n_events;
        size_t header = unparsed_upto(line);
        size_t complete = (size_t)(strstr(line, cases[c].complete_after) - line) +
                          strlen(cases[c].complete_after);
        for (size_t k = 0; k <= len; k++) {
            ff_fresh(fmt);
            enum feed_line_result r = ff_parse_n(line, k); /* exact size: ASan sees overreads */
            int events_ok = at_least ? ff_n_events >= want : ff_n_events == want;
            if (k <= header) {
                CU_ASSERT_EQUAL(r, FEED_LINE_UNPARSED);
            } else if (k >= complete) {
                CU_ASSERT_EQUAL(r, FEED_LINE_COUNTED);
                CU_ASSERT_TRUE(events_ok);
            } else {
                CU_ASSERT_NOT_EQUAL(r, FEED_LINE_COUNTED);
                CU_ASSERT_NOT_EQUAL(r, FEED_LINE_SKIPPED);
            }
            if (r != FEED_LINE_COUNTED)
                CU_ASSERT_EQUAL(ff_n_events, 0);
            if ((k <= header && r != FEED_LINE_UNPARSED) ||
                (k >= complete && (r != FEED_LINE_COUNTED || !events_ok)) ||
                (k > header && k < complete &&
                 (r == FEED_LINE_COUNTED || r == FEED_LINE_SKIPPED)))
                fprintf(stderr, "\n    case %zu prefix %zu: result %d, %zu events\n",
                        c, k, (int)r, ff_n_events);
        }
    }
}

size_t ff_syslog_header(const char *line)
{
    return (size_t)(strstr(line, "]: ") - line) + 3;
}

void ff_random_lines(unsigned seed, int count,
                     void (*shape)(char *buf, size_t n, int i))
{
    char buf[512];
    for (int i = 0; i < count; i++) {
        size_t n = (size_t)(rand_r(&seed) % sizeof buf);
        for (size_t k = 0; k < n; k++)
            buf[k] = (char)rand_r(&seed);
        if (shape)
            shape(buf, n, i);
        enum feed_line_result r = ff_parse_n(buf, n);
        CU_ASSERT_TRUE(r >= FEED_LINE_COUNTED && r <= FEED_LINE_UNPARSED);
        if (r != FEED_LINE_COUNTED)
            CU_ASSERT_EQUAL(ff_n_events, 0);
    }
}

void ff_put_head(char *buf, size_t n, const char *head)
{
    size_t hn = strlen(head);
    memcpy(buf, head, n < hn ? n : hn);
}

enum feed_line_result ff_parse_longest(const char *head, char fill)
{
    char *big = malloc(FEED_LINE_MAX);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    if (!big)
        return FEED_LINE_SKIPPED;
    memset(big, fill, FEED_LINE_MAX);
    ff_put_head(big, FEED_LINE_MAX, head);
    enum feed_line_result r = ff_parse_n(big, FEED_LINE_MAX);
    free(big);
    return r;
}

void ff_pending_overflow(void (*line)(char *buf, size_t n, int pass, int i),
                         unsigned tracked)
{
    unsigned enq = 0, ends = 0, temp = 0;
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < 20; i++) {
            char buf[512];
            line(buf, sizeof buf, pass, i);
            CU_ASSERT_EQUAL(ff_parse(buf), FEED_LINE_COUNTED);
            for (size_t k = 0; k < ff_n_events; k++) {
                enq += ff_events[k].kind == FEED_ENQUEUE;
                temp += ff_events[k].kind == FEED_TEMPFAIL;
                ends += ff_events[k].kind == FEED_DEQUEUE || ff_events[k].kind == FEED_FAIL;
                if (ff_events[k].kind == FEED_DEQUEUE)
                    CU_ASSERT_EQUAL(ff_events[k].first_attempt, 0);
            }
        }
        if (pass == 1)
            CU_ASSERT_EQUAL(enq, tracked);
    }
    CU_ASSERT_EQUAL(temp, 40);
    CU_ASSERT_EQUAL(ends, 20);
    CU_ASSERT_EQUAL(enq, 20);
}

/* Deliver message @p id of generation @p gen: its size is @p octets. */
static void ff_expect_size(const struct ff_id_lines *lines, int gen, unsigned id,
                           uint64_t octets)
{
    char line[512];
    lines->delivery(line, sizeof line, gen, id);
    CU_ASSERT_EQUAL(ff_parse(line), FEED_LINE_COUNTED);
    CU_ASSERT_EQUAL(ff_events[lines->size_event].octets, octets);
}

void ff_eviction(const struct ff_id_lines *lines, unsigned remembered)
{
    const unsigned total = remembered + 1000;
    char line[512];
    for (unsigned i = 0; i < total; i++) {
        lines->arrival(line, sizeof line, 0, i, 1000 + i);
        CU_ASSERT_EQUAL_FATAL(ff_parse(line), lines->arrival_result);
    }
    ff_expect_size(lines, 0, 5, 0);
    ff_expect_size(lines, 0, total - 1, 1000 + total - 1);
    for (unsigned i = total - 500; i < total; i++) {
        lines->end(line, sizeof line, i);
        CU_ASSERT_EQUAL_FATAL(ff_parse(line), FEED_LINE_KNOWN);
    }
    for (unsigned i = 0; i < 600; i++) {
        lines->arrival(line, sizeof line, 1, i, 7);
        CU_ASSERT_EQUAL_FATAL(ff_parse(line), lines->arrival_result);
    }
    ff_expect_size(lines, 0, total - 501, 1000 + total - 501);
    ff_expect_size(lines, 1, 0, 7);
}

int ff_read_log(const struct feed_format *fmt, const char *rel, feed_emit_fn emit,
                void *ctx, unsigned results[4])
{
    for (int r = 0; r < 4; r++)
        results[r] = 0;
    FILE *f = ff_open_data(rel);
    if (!f)
        return -1;
    ff_fresh(fmt);
    char line[4096];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\n");
        results[fmt->parse(ff_st, line, len, emit, ctx)]++;
        lines++;
    }
    fclose(f);
    return lines;
}

int ff_main(const char *suite, const struct unit_test *tests, int utc)
{
    if (utc) {
        setenv("TZ", "UTC", 1);
        tzset();
    }
    int rc = unit_main(suite, tests);
    ff_destroy();
    return rc;
}

FILE *ff_open_data(const char *rel)
{
    const char *top = getenv("MTAMON_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/feed/%s", top ? top : ".", rel);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (!f)
        fprintf(stderr, "\n    cannot open %s (set MTAMON_SRCDIR)\n", path);
    return f;
}
