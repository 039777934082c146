/*
 * index_map_internal.h - what index_map.c (the hash table of names and
 * the pin rules) and index_file.c (the group-index file) share; only
 * they include it.  The rest of mtamond sees index_map.h.
 */
#ifndef MTAMON_INDEX_MAP_INTERNAL_H
#define MTAMON_INDEX_MAP_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errbuf.h"
#include "index_map.h"
#include "mtamon.h"

struct map_entry {
    char name[MTAMON_CHANNEL_NAME_MAX + 1];
    uint32_t index;     /* 0 only when every index was used up */
    uint32_t pin;       /* pinned by the configuration, 0 = not */
    unsigned line;      /* line in the file, 0 = not from the file */
    int persist;        /* belongs in the file (in it, or seen by get) */
};

/* Entries live in one growing array; an open-addressing hash table of
 * array positions finds a name in O(1). */
struct index_map {
    char *path;                 /* NULL: memory only */
    struct map_entry *entries;
    size_t n, alloc;
    uint32_t *slots;            /* position + 1 in entries[], 0 = empty */
    size_t n_slots;             /* a power of two, at least 2 * n */
    uint32_t max_index;         /* highest ever handed out or pinned */
    int dirty;                  /* the file lags behind the map */
    int exhausted_logged;
};

/* index_map.c */

/** The entry of @p name, or NULL when the map has none.  Owned by @p map,
 *  valid until the next index_map_insert(). */
struct map_entry *index_map_lookup(const struct index_map *map,
                                   const char *name);

/**
 * Add @p name (not in the map yet, at most MTAMON_CHANNEL_NAME_MAX bytes)
 * with @p index and every other field 0.  Returns the new entry (owned by
 * @p map, valid until the next insert), or NULL when out of memory.
 */
struct map_entry *index_map_insert(struct index_map *map, const char *name,
                                   uint32_t index);

/** qsort()/bsearch() order of two `struct map_entry *` by index. */
int index_map_compare_index(const void *a, const void *b);

/* index_file.c */

/**
 * Read the group-index file @p path into @p map (empty, but for its hash
 * table): one entry per line, marked as from the file and to be kept, and
 * max_index raised to the highest index read.  A missing file leaves the
 * map empty and returns 0.  Anything but a regular file, a malformed line,
 * a duplicate name or index, or a read error returns -1 with a message
 * naming the file (and the line) in @p err.
 */
int index_file_load(struct index_map *map, const char *path, char *err,
                    size_t errlen);

/**
 * Write the entries of @p map to be kept, by index, to map->path with
 * atomic_file_write().  Returns 0, or -1 with a message in @p err.
 */
int index_file_write(const struct index_map *map, char *err, size_t errlen);

#endif /* MTAMON_INDEX_MAP_INTERNAL_H */
