/*
 * snapshot.c - the one reader path: attach read-only, copy every active
 * channel and association, detect deleted and re-created segments.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib_internal.h"

/* Retries while a clear runs, 1 ms apart, before giving up. */
#define CLEAR_RETRIES 200

mtamon_reader *mtamon_reader_open_flags(const char *segment, unsigned flags,
                                        struct mtamon_error *err)
{
    if (flags & ~(unsigned)MTAMON_READER_NOWAIT) {
        mtamon__set_error(err, MTAMON_ERR_INVALID, "unknown reader flags 0x%x", flags);
        return NULL;
    }
    mtamon_reader *r = calloc(1, sizeof *r);
    if (!r) {
        mtamon__set_error(err, MTAMON_ERR_SYSTEM, "out of memory");
        return NULL;
    }
    r->flags = flags;
    if (mtamon__segment_attach(mtamon_segment_name(segment), 0,
                               (flags & MTAMON_READER_NOWAIT) != 0, &r->map,
                               err) != MTAMON_OK) {
        free(r);
        return NULL;
    }
    return r;
}

mtamon_reader *mtamon_reader_open(const char *segment, struct mtamon_error *err)
{
    return mtamon_reader_open_flags(segment, 0, err);
}

void mtamon_reader_close(mtamon_reader *r)
{
    if (!r)
        return;
    mtamon__segment_detach(&r->map);
    free(r);
}

uint64_t mtamon_reader_generation(const mtamon_reader *r)
{
    return r->map.header->generation;
}

void mtamon_reader_owner(const mtamon_reader *r, struct mtamon_owner *out)
{
    out->uid = r->map.uid;
    out->gid = r->map.gid;
    out->mode = r->map.mode;
}

void mtamon_snapshot_free(struct mtamon_snapshot *snap)
{
    free(snap->channels);
    free(snap->assocs);
    memset(snap, 0, sizeof *snap);
}

const struct mtamon_channel_stats *
mtamon_snapshot_find(const struct mtamon_snapshot *snap, const char *name)
{
    for (uint32_t i = 0; i < snap->n_channels; i++)
        if (strcmp(snap->channels[i].name, name) == 0)
            return &snap->channels[i];
    return NULL;
}

/* Grow *buf to hold @p want elements of @p size bytes. */
static int reserve(void **buf, uint32_t *have, uint32_t want, size_t size)
{
    if (want <= *have)
        return 0;
    void *p = realloc(*buf, (size_t)want * size);
    if (!p)
        return -1;
    *buf = p;
    *have = want;
    return 0;
}

static int compare_status(const void *a, const void *b)
{
    const struct mtamon_status_count *x = a, *y = b;
    return (x->code > y->code) - (x->code < y->code);
}

/* Stored = received - delivered - failed, for part 0/1/2 of the triples. */
static int64_t stored(const uint64_t *life, int part)
{
    return (int64_t)(life[MTAMON_RECEIVED_MSGS + part] -
                     life[MTAMON_DELIVERED_MSGS + part] -
                     life[MTAMON_FAILED_MSGS + part]);
}

