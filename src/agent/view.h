/*
 * view.h - what mtamond serves: one immutable picture of the counter
 * segment and the configuration, with every table already sorted in MIB
 * order, so that a GET or GETNEXT is a binary search.
 *
 * The view knows nothing of Net-SNMP: times come in through struct
 * view_clock and go out as TimeStamp ticks (hundredths of a second of the
 * master agent's sysUpTime) or TimeInterval hundredths, so it is tested
 * without an agent.  The MIB modules (mib_*.c) only read a view.
 *
 * A view_cache keeps the reader on the segment, the group-index map and
 * the current view, and builds a new view at most once per refresh
 * interval (config refresh_ms): a burst of requests shares one snapshot.
 */
#ifndef MTAMON_VIEW_H
#define MTAMON_VIEW_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include "collector.h"
#include "mtamon.h"
#include "mtamon_config.h"
#include "index_map.h"

/** applOperStatus values (RFC 2788). */
enum view_oper_status {
    VIEW_OPER_UP = 1,
    VIEW_OPER_DOWN = 2,
    VIEW_OPER_HALTED = 3,
    VIEW_OPER_CONGESTED = 4,
    VIEW_OPER_RESTARTING = 5,
    VIEW_OPER_QUIESCING = 6,
};

/** assocApplicationType values (RFC 2788). */
enum view_assoc_type {
    VIEW_ASSOC_UA_INITIATOR = 1,
    VIEW_ASSOC_UA_RESPONDER = 2,
    VIEW_ASSOC_PEER_INITIATOR = 3,   /* inbound: the remote MTA connected */
    VIEW_ASSOC_PEER_RESPONDER = 4,   /* outbound: we connected to it */
};

/** "Now", as the caller sees it. */
struct view_clock {
    int64_t wall_ms;         /**< CLOCK_REALTIME, ms since the epoch */
    uint32_t uptime_ticks;   /**< the master's sysUpTime now, 1/100 s */
};

/** One mtaGroupTable row: a channel of the segment. */
struct view_group {
    uint32_t index;                          /**< mtaGroupIndex */
    const struct mtamon_channel_stats *ch;   /**< in the view's snapshot */
    const struct config_channel *conf;       /**< NULL when not configured */
    /** The queue row of channels[].queue when it was scanned (status OK),
     * else NULL: then the queue columns have no instance. */
    const struct queue_scan_stats *queue;
    /** Stored messages and volume (octets) as served: the queue's scan
     * when there is one (the files are the truth; the segment's derived
     * figure drifts when a writer dies between enqueue and dequeue, or a
     * feed starts with mail already queued), else the segment's gauge. */
    int64_t stored_msgs, stored_volume;
};

/** One association (assocTable and mtaGroupAssociationTable row). */
struct view_assoc {
    uint32_t entry;                          /**< assocIndex (1-based) */
    uint32_t group_index;                    /**< its channel's mtaGroupIndex */
    const struct mtamon_assoc_stats *a;
    const struct view_group *group;
};

/** One mtaGroupErrorTable row. */
struct view_error {
    uint32_t group_index;
    uint32_t status_code;                    /**< mtaStatusCode */
    uint64_t inbound, internal, outbound;
};

/** Sums over every channel: mtaTable and the MTA's applTable row. */
struct view_totals {
    uint64_t c[MTAMON_COUNTER_COUNT];
    int64_t stored_msgs, stored_rcpts, stored_volume;
    int64_t in_assocs_current, out_assocs_current;
    int64_t last_inbound_ms, last_outbound_ms; /**< latest over channels, 0 = never */
};

/** One applTable row. */
struct view_app {
    const struct config_app *conf;
    /** The MTA row always has the status columns; a service row has them
     * when its process watch has run (applications[].processes) or its
     * probe has checked (applications[].probe): down(2) when either says
     * down, congested(4) when the probe is slow, else up(1).  A probe not
     * checked yet leaves the process watch's answer; a row with neither
     * answer yet serves its configured strings only. */
    int has_status;
    enum view_oper_status oper_status;
    /** applUptime (TimeStamp): when the row's processes started; 0 for
     * a row down, or whose status comes from a probe only. */
    uint32_t uptime_ticks;
    uint32_t last_change_ticks;  /**< applLastChange (TimeStamp) */
    /** applInboundAssociations from the kernel's table: ESTABLISHED
     * connections to applications[].port, when that was read. */
    int has_inbound;
    uint32_t inbound_assocs;
};

/** The whole picture.  Built by view_cache_get(); never modified after. */
struct view {
    const struct config *conf;
    struct view_clock clock;     /**< when it was built */

    const char *segment_name;    /**< the segment's name, resolved */
    int segment_up;              /**< the segment could be read */
    uint64_t generation;         /**< of the segment, 0 when down */
    int64_t counters_since_ms;   /**< segment creation time */

