/*
 * sink.h - parsed feed events in, libmtamon calls out.
 *
 * The sink keeps two small hash tables: channel name -> mtamon_channel_t,
 * so a channel is registered once (a failure, such as a full segment or an
 * invalid name, is logged once per name and counted, never fatal), and
 * association key -> the open mtamon_assoc, so FEED_ASSOC_CLOSE can close
 * what FEED_ASSOC_OPEN opened.
 */
#ifndef MTAMON_SINK_H
#define MTAMON_SINK_H

#include <stdint.h>

#include "feed.h"

/** Most distinct channel names cached; more are looked up every time. */
#define FEED_SINK_CHANNELS_MAX 65536u
/** Most associations open at once; an open beyond it is an event error. */
#define FEED_SINK_ASSOCS_MAX 65536u

/** What the sink did. */
struct feed_sink_stats {
    uint64_t events;          /**< events received */
    uint64_t event_errors;    /**< events not counted, or counted only in
                                   part: a channel that could not be
                                   registered, a refused call, a full table */
    uint64_t unknown_closes;  /**< FEED_ASSOC_CLOSE of a key never opened */
    uint64_t reattached;      /**< times the writer followed the segment's
                                   name after a delete (mtamon_reattached) */
};

/** A sink writing to one segment. */
struct feed_sink;

/** A sink for @p m (not owned), or NULL on ENOMEM. */
struct feed_sink *feed_sink_create(mtamon_t *m);

/**
 * Close the associations still open (their process stops counting them),
 * then free the sink.  NULL is fine.
 */
void feed_sink_destroy(struct feed_sink *s);

/**
 * Count one event: mtamon_event_time(m, ev->time_ms), then the libmtamon
 * call of ev->kind.  A feed_emit_fn: pass the sink as ctx.  When that call
 * followed a deleted segment to its successor, logs it (notice).
 */
void feed_sink_emit(void *sink, const struct feed_event *ev);

/** Statistics so far. */
const struct feed_sink_stats *feed_sink_stats(const struct feed_sink *s);

#endif /* MTAMON_SINK_H */
