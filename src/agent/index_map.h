/*
 * index_map.h - stable mtaGroupIndex values for channel names.
 *
 * RFC 2789: once a group exists its mtaGroupIndex must not change.  The
 * segment's slot numbers change when it is re-created, so mtamond keeps
 * its own assignment, name -> index, in a small text file (one
 * "INDEX NAME" line per channel), rewritten with atomic_file_write()
 * (a temporary file of its own, fsync, rename; never through a symbolic
 * link) by index_map_flush() after new names were seen (once per
 * refresh, not once per name: 10,000 new channels cost one write).  Rules:
 *
 *   - an index pinned in the configuration always wins;
 *   - an unpinned name keeps the index the file gives it, unless a pin
 *     now claims that index (then it gets a new one, and that is logged);
 *   - a new name gets one more than the highest index ever handed out or
 *     pinned, so an index is never reused for another name.
 *
 * Without a file (path NULL, or the file cannot be written) the map lives
 * in memory: indexes are then stable for the life of the process only, and
 * that is logged once.
 */
#ifndef MTAMON_INDEX_MAP_H
#define MTAMON_INDEX_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"

/** Largest mtaGroupIndex (INTEGER 1..2147483647). */
#define INDEX_MAP_MAX 2147483647u

struct index_map;

/**
 * Load the map from @p path (NULL: memory only), applying the pins of
 * @p conf.  A missing file is an empty map; a malformed line is an error
 * naming the file and line, and anything but a regular file (a FIFO, a
 * device, a symbolic link) is refused without being read; the error is written into @p err
 * (size @p errlen), and NULL is returned.  The file is not written here.
 */
struct index_map *index_map_open(const char *path, const struct config *conf,
                                 char *err, size_t errlen);

/**
 * The mtaGroupIndex of channel @p name, assigning one in memory if the
 * name is new.  O(1) on average (hash).  Returns 0 only when every index
 * is used up.
 */
uint32_t index_map_get(struct index_map *map, const char *name);

/**
 * Write the file if names were assigned since the last flush.  Returns 0
 * (also when there is no file), or -1 with a message in @p err; the map
 * stays valid in memory and the next flush tries again.
 */
int index_map_flush(struct index_map *map, char *err, size_t errlen);

/** Free the map. */
void index_map_free(struct index_map *map);

#endif /* MTAMON_INDEX_MAP_H */
