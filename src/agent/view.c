/*
 * view.c - build the sorted MIB rows of struct view from one snapshot of
 * the counter segment and the configuration (see view.h).
 *
 * Every buffer (the snapshot, the row arrays, the slot lookup) belongs to
 * the cache and is reused from build to build: at 10,000 channels the
 * snapshot alone is some 17 MB, so it is never allocated twice.  Two view
 * shells take turns pointing at those buffers, so a rebuilt view has a new
 * address (a consumer can tell a rebuild by the pointer) while the old one
 * becomes invalid, as view.h allows.
 */
#include "view.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "monotonic.h"
#include "segment_trust.h"

/* How far (hundredths of a second) sysUpTime may step back between two
 * builds without the master having restarted (see build_apps). */
#define VIEW_UPTIME_RESYNC_TICKS 100u

/* State of the segment, as last logged. */
enum seg_state {
    SEG_UNKNOWN,    /* before the first build */
    SEG_UP,
    SEG_MISSING,
    SEG_DELETED,
    SEG_UNREADABLE,
    SEG_UNTRUSTED,  /* another user's, or writable by anyone */
};

/* What an applTable row last showed, for applLastChange. */
struct app_state {
    int known;
    enum view_oper_status status;
    uint32_t last_change;
};

struct view_cache {
    const struct config *conf;
    struct index_map *map;
    const char *segment;            /* resolved name, for messages */
    mtamon_reader *reader;          /* NULL while the segment is down */
    uid_t trusted_uid;              /* besides root: who may own the segment */
    uid_t owner_uid;                /* and segment.owner, when has_owner_uid */
    int has_owner_uid;

    struct view shell[2];           /* the current one is shell[cur] */
    int cur, built;
    int64_t built_mono_ms;

    /* Buffers the view rows live in. */
    struct mtamon_snapshot snap;
    struct view_app *apps;
    struct view_group *groups;
    size_t groups_alloc;
    struct view_assoc *assocs, *group_assocs;
    size_t assocs_alloc, group_assocs_alloc;
    struct view_error *errors;
    size_t errors_alloc;
    const struct view_group **by_slot; /* slot index -> group, or NULL */
    size_t by_slot_alloc;

    /* What was logged last, so each state is logged once. */
    enum seg_state state;
    char state_msg[MTAMON_ERROR_MAX];
    uint64_t generation;            /* of the last build that was up */

    /* Each row's applOperStatus and applLastChange, by config position. */
    struct app_state *app_state;
    uint32_t last_uptime;           /* the clock's sysUpTime at the last build */
    /* The MTA row's applUptime, worked out once per segment generation
     * (and master): derived from two clocks, it would move by a tick of
     * rounding from one build to the next. */
    uint64_t mta_uptime_generation; /* 0: not worked out yet */
    uint32_t mta_uptime;

    view_collect_fn *collect_copy;  /* NULL: no collector tables */
    void *collect_ctx;
    struct collector_snapshot collect;

    int defer_flush;                /* index file: view_cache_flush_index() */
    int flush_failed, dup_logged, no_index_logged;
};

/* ------------------------------------------------------------------------ */
/* Time                                                                      */

uint32_t view_timestamp(const struct view_clock *clock, int64_t ms)
{
    if (ms == 0)
        return 0;
    if (ms >= clock->wall_ms)
        return clock->uptime_ticks;
    int64_t ago_ms;
    if (__builtin_sub_overflow(clock->wall_ms, ms, &ago_ms))
        return 0;
    int64_t ago_ticks = ago_ms / 10;
    if (ago_ticks >= (int64_t)clock->uptime_ticks)
        return 0; /* before the master started */
    return clock->uptime_ticks - (uint32_t)ago_ticks;
}

int32_t view_interval(const struct view_clock *clock, int64_t since_ms)
{
    int64_t ms;
    if (__builtin_sub_overflow(clock->wall_ms, since_ms, &ms))
        return since_ms > 0 ? 0 : INT32_MAX;
    if (ms <= 0)
        return 0;
    int64_t ticks = ms / 10;
    return ticks > INT32_MAX ? INT32_MAX : (int32_t)ticks;
}

