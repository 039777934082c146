/*
 * feed_fixture.h - a log parser (a struct feed_format of src/feed) on
 * strings, shared by the parser suites: one parser state, the events the
 * last line emitted, and lines fed from a buffer of exactly their length
 * (no NUL after them), so that a read past the end shows under ASan; the
 * checks and scenarios more than one suite runs (a message event's
 * fields, tables of lines and results, pending-recipient overflow, a full
 * id table, a data log read whole) and their main().
 */
#ifndef MTAMON_FEED_FIXTURE_H
#define MTAMON_FEED_FIXTURE_H

#include <stddef.h>
#include <stdio.h>

#include "feed.h"
#include "unit_util.h"

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

/*
 * Check a message event (ENQUEUE, SUBMIT, DEQUEUE, TEMPFAIL, REJECT,
 * FAIL) field by field: its kind, channel, source, recipients, octets and
 * status are those given, and it has no key nor remote address (an event
 * that differs is named on stderr).
 */
void ff_check_msg(const struct feed_event *e, enum feed_event_kind kind,
                  const char *channel, const char *src, uint32_t rcpts,
                  uint64_t octets, mtamon_status_code status);

/* Parse each of the @p n strings @p lines: each must give @p want and
 * emit no event (a line that does not is named on stderr). */
void ff_expect_no_events(const char *const *lines, size_t n, enum feed_line_result want);

/* ff_expect_no_events() over a whole array. */
#define FF_EXPECT_NO_EVENTS(lines, want) \
    ff_expect_no_events((lines), sizeof(lines) / sizeof(lines)[0], (want))

/* A line and the result it must give. */
struct ff_line_case {
    const char *line;
    enum feed_line_result want;
};

/* ff_expect_no_events() of each of the @p n @p cases, with its result. */
void ff_expect_results(const struct ff_line_case *cases, size_t n);

/* ff_expect_results() over a whole array. */
#define FF_EXPECT_RESULTS(cases) \
    ff_expect_results((cases), sizeof(cases) / sizeof(cases)[0])

/* A real line whose every prefix ff_every_prefix() parses. */
struct ff_prefix_case {
    const char *line;
    const char *complete_after; /* the shortest prefix that counts ends
                                   with the first occurrence of this */
    size_t n_events;            /* what a counted prefix emits */
};

/*
 * Parse every prefix of each of the @p n lines of @p cases (lengths 0 to
 * the whole line, each in a buffer of exactly its size, each with a fresh
 * state of @p fmt): a prefix of at most unparsed_upto(line) bytes gives
 * UNPARSED (the header is cut); one that reaches complete_after gives
 * COUNTED with exactly n_events events (at least, if @p at_least); one in
 * between gives neither COUNTED nor SKIPPED; and a prefix that does not
 * count emits nothing.  A prefix that fails is named on stderr.
 */
void ff_every_prefix(const struct ff_prefix_case *cases, size_t n,
                     const struct feed_format *fmt,
                     size_t (*unparsed_upto)(const char *line), int at_least);

/* For ff_every_prefix(): a syslog line's header runs through "]: ". */
size_t ff_syslog_header(const char *line);

/*
 * Parse @p count lines of random bytes (0 to 511 of them, from
 * rand_r(@p seed)) in the current state, @p shape (may be NULL) writing
 * into line @p i (its @p n bytes) what it must start with: every result is
 * one of the four, and a line that does not count emits nothing.
 */
void ff_random_lines(unsigned seed, int count,
                     void (*shape)(char *buf, size_t n, int i));

/* Copy the string @p head over the start of @p buf (@p n bytes), cut to
 * fit: for the shape of ff_random_lines(). */
void ff_put_head(char *buf, size_t n, const char *head);

/*
 * Open tests/data/feed/@p rel of the source tree (MTAMON_SRCDIR, which
 * `make check` sets; "." without it) for reading.  A missing file fails
 * the test (a ground-truth file left out of the tree must not pass
 * silently) and gives NULL.
 */
FILE *ff_open_data(const char *rel);

/*
 * More deferred recipients of one message than the parser tracks: in
 * passes 0 and 1, @p line writes (into @p buf, @p n bytes) the deferral of
 * each recipient 0 to 19, in pass 2 its end (delivered when odd, failed
 * when even).  Every line counts; after the deferrals @p tracked
 * recipients are queued (ENQUEUE); in the end there were 40 deferrals, 20
 * ends and 20 ENQUEUEs (the untracked ones queued when they end), and no
 * delivery is a first attempt.  In the current state.
 */
void ff_pending_overflow(void (*line)(char *buf, size_t n, int pass, int i),
                         unsigned tracked);

/* The lines ff_eviction() feeds, each written into @p buf (@p n bytes):
 * message ids are numbers, those of generation 1 others than those of
 * generation 0. */
struct ff_id_lines {
    /* Message @p id arrives with @p size octets: gives arrival_result. */
    void (*arrival)(char *buf, size_t n, int gen, unsigned id, unsigned size);
    enum feed_line_result arrival_result;
    /* A delivery of message @p id: COUNTED, the message's size in the
     * octets of its event number size_event. */
    void (*delivery)(char *buf, size_t n, int gen, unsigned id);
    size_t size_event;
    /* Message @p id (generation 0) ends, and is forgotten: KNOWN. */
    void (*end)(char *buf, size_t n, unsigned id);
};

/*
 * A full message-id table forgets the oldest ids, and only those: in the
 * current state, @p remembered + 1000 arrivals (id i of size 1000 + i),
 * then a delivery of id 5 has no size any more and one of the last id its
 * own; the ends of the last 500 free entries that 600 new arrivals
 * (generation 1, size 7) take, while the 501st last id keeps its size.
 */
void ff_eviction(const struct ff_id_lines *lines, unsigned remembered);

/*
 * Parse every line of tests/data/feed/@p rel (ff_open_data(), without its
 * newline) with a fresh state of @p fmt, giving the events to @p emit with
 * @p ctx, and count the lines of each result in @p results (zeroed
 * first).  Returns the number of lines, or -1 if the file is missing (the
 * test has failed).  The state stays current, as after ff_fresh().
 */
int ff_read_log(const struct feed_format *fmt, const char *rel, feed_emit_fn emit,
                void *ctx, unsigned results[4]);

/*
 * Parse a line of FEED_LINE_MAX bytes: @p fill throughout, the string
 * @p head at its start.  Returns the parser's result (events in
 * ff_events).
 */
enum feed_line_result ff_parse_longest(const char *head, char fill);

/*
 * The main() of a parser suite: with @p utc, make the local time zone UTC
 * first (before anything reads it: the suite's log stamps are local
 * times with known epoch values); run @p tests as unit_main() does, then
 * destroy the state.  Returns unit_main()'s status.
 */
int ff_main(const char *suite, const struct unit_test *tests, int utc);

#endif /* MTAMON_FEED_FIXTURE_H */
