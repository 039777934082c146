/*
 * limbo.c - where a writer counts while its segment is deleted and it may
 * not create the next one.
 *
 * A limbo is a private anonymous mapping formatted like the deleted
 * segment: events count into it exactly as into a real one, through the
 * slow path, which tries the name again at most every 10 ms.  When a new
 * segment appears there the writer follows it and moves the limbo's
 * counts into it, so the events between the delete and the create are
 * not lost.  No reader ever sees a limbo.
 */
#include <string.h>
#include <sys/mman.h>

#include "lib_internal.h"

struct attachment *mtamon__limbo_new(mtamon_t *m, struct attachment *old)
{
    struct segment_geometry g = mtamon__segment_geometry_for(old->map.channel_capacity,
                                                             old->map.assoc_capacity);
    void *base = mmap(NULL, g.size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    mtamon__segment_format(base, &g);
    struct segment_map map;
    if (mtamon__segment_validate(old->map.name, base, g.size, &map, NULL) != MTAMON_OK) {
        munmap(base, g.size);
        return NULL;
    }
    map.writable = 1;
    map.mode = old->map.mode;
    map.gid = old->map.gid;
    struct attachment *a = mtamon__attachment_new(&map, old->epoch + 1, old);
    if (!a) {
        munmap(base, g.size);
        return NULL;
    }
    a->limbo = 1;
    if (mtamon__handles_remap(m, a) != 0) {
        a->prev = NULL;
        mtamon__attachment_free_all(a);
        return NULL;
    }
    /* Every event takes the slow path, which looks for the new segment. */
    atomic_init(&a->check, &mtamon__always_slow_word);
    return a;
}

/* Move *@p from into *@p to if it is later. */
static void move_time(_Atomic int64_t *from, _Atomic int64_t *to)
{
    int64_t t = atomic_exchange_explicit(from, 0, memory_order_relaxed);
    int64_t cur = atomic_load_explicit(to, memory_order_relaxed);
    while (cur < t && !atomic_compare_exchange_weak_explicit(to, &cur, t,
                                                             memory_order_relaxed,
                                                             memory_order_relaxed)) {
    }
}

/* Move everything channel @p s counted into @p d.  Exchanges, so a count
 * is moved once even if this runs again. */
static void move_channel(struct channel_slot *s, struct channel_slot *d)
{
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++) {
        uint64_t v = atomic_exchange_explicit(&s->counter[k], 0, memory_order_relaxed);
        if (v)
            atomic_fetch_add_explicit(&d->counter[k], v, memory_order_relaxed);
    }
    move_time(&s->last_inbound_ms, &d->last_inbound_ms);
    move_time(&s->last_outbound_ms, &d->last_outbound_ms);
    move_time(&s->last_outbound_attempt_ms, &d->last_outbound_attempt_ms);
    for (int j = 0; j < MTAMON_STATUS_SLOTS; j++) {
        mtamon_status_code code = atomic_load_explicit(&s->status[j].code,
                                                       memory_order_acquire);
        for (int dir = 0; dir < 3 && code; dir++) {
            uint64_t v = atomic_exchange_explicit(&s->status[j].count[dir], 0,
                                                  memory_order_relaxed);
            if (v)
                mtamon__status_add(d, code, dir, v);
        }
    }
    char text[MTAMON_REASON_MAX + 1];
    mtamon__reason_read(&s->rejection_reason, text, sizeof text);
    if (text[0])
        mtamon__reason_publish(&d->rejection_reason, text);
    mtamon__reason_read(&s->connect_failure, text, sizeof text);
    if (text[0])
        mtamon__reason_publish(&d->connect_failure, text);
}

void mtamon__limbo_merge(struct attachment *limbo, struct attachment *into)
{
    struct segment_map *from = &limbo->map;
    uint32_t used = atomic_load_explicit(&from->header->channels_used,
                                         memory_order_acquire);
    for (uint32_t i = 1; i <= used && i <= from->channel_capacity; i++) {
        struct channel_slot *s = slot_if_active(from, i);
        uint32_t index = 0;
        if (!s || mtamon__channel_lookup(&into->map, s->name, 1, &index,
                                         NULL) != MTAMON_OK)
            continue; /* registered in the limbo, no room in the new segment */
        struct channel_slot *d = slot_if_active(&into->map, index);
        if (d)
            move_channel(s, d);
    }
}
