/*
 * feed_event.h - starting a struct feed_event (feed.h) in a parser.
 */
#ifndef MTAMON_FEED_EVENT_H
#define MTAMON_FEED_EVENT_H

#include <stdint.h>

#include "feed.h"

/**
 * Set @p ev to an event of @p kind at @p time_ms on @p channel (a string,
 * cut to FEED_NAME_MAX), everything else none: counts 0, queue_ms -1,
 * status 0, strings "".  Only the strings' first bytes are written (an
 * event is ~1 KB and parsers start one per record).
 */
void feed_event_init(struct feed_event *ev, enum feed_event_kind kind,
                     int64_t time_ms, const char *channel);

/**
 * Give @p ev the reason [@p text, @p end) (cut to fit) and emit it through
 * @p emit (@p ctx): a line's last step.  FEED_LINE_COUNTED.
 */
enum feed_line_result feed_event_emit_reason(struct feed_event *ev,
                                             const char *text, const char *end,
                                             feed_emit_fn emit, void *ctx);

#endif /* MTAMON_FEED_EVENT_H */
