/*
 * feed_fixture.h - a log parser (a struct feed_format of src/feed) on
 * strings, shared by the parser suites: one parser state, the events the
 * last line emitted, and lines fed from a buffer of exactly their length
 * (no NUL after them), so that a read past the end shows under ASan.
 */
#ifndef MTAMON_FEED_FIXTURE_H
#define MTAMON_FEED_FIXTURE_H

#include <stddef.h>

#include "feed.h"

#define FF_MAX_EVENTS 64

/* The events of the last line parsed, in order: the first FF_MAX_EVENTS
 * in ff_events, their number in ff_n_events, the number of those that did
 * not fit in ff_n_dropped. */
extern struct feed_event ff_events[FF_MAX_EVENTS];
extern size_t ff_n_events, ff_n_dropped;

/* Start over with format @p fmt and a fresh state of it (the previous
 * state is destroyed); fails the calling test fatally if none can be
 * made. */
void ff_fresh(const struct feed_format *fmt);

/* The current state (NULL before ff_fresh()), for a caller that parses
 * with its own emit function. */
void *ff_state(void);

/* Destroy the current state (at the end of main()). */
void ff_destroy(void);

/* Clear the events, then parse the @p len bytes of @p text, copied into a
 * buffer of exactly that size (@p text may hold NULs or lack one).
 * Returns the parser's result. */
enum feed_line_result ff_parse_n(const char *text, size_t len);

/* ff_parse_n() of the string @p text without its NUL. */
enum feed_line_result ff_parse(const char *text);

/* Parse each of the @p n strings @p lines: each must give @p want and
 * emit no event (a line that does not is named on stderr). */
void ff_expect_no_events(const char *const *lines, size_t n, enum feed_line_result want);

/* ff_expect_no_events() over a whole array. */
#define FF_EXPECT_NO_EVENTS(lines, want) \
    ff_expect_no_events((lines), sizeof(lines) / sizeof(lines)[0], (want))

#endif /* MTAMON_FEED_FIXTURE_H */
