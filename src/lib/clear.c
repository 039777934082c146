/*
 * clear.c - zero the counters without losing an update.
 *
 * Writers only ever add to the lifetime counters.  A clear copies each
 * counter into its baseline; readers report counter - baseline.  An update
 * that races with the copy lands either before it (cleared) or after it
 * (counted): none is lost, and the gauges, derived from the lifetime
 * counters, are untouched.  header->clear_seq is odd while a clear runs so
 * readers can retry instead of mixing old and new baselines.
 */
#include <pthread.h>

#include "lib_internal.h"

/* One clear at a time in this process: clear_pid cannot tell two threads
 * of one process apart. */
static pthread_mutex_t clear_mutex = PTHREAD_MUTEX_INITIALIZER;

int mtamon__clear_owner_alive(const struct segment_header *h)
{
    int32_t owner = atomic_load_explicit(&h->clear_pid, memory_order_acquire);
    int64_t started = atomic_load_explicit(&h->clear_started_ms, memory_order_relaxed);
    /* (Compared this way round so no value of started can overflow.) */
    return owner > 0 && !mtamon__process_gone(owner) &&
           started >= now_ms_precise() - CLEAR_STALE_MS;
}

/* Take the clear lock, clear_pid (0 -> our pid), then make clear_seq odd.
 * The owner is recorded before readers are told a clear runs, so a clear
 * left half-done by a dead process, at any point, is taken over.  Called
 * with clear_mutex held, so our own pid in clear_pid is a dead process's
 * whose pid was reused. */
static mtamon_result begin_clear(struct segment_map *map, uint32_t *seq_out,
                                 struct mtamon_error *err)
{
    struct segment_header *h = map->header;
    int32_t me = mtamon__cached_pid();
    int32_t owner = atomic_load_explicit(&h->clear_pid, memory_order_acquire);
    for (;;) {
        if (owner != 0 && owner != me && mtamon__clear_owner_alive(h))
            return mtamon__set_error(err, MTAMON_ERR_BUSY,
                                     "segment %s is being cleared by process %d",
                                     map->name, (int)owner);
        /* Free, or abandoned: take it (a failed CAS reloads owner). */
        if (atomic_compare_exchange_weak_explicit(&h->clear_pid, &owner, me,
                                                  memory_order_acq_rel,
                                                  memory_order_acquire))
            break;
    }
    atomic_store_explicit(&h->clear_started_ms, now_ms_precise(), memory_order_relaxed);
    uint32_t seq = atomic_load_explicit(&h->clear_seq, memory_order_acquire);
    if (!(seq & 1)) /* odd: a dead clearer's, which we now finish */
        atomic_store_explicit(&h->clear_seq, ++seq, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst); /* odd before any baseline */
    *seq_out = seq;
    return MTAMON_OK;
}

mtamon_result mtamon_clear(mtamon_t *m, struct mtamon_error *err)
{
    pthread_mutex_lock(&m->lock); /* clear what events count into now */
    struct attachment *cur = atomic_load_explicit(&m->cur, memory_order_acquire);
    struct segment_map *map = &mtamon__writer_follow_locked(m, cur)->map;
    pthread_mutex_unlock(&m->lock);
    uint32_t seq = 0;
    pthread_mutex_lock(&clear_mutex);
    mtamon_result st = begin_clear(map, &seq, err);
    if (st != MTAMON_OK) {
        pthread_mutex_unlock(&clear_mutex);
        return st;
    }
    uint32_t used = atomic_load_explicit(&map->header->channels_used,
                                         memory_order_acquire);
    if (used > map->channel_capacity)
        used = map->channel_capacity;
    for (uint32_t i = 0; i < used; i++) {
        struct channel_slot *s = slot_if_active(map, i + 1);
        if (!s)
            continue;
        for (int k = 0; k < MTAMON_COUNTER_COUNT; k++)
            atomic_store_explicit(&s->baseline[k],
                                  atomic_load_explicit(&s->counter[k],
                                                       memory_order_relaxed),
                                  memory_order_relaxed);
        for (int j = 0; j < MTAMON_STATUS_SLOTS; j++)
            for (int d = 0; d < 3; d++)
                atomic_store_explicit(&s->status[j].baseline[d],
                                      atomic_load_explicit(&s->status[j].count[d],
                                                           memory_order_relaxed),
                                      memory_order_relaxed);
    }
    atomic_store_explicit(&map->header->cleared_ms, now_ms_precise(),
                          memory_order_relaxed);
    atomic_store_explicit(&map->header->clear_seq, seq + 1, memory_order_release);
    atomic_store_explicit(&map->header->clear_pid, 0, memory_order_release);
    pthread_mutex_unlock(&clear_mutex);
    return MTAMON_OK;
}
