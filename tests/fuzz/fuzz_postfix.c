/*
 * fuzz_postfix.c - fuzz target for the Postfix syslog parser
 * (parse_postfix.c), which reads whatever a log file holds.
 *
 * The input is split at '\n'; each line is copied into a buffer of exactly
 * its length (so reading past it is caught) and given to one parser state,
 * so the queue-id table sees sequences of records.
 *
 * Invariants: the result is one of the four; only a COUNTED line emits
 * events, and it emits at least one; every event is of a known kind, its
 * strings are NUL-terminated within their arrays, its channel (and source
 * when set) is a valid channel name; message events count exactly one
 * recipient; associations carry a key, and an opened one is inbound.
 */
#include "fuzz_feed.h"

const char fuzz_corpus[] = "postfix";

#define CHECK FUZZ_CHECK

/* After fuzz_feed_check_common(). */
static void check_event(const struct feed_event *ev)
{
    CHECK(ev->src[0] == '\0' || mtamon_channel_name_check(ev->src, NULL) == MTAMON_OK);
    CHECK(ev->kind == FEED_ENQUEUE || ev->src[0] == '\0');
    CHECK(ev->kind != FEED_SUBMIT || ev->recipients == 1);
    CHECK(ev->kind != FEED_REJECT || ev->octets == 0);
    CHECK(ev->kind != FEED_ASSOC_REJECT); /* the parser emits none */
    fuzz_feed_check_session(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_feed_lines(&feed_format_postfix, data, size, check_event, 0);
    return 0;
}
