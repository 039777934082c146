/*
 * feed_event.c - starting a feed event (feed_event.h).
 */
#include <string.h>

#include "feed_event.h"
#include "feed_text.h"

void feed_event_init(struct feed_event *ev, enum feed_event_kind kind,
                     int64_t time_ms, const char *channel)
{
    ev->kind = kind;
    ev->time_ms = time_ms;
    feed_text_copy_bounded(ev->channel, sizeof ev->channel, channel,
                           strlen(channel));
    ev->src[0] = '\0';
    ev->recipients = 0;
    ev->octets = 0;
    ev->first_attempt = 0;
    ev->queue_ms = -1;
    ev->status = 0;
    ev->ok = 0;
    ev->direction = 0;
    ev->remote[0] = '\0';
    ev->reason[0] = '\0';
    ev->key[0] = '\0';
}

enum feed_line_result feed_event_emit_reason(struct feed_event *ev,
                                             const char *text, const char *end,
                                             feed_emit_fn emit, void *ctx)
{
    feed_text_copy_bounded(ev->reason, sizeof ev->reason, text,
                           (size_t)(end - text));
    emit(ctx, ev);
    return FEED_LINE_COUNTED;
}
