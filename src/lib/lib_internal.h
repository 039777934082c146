/*
 * lib_internal.h - what the parts of libmtamon share; not installed.
 */
#ifndef MTAMON_LIB_INTERNAL_H
#define MTAMON_LIB_INTERNAL_H

#include <pthread.h>
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
    /* Owner, group and permission bits of the object at attach: readers
     * judge whom to trust by them (mtamon_reader_owner()), and a writer
     * that re-creates a deleted segment gives the new one the same group
     * and mode. */
    uid_t uid;
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

/*
 * A writer's attachment to one segment.  A writer starts with one (epoch
 * 0) and gets a new one each time it follows its segment's name after a
 * `delete` (follow.c).  Attachments are published through mtamon.cur with
 * release and never freed before mtamon_close(), so an event that loaded
 * one may finish with it; the mapping of one two re-attachments old is
 * replaced by anonymous memory (attachment_release()).
 */
struct attachment {
    struct segment_map map;
    /* The word every event loads: the segment's retired word while the
     * caller's channel handles are its slot indices, else always_slow (a
     * handle must be translated through remap).  Changed only from the
     * retired word to always_slow, under mtamon.lock. */
    _Atomic(const _Atomic uint32_t *) check;
    /* Epoch > 0: handle h (1..remap_len) counts into slot remap[h-1] (0:
     * not registered here); handles above remap_len are slot indices.
     * Entries are written before remap_len is raised with release. */
    _Atomic uint32_t *remap;
    _Atomic uint32_t remap_len;
    uint32_t remap_cap;
    uint32_t epoch;
    int limbo;               /* a private stand-in (limbo.c) */
    int released;            /* mapping replaced by anonymous memory */
    struct attachment *prev; /* the one it replaced */
};

/* Handle -> channel name of every handle mtamon_channel() gave out, to
 * register them again in a re-created segment.  Under mtamon.lock. */
struct handle_names {
    char (*name)[MTAMON_CHANNEL_NAME_MAX + 1]; /* name[h-1], "" = unknown */
    uint32_t len, cap;
};

struct mtamon {
    /* The segment the writer opened (epoch 0).  Never changes, so events
     * find its slots at fixed offsets of the handle, without loading cur
     * first, until it is retired. */
    struct attachment first;
    _Atomic(struct attachment *) cur; /* what events count into */
    _Atomic uint32_t assoc_hint; /* where the next free-entry search starts */
    _Atomic int64_t event_time_ms; /* mtamon_event_time(); 0 = the clock */
    _Atomic uint64_t reattached;   /* mtamon_reattached() */
    /* After a failed attempt to follow the name: no new one before this
     * (CLOCK_MONOTONIC ns), so a missing segment costs no system call per
     * event. */
    _Atomic int64_t next_follow_ns;
    int64_t retry_same_ns;       /* its back-off, under lock (follow.c) */
    int may_create;              /* opened with MTAMON_OPEN_CREATE */
    pthread_mutex_t lock;        /* registering channels, following */
    struct handle_names names;
};

/* The map events of @p m currently count into. */
static inline struct segment_map *writer_map(mtamon_t *m)
{
    return &atomic_load_explicit(&m->cur, memory_order_acquire)->map;
}

struct mtamon_reader {
    struct segment_map map;
    unsigned flags;              /* enum mtamon_reader_flags */
};

/* Fill @p err (may be NULL) and return @p code. */
mtamon_result mtamon__set_error(struct mtamon_error *err, mtamon_result code,
                                const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The mtamon_result for a system call's errno. */
mtamon_result mtamon__errno_status(int e);

/* A system call on segment @p name failed with @p e: "segment NAME does
 * not exist" (NOENT) for ENOENT, else "cannot VERB segment NAME: why". */
mtamon_result mtamon__segment_errno(struct mtamon_error *err, int e,
                                    const char *verb, const char *name);

/* Offset of the first byte of name[from..len) that is not printable
 * ASCII without space (0x21..0x7e) or is @p also_bad; @p len if none. */
static inline size_t mtamon__first_bad_byte(const char *name, size_t from,
                                            size_t len, char also_bad)
{
    for (size_t i = from; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f || (also_bad && c == (unsigned char)also_bad))
            return i;
    }
    return len;
}

/* Check a segment name: starts with '/', no other '/', bounded. */
mtamon_result mtamon__segment_name_check(const char *name, struct mtamon_error *err);

