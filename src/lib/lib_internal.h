/*
 * lib_internal.h - what the parts of libmtamon share; not installed.
 */
#ifndef MTAMON_LIB_INTERNAL_H
#define MTAMON_LIB_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "segment_layout.h"

/* Longest segment name accepted ("/" + NAME_MAX-ish). */
#define SEGMENT_NAME_MAX 250

/* A validated mapping of a segment. */
struct segment_map {
    char name[SEGMENT_NAME_MAX + 1];
    void *base;
    size_t size;
    dev_t dev;
    ino_t ino;
    uid_t uid;                   /* owner and mode of the object at attach */
    gid_t gid;
    mode_t mode;
    int writable;
    /* Geometry as validated at attach; never re-read from shared memory. */
    uint32_t channel_capacity;
    uint32_t assoc_capacity;
    struct segment_header *header;
    struct channel_slot *channels;
    struct assoc_entry *assocs;
};

struct mtamon {
    struct segment_map map;
    _Atomic uint32_t assoc_hint; /* where the next free-entry search starts */
    _Atomic int64_t event_time_ms; /* mtamon_event_time(); 0 = the clock */
};

struct mtamon_reader {
    struct segment_map map;
    unsigned flags;              /* enum mtamon_reader_flags */
};

/* Fill @p err (may be NULL) and return @p code. */
mtamon_result set_error(struct mtamon_error *err, mtamon_result code,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Check a segment name: starts with '/', no other '/', bounded. */
mtamon_result segment_name_check(const char *name, struct mtamon_error *err);

/* Geometry for the given capacities (already range-checked). */
struct segment_geometry segment_geometry_for(uint32_t channels,
                                             uint32_t assocs);

/* Validate the @p size bytes at @p base as a segment called @p name (used
 * in messages only) and fill @p map from the header: magic, layout
 * version, header and slot sizes, capacities and geometry, each field read
 * once and checked against @p size before anything else is touched.
 * Leaves dev, ino and writable 0: that is segment_attach()'s part.  The
 * bytes need not be a mapping (the fuzz targets pass a heap buffer), but
 * must be 64-byte aligned.  MTAMON_ERR_BUSY for an empty or magic-less
 * buffer (maybe being initialised), else MTAMON_ERR_FOREIGN, _VERSION or
 * _CORRUPT with a message. */
mtamon_result segment_validate(const char *name, void *base, size_t size,
                               struct segment_map *map,
                               struct mtamon_error *err);

/* Map and validate the segment at @p name.  O_RDWR if @p writable.  An
 * object still being initialised is waited for (up to 1 s) unless @p nowait:
 * then it is MTAMON_ERR_BUSY at once. */
mtamon_result segment_attach(const char *name, int writable, int nowait,
                             struct segment_map *map,
                             struct mtamon_error *err);

/* Create and initialise a new segment (exclusive). */
mtamon_result segment_create(const char *name,
                             const struct mtamon_create_params *params,
                             struct mtamon_error *err);

/* Is the object at @p name what a creator that died leaves behind: empty,
 * or full size with no magic number? */
int segment_uninitialised(const char *name);

/* Unmap (no-op for an empty map). */
void segment_detach(struct segment_map *map);

/* Is @p name still the object @p map has mapped?  1 yes, 0 deleted or
 * replaced, -2 the same object but truncated below the mapping, -1 error
 * (errno). */
int segment_same_object(const struct segment_map *map);

/* Slot @p index (1-based) if it is an active slot of @p map, else NULL.
 * Acquire load, so its name and creation time are safe to read. */
static inline struct channel_slot *slot_if_active(const struct segment_map *map,
                                                  mtamon_channel_t index)
{
    if (index == 0 || index > map->channel_capacity)
        return NULL;
    struct channel_slot *s = &map->channels[index - 1];
    if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_ACTIVE)
        return NULL;
    return s;
}

/* Wall clock in milliseconds, from the vDSO coarse clock: no system call. */
static inline int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Precise wall clock in milliseconds, for rare events. */
static inline int64_t now_ms_precise(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reason ring: publish @p text (truncated, control characters replaced)
 * and copy out the newest complete entry. */
void reason_publish(struct reason_ring *ring, const char *text);
void reason_read(const struct reason_ring *ring, char *out, size_t outlen);

/* Status table: count one error of @p code in direction @p dir. */
void status_count(struct channel_slot *slot, mtamon_status_code code,
                  int dir);

/* Association table: record an open association, returning its 1-based
 * entry (0 if the table is full); release it again (1 if it was ours). */
uint32_t assoc_record(mtamon_t *m, mtamon_channel_t ch, mtamon_direction dir,
                      const char *remote, int64_t now);
int assoc_forget(mtamon_t *m, const mtamon_assoc *a);

/* Close the entries of writer processes that died (counting them closed,
 * so the current-association gauges come back down) and free entries
 * left claimed by dead processes. */
void assoc_reclaim_dead(struct segment_map *map);

/* Copy bounded printable text: control and non-ASCII bytes become '?'. */
void copy_printable(char *dst, size_t dstlen, const char *src);

/* The same, but only up to and including the NUL; returns the length. */
size_t copy_printable_text(char *dst, size_t dstlen, const char *src);

/* Copy the active channels and associations of a validated @p map into
 * @p snap, with the header fields: what mtamon_snapshot_take() does after
 * following the name.  While a clear is running (clear_seq odd) it waits
 * up to @p retries times 1 ms for a consistent copy; then, if the clearer
 * is alive, MTAMON_ERR_BUSY.  With 0 it never sleeps (the fuzz targets). */
mtamon_result snapshot_copy(const struct segment_map *map, unsigned flags,
                            int retries, struct mtamon_snapshot *snap,
                            struct mtamon_error *err);

/* A clear running longer than this was abandoned, whatever its pid says. */
#define CLEAR_STALE_MS 10000

/* Is a clear being run by a live process right now?  (clear_pid set, that
 * process alive, and the clear younger than CLEAR_STALE_MS.) */
int clear_owner_alive(const struct segment_header *h);

/* Is process @p pid gone?  (kill(pid, 0) says ESRCH.)  Always 0 for
 * pid <= 0, which never probes a process group. */
int process_gone(pid_t pid);

/* This process's id, cached (and renewed after fork): no system call. */
pid_t cached_pid(void);

/* Raise *@p hwm to at least @p value. */
void raise_high_water(_Atomic uint32_t *hwm, uint32_t value);

#endif /* MTAMON_LIB_INTERNAL_H */