static mtamon_result copy_channel(const struct segment_map *map,
                                  const struct channel_slot *s, uint32_t pos,
                                  unsigned flags, struct mtamon_channel_stats *out,
                                  struct mtamon_error *err)
{
    if (s->index != pos + 1)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: channel slot %u claims index %u", map->name,
                                 pos + 1, s->index);
    /* Check the copy, not the shared bytes, which may change meanwhile. */
    memcpy(out->name, s->name, sizeof out->name);
    if (!memchr(out->name, '\0', sizeof out->name) ||
        mtamon_channel_name_check(out->name, NULL) != MTAMON_OK)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: channel slot %u has an invalid name",
                                 map->name, pos + 1);
    out->index = pos + 1;
    out->created_ms = s->created_ms;

    /* Read "out" counters (delivered, failed, closed) before the "in" ones
     * (received, opened) they are subtracted from, so a gauge is never
     * pushed below its true value by an update between the two reads. */
    uint64_t life[MTAMON_COUNTER_COUNT];
    for (int k = MTAMON_COUNTER_COUNT - 1; k >= 0; k--)
        life[k] = atomic_load_explicit(&s->counter[k], memory_order_acquire);
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++)
        out->c[k] = (flags & MTAMON_SNAP_LIFETIME)
                        ? life[k]
                        : life[k] - atomic_load_explicit(&s->baseline[k],
                                                         memory_order_relaxed);
    out->stored_msgs = stored(life, 0);
    out->stored_rcpts = stored(life, 1);
    out->stored_volume = stored(life, 2);
    out->in_assocs_current =
        (int64_t)(life[MTAMON_IN_ASSOCS] - life[MTAMON_IN_ASSOCS_CLOSED]);
    out->out_assocs_current =
        (int64_t)(life[MTAMON_OUT_ASSOCS] - life[MTAMON_OUT_ASSOCS_CLOSED]);
    out->last_inbound_ms = atomic_load_explicit(&s->last_inbound_ms, memory_order_relaxed);
    out->last_outbound_ms = atomic_load_explicit(&s->last_outbound_ms, memory_order_relaxed);
    out->last_outbound_attempt_ms =
        atomic_load_explicit(&s->last_outbound_attempt_ms, memory_order_relaxed);
    mtamon__reason_read(&s->rejection_reason, out->last_rejection_reason,
                        sizeof out->last_rejection_reason);
    mtamon__reason_read(&s->connect_failure, out->last_connect_failure,
                        sizeof out->last_connect_failure);

    out->n_status = 0;
    for (int j = 0; j < MTAMON_STATUS_SLOTS; j++) {
        const struct status_slot *e = &s->status[j];
        uint32_t code = atomic_load_explicit(&e->code, memory_order_acquire);
        if (code < 4000000 || code > 5999999)
            continue; /* unclaimed (or garbage: never report it) */
        struct mtamon_status_count *sc = &out->status[out->n_status++];
        sc->code = code;
        uint64_t v[3];
        for (int d = 0; d < 3; d++) {
            v[d] = atomic_load_explicit(&e->count[d], memory_order_relaxed);
            if (!(flags & MTAMON_SNAP_LIFETIME))
                v[d] -= atomic_load_explicit(&e->baseline[d], memory_order_relaxed);
        }
        sc->inbound = v[STATUS_INBOUND];
        sc->internal = v[STATUS_INTERNAL];
        sc->outbound = v[STATUS_OUTBOUND];
    }
    qsort(out->status, out->n_status, sizeof out->status[0], compare_status);
    return MTAMON_OK;
}

/*
 * Room in *@p buf (*@p have entries of @p size bytes, at least one) for
 * the @p used entries a table of @p capacity has in use, @p what naming
 * them in the error: MTAMON_ERR_CORRUPT when used exceeds capacity,
 * MTAMON_ERR_SYSTEM when out of memory.
 */
static mtamon_result reserve_used(const struct segment_map *map, uint32_t used,
                                  uint32_t capacity, const char *what, void **buf,
                                  uint32_t *have, size_t size, struct mtamon_error *err)
{
    if (used > capacity)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: %u %s in use, capacity %u", map->name, used,
                                 what, capacity);
    if (reserve(buf, have, used ? used : 1, size) != 0)
        return mtamon__set_error(err, MTAMON_ERR_SYSTEM, "out of memory");
    return MTAMON_OK;
}

static mtamon_result copy_channels(const struct segment_map *map, unsigned flags,
                                   struct mtamon_snapshot *snap,
                                   struct mtamon_error *err)
{
    uint32_t used = atomic_load_explicit(&map->header->channels_used,
                                         memory_order_acquire);
    mtamon_result st = reserve_used(map, used, map->channel_capacity, "channels",
                                    (void **)&snap->channels, &snap->channels_alloc,
                                    sizeof *snap->channels, err);
    if (st != MTAMON_OK)
        return st;
    snap->n_channels = 0;
    for (uint32_t i = 0; i < used; i++) {
        const struct channel_slot *s = slot_if_active(map, i + 1);
        if (!s)
            continue;
        st = copy_channel(map, s, i, flags, &snap->channels[snap->n_channels], err);
        if (st != MTAMON_OK)
            return st;
        snap->n_channels++;
    }
    return MTAMON_OK;
}

static mtamon_result copy_assocs(const struct segment_map *map,
                                 struct mtamon_snapshot *snap,
                                 struct mtamon_error *err)
{
    uint32_t used = atomic_load_explicit(&map->header->assocs_used,
                                         memory_order_acquire);
    mtamon_result st = reserve_used(map, used, map->assoc_capacity, "association entries",
                                    (void **)&snap->assocs, &snap->assocs_alloc,
                                    sizeof *snap->assocs, err);
    if (st != MTAMON_OK)
        return st;
    snap->n_assocs = 0;
    for (uint32_t i = 0; i < used; i++) {
        const struct assoc_entry *e = &map->assocs[i];
        if (atomic_load_explicit(&e->state, memory_order_acquire) != ASSOC_ACTIVE)
            continue;
        struct mtamon_assoc_stats *a = &snap->assocs[snap->n_assocs];
        a->entry = i + 1;
        a->channel = e->channel;
        a->direction = (mtamon_direction)e->direction;
        a->pid = e->pid;
        a->start_ms = e->start_ms;
        char remote[sizeof e->remote];
        memcpy(remote, e->remote, sizeof remote);
        remote[sizeof remote - 1] = '\0';
        mtamon__copy_printable(a->remote, sizeof a->remote, remote);
        /* Closed (or closed and reopened) while we copied: skip the row
         * rather than mix two associations. */
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&e->state, memory_order_relaxed) != ASSOC_ACTIVE ||
            e->pid != a->pid || e->start_ms != a->start_ms)
            continue;
        /* An entry is only valid for a live writer and a real channel;
         * a writer that died is reclaimed by the next mtamon_open(). */
        if (!slot_if_active(map, a->channel) ||
            (a->direction != MTAMON_INBOUND && a->direction != MTAMON_OUTBOUND) ||
            mtamon__process_gone(a->pid))
            continue;
        snap->n_assocs++;
    }
    return MTAMON_OK;
}

