/*
 * fuzz_sendmail.c - fuzz target for the Sendmail syslog parser
 * (parse_sendmail.c), which reads whatever a log file holds.
 *
 * The input is split at '\n'; each line is copied into a buffer of exactly
 * its length (so reading past it is caught) and given to one parser state,
 * so the queue-id table (sizes, pending recipients) sees sequences of
 * records.
 *
 * Invariants: the result is one of the four; only a COUNTED line emits
 * events, and it emits at least one; every event is of a known kind, its
 * strings are NUL-terminated within their arrays, its channel is a valid
 * channel name and no event has a source; a submission counts one or more
 * recipients, every other message event exactly one, rejections no
 * octets; only DEQUEUE has a queue time; the parser opens and closes no
 * association (sendmail logs no connection's start), and a failed or
 * rejected one has a reason.
 */
#include "fuzz_feed.h"

const char fuzz_corpus[] = "sendmail";

#define CHECK FUZZ_CHECK

/* After fuzz_feed_check_common(). */
static void check_event(const struct feed_event *ev)
{
    CHECK(ev->src[0] == '\0' && ev->key[0] == '\0' && ev->remote[0] == '\0');
    CHECK(ev->kind != FEED_REJECT || ev->octets == 0);
    /* no connection's start nor end is logged */
    CHECK(ev->kind != FEED_ASSOC_OPEN && ev->kind != FEED_ASSOC_CLOSE);
    CHECK(ev->kind != FEED_ASSOC_REJECT || ev->recipients == 0);
    CHECK(ev->kind != FEED_ASSOC_FAIL || (ev->status != 0 && ev->reason[0] != '\0'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_feed_lines(&feed_format_sendmail, data, size, check_event, 0);
    return 0;
}