/* Geometry for the given capacities (already range-checked). */
struct segment_geometry mtamon__segment_geometry_for(uint32_t channels,
                                                     uint32_t assocs);

/* Validate the @p size bytes at @p base as a segment called @p name (used
 * in messages only) and fill @p map from the header: magic, layout
 * version, header and slot sizes, capacities and geometry, each field read
 * once and checked against @p size before anything else is touched.
 * Leaves dev, ino and writable 0: that is mtamon__segment_attach()'s part.  The
 * bytes need not be a mapping (the fuzz targets pass a heap buffer), but
 * must be 64-byte aligned.  MTAMON_ERR_BUSY for an empty or magic-less
 * buffer (maybe being initialised), else MTAMON_ERR_FOREIGN, _VERSION or
 * _CORRUPT with a message. */
mtamon_result mtamon__segment_validate(const char *name, void *base, size_t size,
                                       struct segment_map *map,
                                       struct mtamon_error *err);

/* Map and validate the segment at @p name.  O_RDWR if @p writable.  An
 * object still being initialised is waited for (up to 1 s) unless @p nowait:
 * then it is MTAMON_ERR_BUSY at once. */
mtamon_result mtamon__segment_attach(const char *name, int writable, int nowait,
                                     struct segment_map *map,
                                     struct mtamon_error *err);

/* Write the header of a zero-filled segment of geometry @p g at @p base,
 * the magic last (release). */
void mtamon__segment_format(void *base, const struct segment_geometry *g);

/* Create and initialise a new segment (exclusive). */
mtamon_result mtamon__segment_create(const char *name,
                                     const struct mtamon_create_params *params,
                                     struct mtamon_error *err);

/* Is the object at @p name what a creator that died leaves behind: empty,
 * or full size with no magic number? */
int mtamon__segment_uninitialised(const char *name);

/* Unmap (no-op for an empty map). */
void mtamon__segment_detach(struct segment_map *map);

/* Is @p name still the object @p map has mapped?  1 yes, 0 deleted or
 * replaced, -2 the same object but truncated below the mapping, -1 error
 * (errno). */
int mtamon__segment_same_object(const struct segment_map *map);

/* Mark the segment at @p name retired (mtamon_unlink(), before it unlinks
 * the name).  Returns 1 if it marked a valid segment, 0 if there was none
 * it could open writable and validate (nothing to tell writers). */
int mtamon__segment_retire(const char *name);

/* Undo mtamon__segment_retire() when the unlink failed. */
void mtamon__segment_unretire(const char *name);

/* Has @p map's segment been retired?  Acquire: pairs with the release of
 * mtamon__segment_retire(). */
static inline int segment_retired(const struct segment_map *map)
{
    return atomic_load_explicit(&segment_tail_of(map->header)->retired,
                                memory_order_acquire) != 0;
}

/* ---- writers: following a re-created segment (follow.c) ---------------- */

/* Make @p a the attachment of epoch @p epoch to @p map. */
void mtamon__attachment_init(struct attachment *a, const struct segment_map *map,
                             uint32_t epoch, struct attachment *prev);

/* A new attachment for @p map (epoch > 0), NULL on ENOMEM. */
struct attachment *mtamon__attachment_new(const struct segment_map *map, uint32_t epoch,
                                          struct attachment *prev);

/* Unmap @p a and every older one, and free them but the first. */
void mtamon__attachment_free_all(struct attachment *a);

/* Where an event counts, and whether the caller's handles must go
 * through that attachment's table (returned in registers). */
struct event_target {
    struct attachment *a;
    int translate;
};

/* Where an event counts once the segment the writer opened is retired:
 * the current attachment, following the name if that one is retired too. */
struct event_target mtamon__writer_current(mtamon_t *m);

/* The slow path of an event whose attachment @p seen had its check word
 * set: the attachment to count into (a new one if the segment was
 * retired and the name could be followed, else @p seen). */
struct attachment *mtamon__writer_follow(mtamon_t *m, struct attachment *seen);

/* The same with mtamon.lock held: follow now if @p a is retired. */
struct attachment *mtamon__writer_follow_locked(mtamon_t *m, struct attachment *a);

/* The check word of attachments every event must take the slow path of:
 * always 1. */
extern const _Atomic uint32_t mtamon__always_slow_word;

/* A limbo for @p m after @p old was deleted (limbo.c): a private segment
 * of the same geometry with the same channels; NULL on ENOMEM. */
