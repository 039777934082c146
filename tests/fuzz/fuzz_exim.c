/*
 * fuzz_exim.c - fuzz target for the Exim main log parser (parse_exim.c),
 * which reads whatever a log file holds.
 *
 * The input is split at '\n'; each line is copied into a buffer of exactly
 * its length (so reading past it is caught) and given to one parser state,
 * so the message-id table sees sequences of records.
 *
 * Invariants: the result is one of the four; only a COUNTED line emits
 * events, and it emits at least one; every event is of a known kind, its
 * strings are NUL-terminated within their arrays, its channel is a valid
 * channel name and it has no source; delivery-side events count exactly
 * one recipient, arrivals (SUBMIT) at least one; only DEQUEUE carries a
 * queue time; associations carry a key, an opened one is inbound; refused
 * and failed associations carry a status and a reason.
 */
#include "fuzz_feed.h"

const char fuzz_corpus[] = "exim";

#define CHECK FUZZ_CHECK

/* After fuzz_feed_check_common(). */
static void check_event(const struct feed_event *ev)
{
    CHECK(ev->src[0] == '\0');
    CHECK(ev->kind != FEED_REJECT || (ev->octets == 0 && ev->status != 0));
    CHECK(ev->kind != FEED_ASSOC_OPEN || ev->remote[0] != '\0');
    fuzz_feed_check_session(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_feed_lines(&feed_format_exim, data, size, check_event, 0);
    return 0;
}
