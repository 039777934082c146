/*
 * handles.c - the channel handles a writer gives its caller, kept valid
 * across re-attachments.
 *
 * In the segment a writer opened, a handle is the channel's slot index.
 * When the writer follows a re-created segment (follow.c), it registers
 * the old segment's channels again in their old order - so a fresh
 * successor has every channel at its old index and handles stay slot
 * indices - then finds the slot of every handle it gave out.  Only when
 * some index differs (the successor already had other channels, or is
 * smaller) does the attachment get a translation table; its check word
 * then always sends events to the slow path, which translates.
 *
 * Everything here runs under mtamon.lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_internal.h"

const _Atomic uint32_t mtamon__always_slow_word = 1;

void mtamon__handles_free(struct handle_names *names)
{
    free(names->name);
    memset(names, 0, sizeof *names);
}

/* Remember that handle @p h names channel @p name. */
static int note(struct handle_names *n, mtamon_channel_t h, const char *name)
{
    if (h > n->cap) {
        uint32_t cap = n->cap ? n->cap : 64;
        while (cap < h)
            cap *= 2;
        void *p = realloc(n->name, (size_t)cap * sizeof n->name[0]);
        if (!p)
            return -1;
        n->name = p;
        memset(n->name + n->cap, 0, (size_t)(cap - n->cap) * sizeof n->name[0]);
        n->cap = cap;
    }
    if (h > n->len)
        n->len = h;
    snprintf(n->name[h - 1], sizeof n->name[0], "%s", name);
    return 0;
}

/* The handle given out for @p name, or 0. */
static mtamon_channel_t known_handle(const struct handle_names *n, const char *name)
{
    for (uint32_t h = 1; h <= n->len; h++)
        if (strcmp(n->name[h - 1], name) == 0)
            return h;
    return 0;
}

/* Make handle @p h count into slot @p index of @p a.  -1 if the table
 * has no room (it is sized for every channel the segment can hold). */
static int remap_set(struct attachment *a, mtamon_channel_t h, uint32_t index)
{
    uint32_t len = atomic_load_explicit(&a->remap_len, memory_order_relaxed);
    if (h <= len) {
        atomic_store_explicit(&a->remap[h - 1], index, memory_order_relaxed);
    } else if (h == index) {
        return 0; /* beyond the table, handles are slot indices */
    } else {
        if (h > a->remap_cap)
            return -1;
        for (uint32_t i = len; i + 1 < h; i++)
            atomic_store_explicit(&a->remap[i], i + 1, memory_order_relaxed);
        atomic_store_explicit(&a->remap[h - 1], index, memory_order_relaxed);
        /* Release: the entries are written before a reader may index them. */
        atomic_store_explicit(&a->remap_len, h, memory_order_release);
    }
    if (index != h) /* from now on every event translates */
        atomic_store_explicit(&a->check, &mtamon__always_slow_word, memory_order_release);
    return 0;
}

mtamon_result mtamon__handle_assign(mtamon_t *m, struct attachment *a, const char *name,
                                    uint32_t index, mtamon_channel_t *out,
                                    struct mtamon_error *err)
{
    struct handle_names *n = &m->names;
    mtamon_channel_t h = index;
    if (a->epoch > 0 && h <= n->len && n->name[h - 1][0] &&
        strcmp(n->name[h - 1], name) != 0) {
        /* That number is the caller's handle of another channel. */
        h = known_handle(n, name);
        if (h == 0)
            h = n->len + 1;
    }
    if (remap_set(a, h, index) != 0)
        return mtamon__set_error(err, MTAMON_ERR_FULL,
                                 "segment %s: no channel handle left for '%s'",
                                 a->map.name, name);
    if (note(n, h, name) != 0)
        return mtamon__set_error(err, MTAMON_ERR_SYSTEM, "out of memory");
    *out = h;
    return MTAMON_OK;
}

/* Register the active channels of @p old in @p map, in slot order, if
 * they all fit. */
static void replicate(const struct segment_map *old, struct segment_map *map)
{
    uint32_t used = atomic_load_explicit(&old->header->channels_used,
                                         memory_order_acquire);
    if (used > old->channel_capacity || used > map->channel_capacity)
        return;
    for (uint32_t i = 1; i <= used; i++) {
        const struct channel_slot *s = slot_if_active(old, i);
        if (!s)
            continue;
        char name[MTAMON_CHANNEL_NAME_MAX + 1];
        memcpy(name, s->name, sizeof name);
        name[sizeof name - 1] = '\0';
        uint32_t index;
        if (mtamon_channel_name_check(name, NULL) == MTAMON_OK)
            mtamon__channel_lookup(map, name, 1, &index, NULL);
    }
}

int mtamon__handles_remap(mtamon_t *m, struct attachment *a)
{
    const struct handle_names *n = &m->names;
    if (a->prev)
        replicate(&a->prev->map, &a->map);
    uint32_t cap = n->len + 2 * a->map.channel_capacity + 1;
    a->remap = calloc(cap, sizeof *a->remap);
    if (!a->remap)
        return -1;
    a->remap_cap = cap;
    int identity = 1;
    for (uint32_t h = 1; h <= n->len; h++) {
        uint32_t index = h; /* unknown numbers stay slot indices */
        if (n->name[h - 1][0] &&
            mtamon__channel_lookup(&a->map, n->name[h - 1], 1, &index, NULL) != MTAMON_OK)
            index = 0; /* no room: its events fail with MTAMON_ERR_INVALID */
        atomic_init(&a->remap[h - 1], index);
        identity &= index == h;
    }
    atomic_init(&a->remap_len, n->len);
    if (!identity)
        atomic_init(&a->check, &mtamon__always_slow_word);
    return 0;
}