struct attachment *mtamon__limbo_new(mtamon_t *m, struct attachment *old);

/* Move the counts of @p limbo into @p into (the segment that followed). */
void mtamon__limbo_merge(struct attachment *limbo, struct attachment *into);

/* Slot index in @p a's map of caller's handle @p h (slow path only). */
static inline uint32_t attachment_slot_index(const struct attachment *a,
                                             mtamon_channel_t h)
{
    uint32_t len = atomic_load_explicit(&a->remap_len, memory_order_acquire);
    return h - 1u < len ? atomic_load_explicit(&a->remap[h - 1], memory_order_relaxed)
                        : h;
}

/* ---- channel handles (handles.c), all under mtamon.lock ----------------- */

/* Register (@p create) or find @p name in @p map: its slot index. */
mtamon_result mtamon__channel_lookup(struct segment_map *map, const char *name, int create,
                                     uint32_t *out, struct mtamon_error *err);

/* The caller's handle for @p name, found at slot @p index of @p a. */
mtamon_result mtamon__handle_assign(mtamon_t *m, struct attachment *a, const char *name,
                                    uint32_t index, mtamon_channel_t *out,
                                    struct mtamon_error *err);

/* Register every known handle's channel in @p a (a new attachment) and
 * fill its remap; 0, or -1 on ENOMEM. */
int mtamon__handles_remap(mtamon_t *m, struct attachment *a);

void mtamon__handles_free(struct handle_names *names);

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
void mtamon__reason_publish(struct reason_ring *ring, const char *text);
void mtamon__reason_read(const struct reason_ring *ring, char *out, size_t outlen);

/* Status table: count @p n errors of @p code in direction @p dir. */
void mtamon__status_add(struct channel_slot *slot, mtamon_status_code code, int dir,
                        uint64_t n);

/* Count one error of @p code in direction @p dir. */
static inline void status_count(struct channel_slot *slot, mtamon_status_code code,
                                int dir)
{
    mtamon__status_add(slot, code, dir, 1);
}

/* Association table: record an open association, returning its 1-based
 * entry (0 if the table is full); release it again (1 if it was ours). */
uint32_t mtamon__assoc_record(mtamon_t *m, struct segment_map *map, uint32_t slot,
                              mtamon_direction dir, const char *remote, int64_t now);
int mtamon__assoc_forget(struct segment_map *map, uint32_t entry, uint32_t slot,
                         mtamon_direction dir);

/* Close the entries of writer processes that died (counting them closed,
 * so the current-association gauges come back down) and free entries
 * left claimed by dead processes. */
void mtamon__assoc_reclaim_dead(struct segment_map *map);

/* Copy bounded printable text: control and non-ASCII bytes become '?'. */
void mtamon__copy_printable(char *dst, size_t dstlen, const char *src);

/* The same, but only up to and including the NUL; returns the length. */
size_t mtamon__copy_printable_text(char *dst, size_t dstlen, const char *src);

/* Copy the active channels and associations of a validated @p map into
 * @p snap, with the header fields: what mtamon_snapshot_take() does after
 * following the name.  While a clear is running (clear_seq odd) it waits
 * up to @p retries times 1 ms for a consistent copy; then, if the clearer
 * is alive, MTAMON_ERR_BUSY.  With 0 it never sleeps (the fuzz targets). */
mtamon_result mtamon__snapshot_copy(const struct segment_map *map, unsigned flags,
                                    int retries, struct mtamon_snapshot *snap,
                                    struct mtamon_error *err);

/* A clear running longer than this was abandoned, whatever its pid says. */
#define CLEAR_STALE_MS 10000

/* Is a clear being run by a live process right now?  (clear_pid set, that
 * process alive, and the clear younger than CLEAR_STALE_MS.) */
int mtamon__clear_owner_alive(const struct segment_header *h);

/* Is process @p pid gone?  (kill(pid, 0) says ESRCH.)  Always 0 for
 * pid <= 0, which never probes a process group. */
int mtamon__process_gone(pid_t pid);

/* This process's id, cached (and renewed after fork): no system call. */
pid_t mtamon__cached_pid(void);

/* Raise *@p hwm to at least @p value. */
void mtamon__raise_high_water(_Atomic uint32_t *hwm, uint32_t value);

#endif /* MTAMON_LIB_INTERNAL_H */
