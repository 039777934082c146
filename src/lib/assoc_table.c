/*
 * assoc_table.c - the segment's table of current associations (assocTable).
 *
 * An entry is claimed by CAS (FREE -> claimed by our pid), filled, then
 * published ACTIVE; only then is the association counted as opened, so a
 * writer that dies before publishing leaves nothing to undo.  The entries
 * of writers that died are closed by the next mtamon_open().
 */
#include <sched.h>
#include <string.h>

#include "lib_internal.h"

/* Free entries looked at before giving up: a full table must not make
 * every open scan it all. */
#define ASSOC_PROBES 64

uint32_t mtamon__assoc_record(mtamon_t *m, struct segment_map *map, uint32_t slot,
                              mtamon_direction dir, const char *remote, int64_t now)
{
    uint32_t cap = map->assoc_capacity;
    uint32_t start = atomic_load_explicit(&m->assoc_hint, memory_order_relaxed) % cap;
    for (uint32_t k = 0; k < cap && k < ASSOC_PROBES; k++) {
        uint32_t i = (start + k) % cap;
        struct assoc_entry *e = &map->assocs[i];
        uint32_t expected = ASSOC_FREE;
        if (atomic_load_explicit(&e->state, memory_order_relaxed) != ASSOC_FREE ||
            !atomic_compare_exchange_strong_explicit(&e->state, &expected,
                                                     claim_state(mtamon__cached_pid()),
                                                     memory_order_acquire,
                                                     memory_order_relaxed))
            continue;
        /* Before publishing, so no reader or reclaimer misses it. */
        mtamon__raise_high_water(&map->header->assocs_used, i + 1);
        e->channel = slot;
        e->direction = dir;
        e->pid = mtamon__cached_pid();
        e->start_ms = now;
        mtamon__copy_printable(e->remote, sizeof e->remote, remote ? remote : "");
        atomic_store_explicit(&e->state, ASSOC_ACTIVE, memory_order_release);
        atomic_store_explicit(&m->assoc_hint, i + 1, memory_order_relaxed);
        return i + 1;
    }
    return 0; /* table full: the association is counted, not listed */
}

int mtamon__assoc_forget(struct segment_map *map, uint32_t entry, uint32_t slot,
                         mtamon_direction dir)
{
    if (entry == 0 || entry > map->assoc_capacity)
        return 0;
    struct assoc_entry *e = &map->assocs[entry - 1];
    /* A reclaimer may hold our entry for a moment to check it: wait. */
    for (int tries = 0; tries < 1000; tries++) {
        uint32_t state = atomic_load_explicit(&e->state, memory_order_acquire);
        if (state == ASSOC_ACTIVE) {
            if (e->channel != slot || e->direction != (uint32_t)dir ||
                e->pid != mtamon__cached_pid())
                return 0;
            if (atomic_compare_exchange_strong_explicit(&e->state, &state, ASSOC_FREE,
                                                        memory_order_release,
                                                        memory_order_relaxed))
                return 1;
        } else if (!is_claim_state(state) || claim_owner(state) == mtamon__cached_pid()) {
            return 0; /* free: closed twice */
        }
        sched_yield();
    }
    return 0;
}

void mtamon__assoc_reclaim_dead(struct segment_map *map)
{
    uint32_t used = atomic_load_explicit(&map->header->assocs_used,
                                         memory_order_acquire);
    if (used > map->assoc_capacity)
        used = map->assoc_capacity;
    uint32_t mine = claim_state(mtamon__cached_pid());
    for (uint32_t i = 0; i < used; i++) {
        struct assoc_entry *e = &map->assocs[i];
        uint32_t state = atomic_load_explicit(&e->state, memory_order_acquire);
        if (is_claim_state(state)) {
            /* An open that never published (never counted), or a
             * reclaim that died (counted, or a few instructions short). */
            if (mtamon__process_gone(claim_owner(state)))
                atomic_compare_exchange_strong_explicit(&e->state, &state, ASSOC_FREE,
                                                        memory_order_release,
                                                        memory_order_relaxed);
            continue;
        }
        int32_t pid = e->pid;
        if (state != ASSOC_ACTIVE || !mtamon__process_gone(pid) ||
            !atomic_compare_exchange_strong_explicit(&e->state, &state, mine,
                                                     memory_order_acquire,
                                                     memory_order_relaxed))
            continue;
        if (e->pid != pid) { /* reclaimed and re-opened meanwhile: not dead */
            atomic_store_explicit(&e->state, ASSOC_ACTIVE, memory_order_release);
            continue;
        }
        struct channel_slot *s = slot_if_active(map, e->channel);
        if (s)
            atomic_fetch_add_explicit(&s->counter[e->direction == MTAMON_INBOUND
                                                      ? MTAMON_IN_ASSOCS_CLOSED
                                                      : MTAMON_OUT_ASSOCS_CLOSED],
                                      1, memory_order_relaxed);
        atomic_store_explicit(&e->state, ASSOC_FREE, memory_order_release);
    }
}