/* Re-attach if the name now refers to another object. */
static mtamon_result follow_name(mtamon_reader *r, int *restarted,
                                 struct mtamon_error *err)
{
    int same = mtamon__segment_same_object(&r->map);
    /* Retired: `delete` is unlinking it (or died doing so). */
    if (same > 0 && segment_retired(&r->map))
        return mtamon__set_error(err, MTAMON_ERR_STALE, "segment %s was deleted",
                                 r->map.name);
    if (same > 0)
        return MTAMON_OK;
    if (same == -2)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s was truncated below its %zu bytes while "
                                 "mapped", r->map.name, r->map.size);
    if (same < 0)
        return mtamon__set_error(err, MTAMON_ERR_SYSTEM, "cannot check segment %s: %s",
                                 r->map.name, strerror(errno));
    struct segment_map fresh;
    mtamon_result st = mtamon__segment_attach(r->map.name, 0,
                                              (r->flags & MTAMON_READER_NOWAIT) != 0,
                                              &fresh, err);
    if (st == MTAMON_ERR_NOENT)
        return mtamon__set_error(err, MTAMON_ERR_STALE, "segment %s was deleted",
                                 r->map.name);
    if (st != MTAMON_OK)
        return st;
    if (segment_retired(&fresh)) {
        mtamon__segment_detach(&fresh);
        return mtamon__set_error(err, MTAMON_ERR_STALE, "segment %s was deleted",
                                 r->map.name);
    }
    mtamon__segment_detach(&r->map);
    r->map = fresh;
    if (restarted)
        *restarted = 1;
    return MTAMON_OK;
}

static void sleep_1ms(void)
{
    struct timespec ts = {0, 1000000L};
    nanosleep(&ts, NULL);
}

mtamon_result mtamon__snapshot_copy(const struct segment_map *map, unsigned flags,
                                    int retries, struct mtamon_snapshot *snap,
                                    struct mtamon_error *err)
{
    const struct segment_header *h = map->header;
    for (int attempt = 0;; attempt++) {
        uint32_t before = atomic_load_explicit(&h->clear_seq, memory_order_acquire);
        /* Wait for a clear in progress; one whose process died (or that ran
         * for CLEAR_STALE_MS) will not finish: copy as it is. */
        if ((before & 1) && mtamon__clear_owner_alive(h)) {
            if (attempt >= retries)
                return mtamon__set_error(err, MTAMON_ERR_BUSY,
                                         "segment %s: a clear has been running for "
                                         "over %d ms", map->name, retries);
            sleep_1ms();
            continue;
        }
        mtamon_result st = copy_channels(map, flags, snap, err);
        if (st == MTAMON_OK)
            st = copy_assocs(map, snap, err);
        if (st != MTAMON_OK)
            return st;
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&h->clear_seq, memory_order_relaxed) == before)
            break; /* no clear began or ended during the copy */
        if (attempt >= retries)
            return mtamon__set_error(err, MTAMON_ERR_BUSY,
                                     "segment %s: cleared again during every "
                                     "copy", map->name);
    }
    snap->generation = h->generation;
    snap->created_ms = h->created_ms;
    snap->cleared_ms = atomic_load_explicit(&h->cleared_ms, memory_order_relaxed);
    snap->taken_ms = now_ms_precise();
    snap->channel_capacity = map->channel_capacity;
    snap->assoc_capacity = map->assoc_capacity;
    return MTAMON_OK;
}

mtamon_result mtamon_snapshot_take(mtamon_reader *r, unsigned flags,
                                   struct mtamon_snapshot *snap, int *restarted,
                                   struct mtamon_error *err)
{
    if (restarted)
        *restarted = 0;
    mtamon_result st = follow_name(r, restarted, err);
    if (st != MTAMON_OK)
        return st;
    return mtamon__snapshot_copy(&r->map, flags, CLEAR_RETRIES, snap, err);
}
