/*
 * follow.c - a writer follows its segment's name after `delete`.
 *
 * Every event loads its attachment's check word (the segment's retired
 * word).  Once `delete` has set it, the event takes this slow path: under
 * the writer's lock, the first thread to get there re-opens the name -
 * re-creating the segment with the old one's capacities, mode and group if
 * the writer may create - registers every channel the caller holds a
 * handle for, and publishes the new attachment; the others find it
 * published and use it.  The event that noticed counts into the new
 * segment.  When the name cannot be followed yet, events count into a
 * limbo (limbo.c) whose counts move into the segment that comes next -
 * or, for the instant the name still names the retired object (the
 * deleter between its two steps), into the retired segment - and a new
 * attempt is made at most once per retry interval.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "lib_internal.h"

/* Retry intervals after a failed attempt.  The name still names the
 * retired object: the deleter is between its two steps, so 0.1 ms,
 * doubled on each failure up to 0.1 s (a deleter that died there leaves
 * it for good, until the next delete).  Anything else (no segment yet, or
 * one being initialised): 10 ms. */
#define RETRY_SAME_NS 100000LL        /* 0.1 ms */
#define RETRY_SAME_MAX_NS 100000000LL /* 0.1 s */
#define RETRY_OTHER_NS 10000000LL     /* 10 ms */

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void mtamon__attachment_init(struct attachment *a, const struct segment_map *map,
                             uint32_t epoch, struct attachment *prev)
{
    memset(a, 0, sizeof *a);
    a->map = *map;
    atomic_init(&a->check, &segment_tail_of(a->map.header)->retired);
    atomic_init(&a->remap_len, 0);
    a->epoch = epoch;
    a->prev = prev;
}

struct attachment *mtamon__attachment_new(const struct segment_map *map, uint32_t epoch,
                                          struct attachment *prev)
{
    struct attachment *a = malloc(sizeof *a);
    if (a)
        mtamon__attachment_init(a, map, epoch, prev);
    return a;
}

void mtamon__attachment_free_all(struct attachment *a)
{
    while (a) {
        struct attachment *prev = a->prev;
        mtamon__segment_detach(&a->map);
        free(a->remap);
        if (a->epoch != 0) /* the first one is part of the handle */
            free(a);
        a = prev;
    }
}

/* Give back the memory of a deleted segment nobody counts into any more:
 * replace the mapping by anonymous zero pages at the same address, so an
 * event that, against all odds, still had it in hand writes harmlessly
 * instead of faulting. */