/* ------------------------------------------------------------------------ */

view_cache *view_cache_new(const struct config *conf, struct index_map *map)
{
    view_cache *vc = calloc(1, sizeof *vc);
    if (!vc)
        return NULL;
    vc->conf = conf;
    vc->map = map;
    vc->trusted_uid = geteuid();
    vc->segment = mtamon_segment_name(conf->segment && conf->segment[0]
                                          ? conf->segment : NULL);
    vc->apps = calloc(conf->n_apps ? conf->n_apps : 1, sizeof *vc->apps);
    vc->app_state = calloc(conf->n_apps ? conf->n_apps : 1, sizeof *vc->app_state);
    if (!vc->apps || !vc->app_state) {
        free(vc->apps);
        free(vc->app_state);
        free(vc);
        return NULL;
    }
    return vc;
}

void view_cache_set_collector(view_cache *vc, view_collect_fn *copy, void *ctx)
{
    vc->collect_copy = copy;
    vc->collect_ctx = ctx;
}

void view_cache_defer_index_flush(view_cache *vc)
{
    vc->defer_flush = 1;
}

int view_cache_flush_index(view_cache *vc)
{
    char err[512];
    if (index_map_flush(vc->map, err, sizeof err) != 0) {
        if (!vc->flush_failed)
            log_msg(LOG_WARNING, "%s; mtaGroupIndex values are kept in memory "
                                 "only until it can be written", err);
        vc->flush_failed = 1;
        return -1;
    }
    if (vc->flush_failed) {
        log_msg(LOG_NOTICE, "group-index file written again");
        vc->flush_failed = 0;
    }
    return 0;
}

void view_cache_trust_owner(view_cache *vc, uid_t uid)
{
    vc->owner_uid = uid;
    vc->has_owner_uid = 1;
}

void view_cache_free(view_cache *vc)
{
    if (!vc)
        return;
    mtamon_reader_close(vc->reader);
    mtamon_snapshot_free(&vc->snap);
    free(vc->apps);
    free(vc->app_state);
    collector_snapshot_free(&vc->collect);
    free(vc->groups);
    free(vc->assocs);
    free(vc->group_assocs);
    free(vc->errors);
    free(vc->by_slot);
    free(vc);
}

/* Grow *@p buf to @p want elements of @p size bytes (never shrinks; never
 * leaves it NULL, so qsort and memset see a real pointer). */
