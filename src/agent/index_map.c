/*
 * index_map.c - stable mtaGroupIndex values for channel names (see
 * index_map.h for the rules).
 *
 * Here: the hash table of names (struct index_map, index_map_internal.h)
 * and the pins of the configuration.  The file is in index_file.c, only
 * read by index_map_open() and only written by index_map_flush().
 */
#include "index_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv1a.h"
#include "index_map_internal.h"
#include "log.h"
#include "mtamon.h"

/* ------------------------------------------------------------------------ */
/* The hash table of names                                                   */

static uint64_t hash_name(const char *s)
{
    return fnv1a_add(FNV1A_INIT, s, strlen(s));
}

/* Slot of @p name: where it is, or the empty slot where it would go. */
static size_t find_slot(const struct index_map *map, const char *name)
{
    size_t mask = map->n_slots - 1;
    size_t i = hash_name(name) & mask;
    while (map->slots[i] &&
           strcmp(map->entries[map->slots[i] - 1].name, name) != 0)
        i = (i + 1) & mask;
    return i;
}

struct map_entry *index_map_lookup(const struct index_map *map,
                                   const char *name)
{
    size_t i = find_slot(map, name);
    return map->slots[i] ? &map->entries[map->slots[i] - 1] : NULL;
}

/* Double the hash table; keep the load factor at most 1/2. */
static int grow_slots(struct index_map *map)
{
    size_t n_slots = map->n_slots ? map->n_slots * 2 : 64;
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return -1;
    uint32_t *old = map->slots;
    map->slots = slots;
    map->n_slots = n_slots;
    for (size_t pos = 0; pos < map->n; pos++)
        map->slots[find_slot(map, map->entries[pos].name)] = (uint32_t)pos + 1;
    free(old);
    return 0;
}

struct map_entry *index_map_insert(struct index_map *map, const char *name,
                                   uint32_t index)
{
    if (map->n >= UINT32_MAX - 1)
        return NULL;
    if ((map->n + 1) * 2 > map->n_slots && grow_slots(map) != 0)
        return NULL;
    if (map->n == map->alloc) {
        size_t alloc = map->alloc ? map->alloc * 2 : 64;
        struct map_entry *e = realloc(map->entries, alloc * sizeof *e);
        if (!e)
            return NULL;
        map->entries = e;
        map->alloc = alloc;
    }
    struct map_entry *e = &map->entries[map->n];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->index = index;
    map->slots[find_slot(map, name)] = (uint32_t)map->n + 1;
    map->n++;
    return e;
}

int index_map_compare_index(const void *a, const void *b)
{
    const struct map_entry *const *x = a, *const *y = b;
    return ((*x)->index > (*y)->index) - ((*x)->index < (*y)->index);
}

/* ------------------------------------------------------------------------ */
/* Pins from the configuration                                               */

struct pin {
    uint32_t index;
    const char *name;
};