static void attachment_release(struct attachment *a)
{
    if (a->released || !a->map.base)
        return;
    /* Events test the first one's word before anything else: it must
     * stay set when its page turns to zeros. */
    atomic_store_explicit(&a->check, &mtamon__always_slow_word, memory_order_release);
    if (mmap(a->map.base, a->map.size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
        a->released = 1;
}

/* Attach to what @p old's name names now, creating it like @p old if it
 * is missing and @p m may create.  MTAMON_ERR_BUSY with *@p same set if
 * it is still the retired object (or another retired one). */
static mtamon_result open_successor(mtamon_t *m, const struct attachment *old,
                                    struct segment_map *fresh, int *same)
{
    const char *name = old->map.name;
    mtamon_result st = mtamon__segment_attach(name, 1, 1, fresh, NULL);
    if (st == MTAMON_ERR_NOENT && m->may_create) {
        struct mtamon_create_params p = {
            .channel_capacity = old->map.channel_capacity,
            .assoc_capacity = old->map.assoc_capacity,
            .mode = (uint32_t)(old->map.mode & 0777) | 0600,
            .flags = MTAMON_CREATE_SET_GROUP,
            .gid = (uint32_t)old->map.gid,
        };
        st = mtamon__segment_create(name, &p, NULL);
        if (st == MTAMON_ERR_PERM) { /* not a member of that group */
            p.flags = 0;
            st = mtamon__segment_create(name, &p, NULL);
        }
        if (st == MTAMON_OK || st == MTAMON_ERR_EXISTS)
            st = mtamon__segment_attach(name, 1, 1, fresh, NULL);
    }
    if (st != MTAMON_OK) {
        *same = st == MTAMON_ERR_BUSY; /* being initialised: soon ready */
        return st;
    }
    if ((fresh->dev == old->map.dev && fresh->ino == old->map.ino) ||
        segment_retired(fresh)) {
        mtamon__segment_detach(fresh);
        *same = 1;
        return MTAMON_ERR_BUSY;
    }
    return MTAMON_OK;
}

/* Follow the name from @p old (retired); the new attachment, or @p old. */
static struct attachment *reattach(mtamon_t *m, struct attachment *old)
{
    struct segment_map fresh;
    int same = 0;
    struct attachment *a = NULL;
    if (open_successor(m, old, &fresh, &same) == MTAMON_OK) {
        a = mtamon__attachment_new(&fresh, old->epoch + 1, old);
        if (!a)
            mtamon__segment_detach(&fresh);
        else if (mtamon__handles_remap(m, a) != 0) {
            a->prev = NULL;
            mtamon__attachment_free_all(a);
            a = NULL;
        }
    } else if (!same && !old->limbo) {
        /* No segment to follow yet: count in a limbo meanwhile. */
        a = mtamon__limbo_new(m, old);
    }
    if (!a || a->limbo) {
        m->retry_same_ns = !same ? 0
                           : m->retry_same_ns ? m->retry_same_ns * 2 : RETRY_SAME_NS;
        if (m->retry_same_ns > RETRY_SAME_MAX_NS)
            m->retry_same_ns = RETRY_SAME_MAX_NS;
        atomic_store_explicit(&m->next_follow_ns,
                              monotonic_ns() + (same ? m->retry_same_ns : RETRY_OTHER_NS),
                              memory_order_relaxed);
    }
    if (!a)
        return old;
    if (!a->limbo)
        mtamon__assoc_reclaim_dead(&a->map);
    /* Release: an event that loads it (acquire) sees it complete. */
    atomic_store_explicit(&m->cur, a, memory_order_release);
    if (!a->limbo) {
        m->retry_same_ns = 0;
        atomic_store_explicit(&m->next_follow_ns, 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&m->reattached, 1, memory_order_relaxed);
    }
    /* After publishing, so events still counting into the limbo are few
     * (those that loaded it a moment ago): each count is moved once. */
    if (old->limbo && !a->limbo)
        mtamon__limbo_merge(old, a);
    if (old->prev)
        attachment_release(old->prev);
    return a;
}

struct attachment *mtamon__writer_follow_locked(mtamon_t *m, struct attachment *a)
{
    if (a != atomic_load_explicit(&m->cur, memory_order_relaxed) ||
        (!a->limbo && !segment_retired(&a->map)))
        return atomic_load_explicit(&m->cur, memory_order_acquire);
    return reattach(m, a);
}

struct event_target mtamon__writer_current(mtamon_t *m)
{
    /* Acquire: pairs with the release that published it. */
    struct attachment *a = atomic_load_explicit(&m->cur, memory_order_acquire);
    const _Atomic uint32_t *check = atomic_load_explicit(&a->check, memory_order_relaxed);
    if (a != &m->first && atomic_load_explicit(check, memory_order_relaxed) == 0)
        return (struct event_target){a, 0}; /* its slots are the handles */
    return (struct event_target){mtamon__writer_follow(m, a), 1};
}

struct attachment *mtamon__writer_follow(mtamon_t *m, struct attachment *seen)
{
    /* Set for translation only, or not retired after all. */
    if (!seen->limbo && !segment_retired(&seen->map))
        return seen;
    /* Another thread followed already. */
    struct attachment *cur = atomic_load_explicit(&m->cur, memory_order_acquire);
    if (cur != seen)
        return cur;
    if (monotonic_ns() < atomic_load_explicit(&m->next_follow_ns, memory_order_relaxed))
        return seen;
    pthread_mutex_lock(&m->lock);
    struct attachment *a = mtamon__writer_follow_locked(m, seen);
    pthread_mutex_unlock(&m->lock);
    return a;
}
