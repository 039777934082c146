/*
 * writer.c - opening a segment for writing (following it after a delete
 * is follow.c's job).
 */

#include <pthread.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib_internal.h"

static _Atomic pid_t pid_cache;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static void pid_refresh(void)
{
    atomic_store_explicit(&pid_cache, getpid(), memory_order_relaxed);
}

static void pid_init(void)
{
    pid_refresh();
    pthread_atfork(NULL, NULL, pid_refresh);
}

pid_t mtamon__cached_pid(void)
{
    pid_t pid = atomic_load_explicit(&pid_cache, memory_order_relaxed);
    if (pid != 0)
        return pid; /* the usual case: no call, no lock */
    pthread_once(&pid_once, pid_init);
    return atomic_load_explicit(&pid_cache, memory_order_relaxed);
}

void mtamon__raise_high_water(_Atomic uint32_t *hwm, uint32_t value)
{
    uint32_t cur = atomic_load_explicit(hwm, memory_order_relaxed);
    while (cur < value &&
           !atomic_compare_exchange_weak_explicit(hwm, &cur, value,
                                                  memory_order_release,
                                                  memory_order_relaxed)) {
    }
}

mtamon_t *mtamon_open(const char *segment, unsigned flags,
                      const struct mtamon_create_params *params,
                      struct mtamon_error *err)
{
    const char *name = mtamon_segment_name(segment);
    if (flags & MTAMON_OPEN_CREATE) {
        mtamon_result st = mtamon__segment_create(name, params, err);
        if (st != MTAMON_OK && (st != MTAMON_ERR_EXISTS || (flags & MTAMON_OPEN_EXCL)))
            return NULL;
    }
    struct segment_map map;
    mtamon_result st = mtamon__segment_attach(name, 1, 0, &map, err);
    if (st == MTAMON_ERR_FOREIGN && (flags & MTAMON_OPEN_CREATE) &&
        !(flags & MTAMON_OPEN_EXCL) && mtamon__segment_uninitialised(name)) {
        /* Its creator died before initialising it: replace it. */
        shm_unlink(name);
        st = mtamon__segment_create(name, params, err);
        if (st == MTAMON_OK || st == MTAMON_ERR_EXISTS)
            st = mtamon__segment_attach(name, 1, 0, &map, err);
    }
    if (st != MTAMON_OK)
        return NULL;
    mtamon_t *m = calloc(1, sizeof *m);
    if (!m || pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        mtamon__segment_detach(&map);
        mtamon__set_error(err, MTAMON_ERR_SYSTEM, "out of memory");
        return NULL;
    }
    struct attachment *a = &m->first;
    mtamon__attachment_init(a, &map, 0, NULL);
    atomic_init(&m->cur, a);
    m->may_create = (flags & MTAMON_OPEN_CREATE) != 0;
    (void)mtamon__cached_pid();
    mtamon__assoc_reclaim_dead(&a->map);
    if (err) /* an "exists" from the create attempt is not an error */
        mtamon__set_error(err, MTAMON_OK, "%s", "");
    return m;
}

void mtamon_close(mtamon_t *m)
{
    if (!m)
        return;
    mtamon__attachment_free_all(atomic_load_explicit(&m->cur, memory_order_acquire));
    mtamon__handles_free(&m->names);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

uint64_t mtamon_reattached(const mtamon_t *m)
{
    return atomic_load_explicit(&m->reattached, memory_order_relaxed);
}
