/*
 * assoc_table.c - the segment's table of current associations (assocTable).
 */
#include <string.h>

#include "lib_internal.h"

uint32_t assoc_record(mtamon_t *m, mtamon_channel_t ch, mtamon_direction dir,
                      const char *remote, int64_t now)
{
    struct segment_map *map = &m->map;
    uint32_t cap = map->assoc_capacity;
    uint32_t start = atomic_load_explicit(&m->assoc_hint, memory_order_relaxed) % cap;
    for (uint32_t k = 0; k < cap; k++) {
        uint32_t i = (start + k) % cap;
        struct assoc_entry *e = &map->assocs[i];
        uint32_t expected = ASSOC_FREE;
        if (atomic_load_explicit(&e->state, memory_order_relaxed) != ASSOC_FREE ||
            !atomic_compare_exchange_strong_explicit(&e->state, &expected,
                                                     ASSOC_CLAIMING,
                                                     memory_order_acquire,
                                                     memory_order_relaxed))
            continue;
        e->channel = ch;
        e->direction = dir;
        e->pid = cached_pid();
        e->start_ms = now;
        copy_printable(e->remote, sizeof e->remote, remote ? remote : "");
        atomic_store_explicit(&e->state, ASSOC_ACTIVE, memory_order_release);
        raise_high_water(&map->header->assocs_used, i + 1);
        atomic_store_explicit(&m->assoc_hint, i + 1, memory_order_relaxed);
        return i + 1;
    }
    return 0; /* table full: the association is counted, not listed */
}

int assoc_forget(mtamon_t *m, const mtamon_assoc *a)
{
    if (a->entry == 0 || a->entry > m->map.assoc_capacity)
        return 0;
    struct assoc_entry *e = &m->map.assocs[a->entry - 1];
    uint32_t expected = ASSOC_ACTIVE;
    if (e->channel != a->channel || e->direction != a->direction ||
        e->pid != cached_pid())
        return 0;
    return atomic_compare_exchange_strong_explicit(&e->state, &expected, ASSOC_FREE,
                                                   memory_order_release,
                                                   memory_order_relaxed);
}