static int reserve(void *buf, size_t *have, size_t want, size_t size)
{
    void **p = buf;
    if (want <= *have && *p)
        return 0;
    size_t n = *have ? *have : 16;
    while (n < want)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return -1;
    *p = q;
    *have = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The segment's state                                                       */

/* Log @p state unless it is the one logged last.  A segment found missing
 * after it was deleted is the same outage: not logged again. */
static void set_state(view_cache *vc, enum seg_state state, const char *msg,
                      int restarted)
{
    if (state == SEG_MISSING && vc->state == SEG_DELETED)
        return;
    if (state == vc->state && !restarted &&
        ((state != SEG_UNREADABLE && state != SEG_UNTRUSTED) ||
         strcmp(msg, vc->state_msg) == 0))
        return;
    switch (state) {
    case SEG_UP:
        if (restarted && vc->state == SEG_UP)
            log_msg(LOG_NOTICE, "segment %s: re-created (generation 0x%016" PRIx64
                                "); counters restarted",
                    vc->segment, vc->snap.generation);
        else
            log_msg(LOG_NOTICE, "segment %s: attached (generation 0x%016" PRIx64
                                ", %" PRIu32 " channels)",
                    vc->segment, vc->snap.generation, vc->snap.n_channels);
        break;
    case SEG_MISSING:
        log_msg(LOG_WARNING, "segment %s: missing; MTA down until it is created",
                vc->segment);
        break;
    case SEG_DELETED:
        log_msg(LOG_WARNING, "segment %s: deleted; MTA down", vc->segment);
        break;
    case SEG_UNREADABLE:
        log_msg(LOG_WARNING, "segment %s: unreadable: %s", vc->segment, msg);
        break;
    case SEG_UNTRUSTED:
        log_msg(LOG_ERR, "segment %s: not served: %s; MTA down "
                         "(segment.trust_any_owner: true would serve it)",
                vc->segment, msg);
        break;
    case SEG_UNKNOWN:
        break;
    }
    vc->state = state;
    snprintf(vc->state_msg, sizeof vc->state_msg, "%s", msg ? msg : "");
}

/* Is the attached object one that only root and the daemon user could
 * have written?  Anyone who may write it publishes figures under the
 * MTA's name.  If not, why not, in @p why. */
static int owner_trusted(const view_cache *vc, char *why, size_t len)
{
    struct mtamon_owner o;
    mtamon_reader_owner(vc->reader, &o);
    return segment_trust_check(&o, vc->trusted_uid, vc->has_owner_uid,
                               vc->owner_uid, why, len);
}

/* Attach if needed and copy the segment into vc->snap; 1 if it is up. */
static int read_segment(view_cache *vc)
{
    struct mtamon_error err = {MTAMON_OK, ""};
    if (!vc->reader) {
        /* NOWAIT: a segment whose creator died before initialising it
         * must not stall every refresh (and the requests behind it) 1 s. */
        vc->reader = mtamon_reader_open_flags(vc->segment,
                                              MTAMON_READER_NOWAIT, &err);
        if (!vc->reader) {
            if (err.code == MTAMON_ERR_NOENT)
                set_state(vc, SEG_MISSING, NULL, 0);
            else
                set_state(vc, SEG_UNREADABLE, err.message, 0);
            return 0;
        }
    }
    int restarted = 0;
    mtamon_result st = mtamon_snapshot_take(vc->reader, MTAMON_SNAP_LIFETIME,
                                            &vc->snap, &restarted, &err);
    if (st != MTAMON_OK) {
        /* Attach afresh next time: a deleted segment may come back, a
         * corrupt or busy one may be repaired or released. */
        mtamon_reader_close(vc->reader);
        vc->reader = NULL;
        if (st == MTAMON_ERR_STALE)
            set_state(vc, SEG_DELETED, NULL, 0);
        else
            set_state(vc, SEG_UNREADABLE, err.message, 0);
        return 0;
    }
    /* At every attach: a snapshot may have followed a re-created name. */
    char why[MTAMON_ERROR_MAX];
    if (!vc->conf->trust_any_owner && !owner_trusted(vc, why, sizeof why)) {
        mtamon_reader_close(vc->reader);
        vc->reader = NULL;
        set_state(vc, SEG_UNTRUSTED, why, 0);
        return 0;
    }
    set_state(vc, SEG_UP, NULL, restarted);
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Rows                                                                      */

/* By index; the slot order breaks ties, so which of two channels sharing
 * an index (never, by the map's rules) is served does not depend on qsort. */
static int compare_group(const void *a, const void *b)
{
    const struct view_group *x = a, *y = b;
    if (x->index != y->index)
        return (x->index > y->index) - (x->index < y->index);
    return (x->ch->index > y->ch->index) - (x->ch->index < y->ch->index);
}

static int compare_group_assoc(const void *a, const void *b)
{
    const struct view_assoc *x = a, *y = b;
    if (x->group_index != y->group_index)
        return (x->group_index > y->group_index) - (x->group_index < y->group_index);
    return (x->entry > y->entry) - (x->entry < y->entry);
}

/* groups[], sorted by mtaGroupIndex; -1 on ENOMEM. */
static int build_groups(view_cache *vc, struct view *v)
{
    const struct mtamon_snapshot *snap = &vc->snap;
    if (reserve(&vc->groups, &vc->groups_alloc, snap->n_channels,
                sizeof *vc->groups) != 0)
        return -1;
    size_t n = 0;
    for (uint32_t i = 0; i < snap->n_channels; i++) {
        const struct mtamon_channel_stats *ch = &snap->channels[i];
        uint32_t index = index_map_get(vc->map, ch->name);
        if (index == 0) {
            if (!vc->no_index_logged)
                log_msg(LOG_ERR, "channel %s has no mtaGroupIndex: not served",
                        ch->name);
            vc->no_index_logged = 1;
            continue;
        }
        struct view_group *g = &vc->groups[n++];
        g->index = index;
        g->ch = ch;
        g->conf = config_channel_find(vc->conf, ch->name);
        g->queue = NULL;
        if (g->conf && g->conf->queue && g->conf->queue[0]) {
            const struct queue_scan_stats *q =
                collector_snapshot_queue_row(&vc->collect, g->conf->queue);
            if (q && q->status == QUEUE_SCAN_OK)
                g->queue = q;
        }
        if (g->queue) {
            g->stored_msgs = g->queue->messages > INT64_MAX ? INT64_MAX
                                                            : (int64_t)g->queue->messages;
            g->stored_volume = g->queue->volume > INT64_MAX ? INT64_MAX
                                                            : (int64_t)g->queue->volume;
        } else {
            g->stored_msgs = ch->stored_msgs;
            g->stored_volume = ch->stored_volume;
        }
    }
    qsort(vc->groups, n, sizeof *vc->groups, compare_group);
    /* The map never gives one index to two names; if it ever did, serve
     * one of them rather than break the table's order. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept && vc->groups[kept - 1].index == vc->groups[i].index) {
            if (!vc->dup_logged)
                log_msg(LOG_ERR, "channels %s and %s both have mtaGroupIndex "
                                 "%" PRIu32 "; serving %s only",
                        vc->groups[kept - 1].ch->name, vc->groups[i].ch->name,
                        vc->groups[i].index, vc->groups[kept - 1].ch->name);
            vc->dup_logged = 1;
            continue;
        }
        vc->groups[kept++] = vc->groups[i];
    }
    v->groups = vc->groups;
    v->n_groups = kept;

    if (!vc->defer_flush)
        (void)view_cache_flush_index(vc);
    return 0;
}

/* A gauge's share of a total: clamped at 0, and small enough that a sum
 * over 1,000,000 channels cannot overflow int64_t. */
static int64_t gauge_part(int64_t v)
{
    return v < 0 ? 0 : v > INT64_MAX / 2000000 ? INT64_MAX / 2000000 : v;
}

static void build_totals(struct view *v)
{
    struct view_totals *t = &v->totals;
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < v->n_groups; i++) {
        const struct mtamon_channel_stats *ch = v->groups[i].ch;
        for (int k = 0; k < MTAMON_COUNTER_COUNT; k++)
            t->c[k] += ch->c[k];
        /* Gauges: each channel's as its row serves it (a channel that
         * delivered mail queued before its counters began reads below
         * zero: 0), so the MTA's total is never less than a row's. */
        t->stored_msgs += gauge_part(v->groups[i].stored_msgs);
        t->stored_rcpts += gauge_part(ch->stored_rcpts);
        t->stored_volume += gauge_part(v->groups[i].stored_volume);
        t->in_assocs_current += gauge_part(ch->in_assocs_current);
        t->out_assocs_current += gauge_part(ch->out_assocs_current);
        if (ch->last_inbound_ms > t->last_inbound_ms)
            t->last_inbound_ms = ch->last_inbound_ms;
        if (ch->last_outbound_ms > t->last_outbound_ms)
            t->last_outbound_ms = ch->last_outbound_ms;
    }
}

/* errors[]: per group in index order, its status rows (sorted by code). */
static int build_errors(view_cache *vc, struct view *v)
{
    size_t want = 0;
    for (size_t i = 0; i < v->n_groups; i++)
        want += v->groups[i].ch->n_status;
    if (reserve(&vc->errors, &vc->errors_alloc, want, sizeof *vc->errors) != 0)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < v->n_groups; i++) {
        const struct mtamon_channel_stats *ch = v->groups[i].ch;
        for (unsigned j = 0; j < ch->n_status && j < MTAMON_STATUS_SLOTS; j++) {
            const struct mtamon_status_count *s = &ch->status[j];
            if (!s->inbound && !s->internal && !s->outbound)
                continue;
            struct view_error *e = &vc->errors[n++];
            e->group_index = v->groups[i].index;
            e->status_code = s->code;
            e->inbound = s->inbound;
            e->internal = s->internal;
            e->outbound = s->outbound;
        }
    }
    v->errors = vc->errors;
    v->n_errors = n;
    return 0;
}

/* assocs[] by entry and group_assocs[] by (group, entry). */
static int build_assocs(view_cache *vc, struct view *v)
{
    const struct mtamon_snapshot *snap = &vc->snap;
    /* Channels are sorted by slot index: the last has the highest. */
    size_t slots = snap->n_channels ? snap->channels[snap->n_channels - 1].index + 1u
                                    : 1u;
    if (reserve(&vc->by_slot, &vc->by_slot_alloc, slots, sizeof *vc->by_slot) != 0 ||
        reserve(&vc->assocs, &vc->assocs_alloc, snap->n_assocs,
                sizeof *vc->assocs) != 0 ||
        reserve(&vc->group_assocs, &vc->group_assocs_alloc, snap->n_assocs,
                sizeof *vc->group_assocs) != 0)
        return -1;

    memset(vc->by_slot, 0, slots * sizeof *vc->by_slot);
    for (size_t i = 0; i < v->n_groups; i++)
        vc->by_slot[v->groups[i].ch->index] = &v->groups[i];

    size_t n = 0;
    for (uint32_t i = 0; i < snap->n_assocs; i++) {
        const struct mtamon_assoc_stats *a = &snap->assocs[i];
        const struct view_group *g = a->channel < slots ? vc->by_slot[a->channel]
                                                        : NULL;
        if (!g)
            continue;
        struct view_assoc *r = &vc->assocs[n++];
        r->entry = a->entry;
        r->group_index = g->index;
        r->a = a;
        r->group = g;
    }
    v->assocs = vc->assocs;
    v->n_assocs = n;
    if (n) {
        memcpy(vc->group_assocs, vc->assocs, n * sizeof *vc->assocs);
        qsort(vc->group_assocs, n, sizeof *vc->group_assocs, compare_group_assoc);
    }
    v->group_assocs = vc->group_assocs;
    v->n_group_assocs = n;
    return 0;
}

/*
 * The process watch's verdict on @p app: 1 all its processes run, 0 one
 * does not, -1 no watch (or not scanned yet).  *@p started_ms: when the
 * last of them started (the row's applUptime).
 */
static int app_processes_up(const view_cache *vc, const struct config_app *app,
                            int64_t *started_ms)
{
    const struct config *conf = vc->conf;
    const struct collector_snapshot *cs = &vc->collect;
    int verdict = -1;
    *started_ms = 0;
    for (size_t k = 0; k < app->n_processes; k++) {
        const struct config_process *p = config_process_find(conf, app->processes[k]);
        size_t at = p ? (size_t)(p - conf->processes) : cs->n_processes;
        if (at >= cs->n_processes || cs->processes[at].status == PROCESS_WATCH_NOT_YET)
            return -1;
        const struct process_watch_stats *w = &cs->processes[at];
        if (w->status != PROCESS_WATCH_RUNNING)
            verdict = 0;
        else if (verdict < 0)
            verdict = 1;
        if (w->oldest_start_ms > *started_ms)
            *started_ms = w->oldest_start_ms;
    }
    return verdict;
}

/*
 * The probe's verdict on @p app (applications[].probe): its state, or
 * PROBE_NOT_YET when it has none or was not checked yet.  *@p changed_ms:
 * when that state began (wall clock).
 */
static enum probe_state app_probe_state(const view_cache *vc, const struct config_app *app,
                                        int64_t *changed_ms)
{
    const struct collector_snapshot *cs = &vc->collect;
    *changed_ms = 0;
    if (!app->probe || !app->probe[0])
        return PROBE_NOT_YET;
    const struct config_probe *p = config_probe_find(vc->conf, app->probe);
    size_t at = p ? (size_t)(p - vc->conf->probes) : cs->n_probes;
    if (at >= cs->n_probes)
        return PROBE_NOT_YET;
    *changed_ms = (int64_t)cs->probes[at].last_change * 1000;
    return cs->probes[at].state;
}

/* applLastChange of row @p i: the TimeStamp of each change of status. */
static uint32_t app_last_change(view_cache *vc, size_t i, enum view_oper_status status,
                                int restarted, uint32_t first, const struct view_clock *now)
{
    struct app_state *st = &vc->app_state[i];
    if (!st->known) {
        st->last_change = first;
        st->known = 1;
    } else if (status != st->status || restarted) {
        st->last_change = now->uptime_ticks;
    }
    st->status = status;
    return st->last_change;
}

/*
 * A service row's status from its process watch (@p procs: 1 up, 0 down,
 * -1 unknown) and its probe (@p pstate): down when either says down,
 * congested when the probe is slow, up when one says up and none down;
 * 0 (no status) when neither knows yet.  A probe not checked yet leaves
 * the process watch's answer.
 */
static enum view_oper_status service_status(int procs, enum probe_state pstate)
{
    if (procs == 0 || pstate == PROBE_DOWN)
        return VIEW_OPER_DOWN;
    if (pstate == PROBE_SLOW)
        return VIEW_OPER_CONGESTED;
    if (procs == 1 || pstate == PROBE_UP)
        return VIEW_OPER_UP;
    return 0;
}

/* Every row's status columns: the MTA's from the segment (and its process
 * watch), a service's from its process watch and its probe; inbound
 * associations from the connection table where a row names its port. */
static void build_apps(view_cache *vc, struct view *v, const struct view_clock *now)
{
    /* sysUpTime went back: the master was re-initialised (restarted, or
     * its TimeTicks wrapped) since the last build, so the current state
     * was entered before that: applLastChange is 0 (RFC 2788), never a
     * TimeStamp of the old master's clock, later than sysUpTime.  Back
     * by a second at most is no restart: the subagent's copy of
     * sysUpTime is set to the master's at each AgentX response, and may
     * step back a tick or so. */
    int master_restarted = (uint64_t)now->uptime_ticks + VIEW_UPTIME_RESYNC_TICKS <
                           vc->last_uptime;
    if (master_restarted)
        for (size_t i = 0; i < vc->conf->n_apps; i++)
            vc->app_state[i].last_change = 0;
    vc->last_uptime = now->uptime_ticks;
    int recreated = v->segment_up && vc->generation && v->generation != vc->generation;
    if (v->segment_up)
        vc->generation = v->generation;

    const struct config *conf = vc->conf;
    v->apps = vc->apps;
    v->n_apps = conf->n_apps;
    v->mta = NULL;
    for (size_t i = 0; i < conf->n_apps; i++) {
        struct view_app *app = &vc->apps[i];
        memset(app, 0, sizeof *app);
        app->conf = &conf->apps[i];
        int64_t started_ms;
        int procs = app_processes_up(vc, app->conf, &started_ms);
        const struct connections_port *port =
            app->conf->port && vc->collect.connections.ok
                ? collector_snapshot_port(&vc->collect, app->conf->port) : NULL;
        if (port) {
            app->has_inbound = 1;
            app->inbound_assocs = port->by_state[CONN_ESTABLISHED];
        }
        if (app->conf->kind == CONFIG_APP_MTA) {
            enum view_oper_status status =
                v->segment_up && procs != 0 ? VIEW_OPER_UP : VIEW_OPER_DOWN;
            /* applUptime: sysUpTime when this segment was created (0 if
             * before the master started), the same at every build until
             * the segment is re-created or the master restarts, so that
             * an NMS can take any change of it for a restart of every
             * counter (conf/nagios: check_mtamon_restart). */
            if (v->segment_up && (v->generation != vc->mta_uptime_generation ||
                                  master_restarted)) {
                vc->mta_uptime = view_timestamp(now, v->counters_since_ms);
                vc->mta_uptime_generation = v->generation;
            }
            uint32_t first = v->segment_up ? vc->mta_uptime : now->uptime_ticks;
            app->has_status = 1;
            app->oper_status = status;
            app->uptime_ticks = v->segment_up ? vc->mta_uptime : 0;
            app->last_change_ticks = app_last_change(vc, i, status, recreated, first, now);
            v->mta = app;
        } else {
            int64_t probe_ms;
            enum probe_state pstate = app_probe_state(vc, app->conf, &probe_ms);
            enum view_oper_status status = service_status(procs, pstate);
            if (!status)
                continue;
            /* When first seen, the status holds since: a probe that says
             * down, since that check; processes that say down, since now
             * (a scan does not know when they stopped); up or congested,
             * since the later of the probe's state and the processes'
             * start. */
            uint32_t first;
            if (status == VIEW_OPER_DOWN) {
                first = pstate == PROBE_DOWN ? view_timestamp(now, probe_ms)
                                            : now->uptime_ticks;
            } else {
                first = pstate != PROBE_NOT_YET ? view_timestamp(now, probe_ms) : 0;
                if (procs == 1 && view_timestamp(now, started_ms) > first)
                    first = view_timestamp(now, started_ms);
            }
            app->has_status = 1;
            app->oper_status = status;
            app->uptime_ticks = procs == 1 && status != VIEW_OPER_DOWN
                                    ? view_timestamp(now, started_ms) : 0;
            app->last_change_ticks = app_last_change(vc, i, status, 0, first, now);
        }
    }
}

/* Empty MTA tables: the segment is down. */
static void build_down(struct view *v)
{
    v->segment_up = 0;
    v->generation = 0;
    v->counters_since_ms = 0;
    memset(&v->totals, 0, sizeof v->totals);
    v->groups = NULL;
    v->n_groups = 0;
    v->assocs = v->group_assocs = NULL;
    v->n_assocs = v->n_group_assocs = 0;
    v->errors = NULL;
    v->n_errors = 0;
}

static void build(view_cache *vc, struct view *v, const struct view_clock *now)
{
    memset(v, 0, sizeof *v);
    v->conf = vc->conf;
    v->clock = *now;
    v->segment_name = vc->segment;
    if (vc->collect_copy && vc->collect_copy(vc->collect_ctx, &vc->collect) != 0)
        log_msg(LOG_ERR, "out of memory copying the collectors' results");
    v->collect = &vc->collect;
    if (read_segment(vc)) {
        v->segment_up = 1;
        v->generation = vc->snap.generation;
        v->counters_since_ms = vc->snap.created_ms;
        if (build_groups(vc, v) != 0 || build_errors(vc, v) != 0 ||
            build_assocs(vc, v) != 0) {
            set_state(vc, SEG_UNREADABLE, "out of memory", 0);
            build_down(v);
        } else {
            build_totals(v);
        }
    } else {
        build_down(v);
    }
    build_apps(vc, v, now);
    v->snap = vc->snap;
    if (!v->segment_up) {
        /* What the buffers still hold is from an earlier segment. */
        v->snap.n_channels = v->snap.n_assocs = 0;
        v->snap.generation = 0;
    }
}

const struct view *view_cache_get(view_cache *vc, const struct view_clock *now,
                                  int force)
{
    int64_t mono = monotonic_ms();
    if (vc->built && !force && mono - vc->built_mono_ms < (int64_t)vc->conf->refresh_ms)
        return &vc->shell[vc->cur];
    int next = vc->built ? !vc->cur : 0;
    build(vc, &vc->shell[next], now);
    vc->cur = next;
    vc->built = 1;
    vc->built_mono_ms = mono;
    return &vc->shell[vc->cur];
}

const struct view *view_cache_peek(const view_cache *vc, int64_t *age_ms)
{
    if (!vc->built)
        return NULL;
    *age_ms = monotonic_ms() - vc->built_mono_ms;
    return &vc->shell[vc->cur];
}