    struct view_app *apps;       /**< sorted by applIndex */
    size_t n_apps;
    const struct view_app *mta;  /**< the MTA's row within apps[] */

    /* Empty when the segment is down. */
    struct view_totals totals;
    struct view_group *groups;   /**< sorted by mtaGroupIndex */
    size_t n_groups;
    struct view_assoc *assocs;   /**< sorted by entry (assocTable) */
    size_t n_assocs;
    struct view_assoc *group_assocs; /**< sorted by (group_index, entry) */
    size_t n_group_assocs;
    struct view_error *errors;   /**< sorted by (group_index, status_code) */
    size_t n_errors;

    /** The collectors' last results (empty without a collector). */
    const struct collector_snapshot *collect;

    struct mtamon_snapshot snap; /**< owns the data the rows point into */
};

/**
 * TimeStamp (the sysUpTime at which something happened) of wall time
 * @p ms in @p clock: clamped to [0, uptime_ticks]; 0 for ms == 0 (never)
 * or for anything before the master started.
 */
uint32_t view_timestamp(const struct view_clock *clock, int64_t ms);

/**
 * TimeInterval (hundredths of a second) from @p since_ms to the clock's
 * wall time, clamped to [0, 2147483647].
 */
int32_t view_interval(const struct view_clock *clock, int64_t since_ms);

/** A 64-bit counter as Counter32: modulo 2^32. */
static inline uint32_t view_counter32(uint64_t v) { return (uint32_t)v; }

/** A signed gauge as Gauge32: clamped to [0, 2^32 - 1]. */
static inline uint32_t view_gauge32(int64_t v)
{
    return v < 0 ? 0u : v > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/** Volume in octets as the MIB's K-octets (rounded up: 1 octet is 1 K). */
static inline uint64_t view_koctets(uint64_t octets)
{
    return octets / 1024u + (octets % 1024u != 0);
}

/* ------------------------------------------------------------------------ */

typedef struct view_cache view_cache;

/**
 * A cache serving views of @p conf's segment with group indexes from
 * @p map (both must outlive it).  Does not need the segment to exist.
 * NULL on ENOMEM.
 */
view_cache *view_cache_new(const struct config *conf, struct index_map *map);

/**
 * The current view: rebuilt when the last one is older than
 * conf->refresh_ms (by the monotonic clock) or @p force is set, otherwise
 * the same one.  Never NULL: when the segment is missing, deleted,
 * unreadable or not trusted the view has segment_up = 0 and empty MTA
 * tables, and the MTA row is down.  A segment is trusted when the object
 * is owned by root or by the user the cache was created as (the daemon
 * user, after dropping root) and not writable by others, or when
 * conf->trust_any_owner is set; it is checked at every attach (also when
 * a re-created segment is followed).  Each change of state (segment
 * appeared, missing, deleted, re-created with a new generation,
 * unreadable, not trusted and why) is logged once with log_msg().  The
 * pointer stays valid until the next call.
 */
const struct view *view_cache_get(view_cache *vc,
                                  const struct view_clock *now, int force);

/**
 * The view view_cache_get() returned last, without building one, and
 * through *@p age_ms how long ago (monotonic clock) it was built; NULL
 * before the first view.  For status reports.
 */
const struct view *view_cache_peek(const view_cache *vc, int64_t *age_ms);

/**
 * Trust a segment owned by @p uid too (segment.owner: the MTA's account),
 * besides root and the user the cache was made by.  Applies from the
 * next attach; call before the first view.
 */
void view_cache_trust_owner(view_cache *vc, uid_t uid);

/**
 * Where the collectors' results come from: fills @p out like
 * collector_snapshot() (collector.h) and returns 0, or -1 on ENOMEM.
 */
typedef int view_collect_fn(void *ctx, struct collector_snapshot *out);

/**
 * Take the collectors' results from @p copy(@p ctx) (mtamond: its
 * collector's collector_snapshot(); @p ctx must outlive the cache) at
 * every build; without it (mtamon.so, which runs no collector) the
 * collector tables are empty.  Through a function, so that the view does
 * not link the collectors' threads.
 */
void view_cache_set_collector(view_cache *vc, view_collect_fn *copy, void *ctx);

/**
 * Do not write the group-index file while building a view (a request is
 * waiting then): new names are kept in memory until
 * view_cache_flush_index().  For mtamon.so, whose requests run in snmpd's
 * only thread; mtamond writes at the build.
 */
void view_cache_defer_index_flush(view_cache *vc);

/**
 * Write the group-index file if names were assigned since it was last
 * written.  A failure is logged once (new indexes then stay in memory
 * until a write succeeds, which is logged too).  Returns 0 or -1.
 */
int view_cache_flush_index(view_cache *vc);

/** Free the cache, its views and its reader. */
void view_cache_free(view_cache *vc);

#endif /* MTAMON_VIEW_H */