static int compare_pin(const void *a, const void *b)
{
    const struct pin *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

/* Next never-used index, 0 when none is left. */
static uint32_t next_index(struct index_map *map)
{
    if (map->max_index >= INDEX_MAP_MAX)
        return 0;
    return ++map->max_index;
}

/* The pin on @p index, NULL when there is none. */
static const struct pin *find_pin(const struct pin *pins, size_t n_pins,
                                  uint32_t index)
{
    struct pin key = {index, NULL};
    return bsearch(&key, pins, n_pins, sizeof *pins, compare_pin);
}

/* The valid pins of @p conf into @p pins, sorted by index; returns their
 * number.  A pinned index counts as handed out, so a new name never gets
 * one (rule 3). */
static size_t collect_pins(struct index_map *map, const struct config *conf,
                           struct pin *pins)
{
    size_t n_pins = 0;
    for (size_t i = 0; i < conf->n_channels; i++) {
        const struct config_channel *c = &conf->channels[i];
        if (c->group_index == 0 || c->group_index > INDEX_MAP_MAX ||
            mtamon_channel_name_check(c->name, NULL) != MTAMON_OK)
            continue; /* config_load() refuses these already */
        pins[n_pins].index = c->group_index;
        pins[n_pins].name = c->name;
        n_pins++;
        if (c->group_index > map->max_index)
            map->max_index = c->group_index;
    }
    qsort(pins, n_pins, sizeof *pins, compare_pin);
    return n_pins;
}

/* Every pinned name has an entry (a new one until now unseen) that knows
 * its pin. */
static int mark_pinned(struct index_map *map, const struct pin *pins,
                       size_t n_pins, char *err, size_t errlen)
{
    for (size_t i = 0; i < n_pins; i++) {
        struct map_entry *e = index_map_lookup(map, pins[i].name);
        if (!e && !(e = index_map_insert(map, pins[i].name, pins[i].index))) {
            errbuf_set(err, errlen, "out of memory");
            return -1;
        }
        e->pin = pins[i].index;
    }
    return 0;
}

/* The names a pin displaces (rule 2): from the file, not pinned, holding
 * a pinned index.  Into @p moved, in the order of those indexes, so the
 * result does not depend on the order of the file; returns their number.
 * Before take_pins(), which changes the indexes of the file. */
static size_t find_displaced(const struct index_map *map,
                             const struct pin *pins, size_t n_pins,
                             struct map_entry **moved)
{
    size_t n_moved = 0;
    for (size_t pos = 0; pos < map->n; pos++) {
        struct map_entry *e = &map->entries[pos];
        if (e->line && !e->pin && find_pin(pins, n_pins, e->index))
            moved[n_moved++] = e;
    }
    qsort(moved, n_moved, sizeof *moved, index_map_compare_index);
    return n_moved;
}

/* A pinned index always wins (rule 1): pinned names take their pins,
 * logged when the file said otherwise. */
static void take_pins(struct index_map *map)
{
    for (size_t pos = 0; pos < map->n; pos++) {
        struct map_entry *e = &map->entries[pos];
        if (!e->pin || e->index == e->pin)
            continue;
        if (e->line)
            log_msg(LOG_NOTICE,
                    "group index of channel %s: %u pinned by the "
                    "configuration (was %u in %s)",
                    e->name, e->pin, e->index,
                    map->path ? map->path : "memory");
        e->index = e->pin;
        map->dirty = 1;
    }
}

/* A displaced name gets a new index (rule 2, then rule 3), and that is
 * logged. */
static void move_displaced(struct index_map *map, const struct pin *pins,
                           size_t n_pins, struct map_entry *const *moved,
                           size_t n_moved)
{
    for (size_t i = 0; i < n_moved; i++) {
        struct map_entry *e = moved[i];
        uint32_t old = e->index;
        const struct pin *p = find_pin(pins, n_pins, old);
        const char *owner = p ? p->name : "";
        e->index = next_index(map);
        map->dirty = 1;
        if (e->index)
            log_msg(LOG_WARNING,
                    "group index %u of channel %s is now pinned to channel %s "
                    "by the configuration; %s gets index %u",
                    old, e->name, owner, e->name, e->index);
        else
            log_msg(LOG_WARNING,
                    "group index %u of channel %s is now pinned to channel %s "
                    "by the configuration, and no index is left for %s",
                    old, e->name, owner, e->name);
    }
}

/* The rules of index_map.h for the pins of @p conf, over the entries the
 * file gave. */
static int apply_pins(struct index_map *map, const struct config *conf,
                      char *err, size_t errlen)
{
    struct pin *pins = calloc(conf->n_channels ? conf->n_channels : 1,
                              sizeof *pins);
    struct map_entry **moved = calloc(map->n ? map->n : 1, sizeof *moved);
    if (!pins || !moved) {
        free(pins);
        free(moved);
        errbuf_set(err, errlen, "out of memory");
        return -1;
    }
    size_t n_pins = collect_pins(map, conf, pins);
    int rc = mark_pinned(map, pins, n_pins, err, errlen);
    if (rc == 0) {
        size_t n_moved = find_displaced(map, pins, n_pins, moved);
        take_pins(map);
        move_displaced(map, pins, n_pins, moved, n_moved);
    }
    free(pins);
    free(moved);
    return rc;
}

/* ------------------------------------------------------------------------ */

struct index_map *index_map_open(const char *path, const struct config *conf,
                                 char *err, size_t errlen)
{
    struct index_map *map = calloc(1, sizeof *map);
    if (!map || grow_slots(map) != 0 || (path && !(map->path = strdup(path)))) {
        errbuf_set(err, errlen, "out of memory");
        index_map_free(map);
        return NULL;
    }
    if ((path && index_file_load(map, path, err, errlen) != 0) ||
        (conf && apply_pins(map, conf, err, errlen) != 0)) {
        index_map_free(map);
        return NULL;
    }
    if (!path)
        log_msg(LOG_NOTICE, "no group-index file: mtaGroupIndex values are "
                            "stable for the life of this process only");
    return map;
}

uint32_t index_map_get(struct index_map *map, const char *name)
{
    struct map_entry *e = index_map_lookup(map, name);
    if (e) {
        if (!e->persist && e->index) {
            e->persist = 1;
            map->dirty = 1;
        }
        return e->index;
    }
    if (mtamon_channel_name_check(name, NULL) != MTAMON_OK)
        return 0;
    if (map->max_index >= INDEX_MAP_MAX) {
        if (!map->exhausted_logged)
            log_msg(LOG_ERR, "every mtaGroupIndex up to %u is used: channel %s "
                             "and later new channels get none",
                    INDEX_MAP_MAX, name);
        map->exhausted_logged = 1;
        return 0;
    }
    e = index_map_insert(map, name, map->max_index + 1);
    if (!e)
        return 0;
    map->max_index++;
    e->persist = 1;
    map->dirty = 1;
    return e->index;
}

int index_map_flush(struct index_map *map, char *err, size_t errlen)
{
    if (!map->dirty)
        return 0;
    if (map->path && index_file_write(map, err, errlen) != 0)
        return -1;
    map->dirty = 0;
    return 0;
}

void index_map_free(struct index_map *map)
{
    if (!map)
        return;
    free(map->path);
    free(map->entries);
    free(map->slots);
    free(map);
}
