/*
 * fuzz_sunmta.c - fuzz target for the Sun/Oracle Messaging Server mail.log
 * parser (src/feed/parse_sunmta.c), which reads log files written by
 * anyone who can make the MTA log an address.
 *
 * The input is split at '\n'; every line, copied into a buffer of exactly
 * its length (so ASan sees any read past it), goes to one parser state,
 * which carries the retry memory from line to line.
 *
 * Invariants: the result is one of the four; a counted line emitted exactly
 * one event and any other line none; every event is of a known kind, names
 * a channel libmtamon accepts (and a valid source or none), carries
 * NUL-terminated strings within their bounds, printable reasons and remote
 * addresses, one recipient and a whole number of blocks for message
 * events, a direction for association events, and a status that is 0 or
 * of class 4 or 5.
 */
#include "fuzz_feed.h"
#include "mtamon.h"

const char fuzz_corpus[] = "sunmta";

#define CHECK FUZZ_CHECK

/* After fuzz_feed_check_strings() (the channel's and the source's NULs,
 * the channel's name) and fuzz_feed_check_common() (one recipient for a
 * message event). */
static void check_event(const struct feed_event *ev)
{
    CHECK(ev->kind >= FEED_ENQUEUE && ev->kind <= FEED_ASSOC_FAIL);
    CHECK(ev->src[0] == '\0' || mtamon_channel_name_check(ev->src, NULL) == MTAMON_OK);
    CHECK(ev->src[0] == '\0' || ev->kind == FEED_ENQUEUE);
    fuzz_check_printable(ev->reason, sizeof ev->reason);
    fuzz_check_printable(ev->remote, sizeof ev->remote);
    fuzz_check_printable(ev->key, sizeof ev->key);
    CHECK(ev->time_ms >= 0);
    CHECK(ev->queue_ms == -1);
    CHECK(ev->status == 0 ||
          ((ev->status / 1000000 == 4 || ev->status / 1000000 == 5)));
    switch (ev->kind) {
    case FEED_ENQUEUE:
        CHECK(ev->src[0] != '\0');
        /* fall through */
    case FEED_DEQUEUE:
    case FEED_TEMPFAIL:
    case FEED_REJECT:
    case FEED_FAIL:
        CHECK(ev->octets % 1024 == 0);
        CHECK(ev->first_attempt == 0 || ev->first_attempt == 1);
        CHECK(ev->kind == FEED_DEQUEUE || ev->first_attempt == 0);
        CHECK(ev->direction == 0 && ev->key[0] == '\0' && ev->remote[0] == '\0');
        break;
    case FEED_ASSOC_OPEN:
    case FEED_ASSOC_CLOSE:
        CHECK(ev->key[0] != '\0' && ev->remote[0] != '\0');
        /* fall through */
    case FEED_ASSOC_REJECT:
    case FEED_ASSOC_FAIL:
        CHECK(ev->direction == MTAMON_INBOUND || ev->direction == MTAMON_OUTBOUND);
        CHECK(ev->recipients == 0 && ev->octets == 0);
        break;
    default:
        CHECK(0); /* this parser emits no SUBMIT, conversion or loop */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_feed_lines(&feed_format_sunmta, data, size, check_event, 1);
    return 0;
}
