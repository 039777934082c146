/*
 * channel.c - channel names, lookup and lock-free registration.
 *
 * Slots are claimed in order (the first FREE one) with a CAS to a
 * claiming state that carries the claimer's pid, filled, then published
 * as ACTIVE with release.  Because every claimer takes the first free
 * slot, free slots always form a suffix, and a registrant that meets a
 * slot being claimed waits for it to be published before comparing names:
 * two processes registering one name concurrently end up on the same slot.
 * A slot whose claimer died before publishing is claimed again.
 *
 * The caller's handle for a channel is its slot index in the segment the
 * writer opened; handles.c keeps it valid after a re-attachment.
 */

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "lib_internal.h"

/* A claimer publishes within microseconds.  One that is alive but has not
 * published after this long is stalled: its slot is skipped, not waited
 * for forever. */
#define CLAIM_WAIT_MS 1000

mtamon_result mtamon_channel_name_check(const char *name, struct mtamon_error *err)
{
    if (!name || !*name)
        return mtamon__set_error(err, MTAMON_ERR_INVALID, "channel name is empty");
    size_t len = strnlen(name, MTAMON_CHANNEL_NAME_MAX + 1);
    if (len > MTAMON_CHANNEL_NAME_MAX)
        return mtamon__set_error(err, MTAMON_ERR_INVALID,
                                 "channel name '%.20s...' is longer than %d bytes", name,
                                 MTAMON_CHANNEL_NAME_MAX);
    size_t i = mtamon__first_bad_byte(name, 0, len, 0);
    if (i < len)
        return mtamon__set_error(err, MTAMON_ERR_INVALID,
                                 "channel name has a space, control or non-ASCII "
                                 "character (byte 0x%02x at offset %zu)",
                                 (unsigned char)name[i], i);
    return MTAMON_OK;
}

/* Wait while @p s is being claimed by a live process; returns the state it
 * settled in, which is still a claiming state if the claimer died (or,
 * never seen in practice, is alive but stalled past CLAIM_WAIT_MS). */
static uint32_t wait_published(struct channel_slot *s)
{
    uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);
    for (int spin = 0; is_claim_state(st) && spin < 1000; spin++) {
        sched_yield();
        st = atomic_load_explicit(&s->state, memory_order_acquire);
    }
    for (int ms = 0; is_claim_state(st) && ms < CLAIM_WAIT_MS; ms++) {
        if (mtamon__process_gone(claim_owner(st)))
            break;
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
        st = atomic_load_explicit(&s->state, memory_order_acquire);
    }
    return st;
}

/* Move slot @p i from state @p from to claimed-by-us; fill and publish it. */
static int claim_slot(struct segment_map *map, uint32_t i, uint32_t from,
                      const char *name)
{
    struct channel_slot *s = &map->channels[i];
    if (!atomic_compare_exchange_strong_explicit(&s->state, &from,
                                                 claim_state(mtamon__cached_pid()),
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        return 0;
    /* Before publishing, so no reader or clear misses an active slot. */
    mtamon__raise_high_water(&map->header->channels_used, i + 1);
    memset(s->name, 0, sizeof s->name);
    memcpy(s->name, name, strlen(name));
    s->index = i + 1;
    s->created_ms = now_ms_precise();
    atomic_store_explicit(&s->state, SLOT_ACTIVE, memory_order_release);
    return 1;
}

mtamon_result mtamon__channel_lookup(struct segment_map *map, const char *name, int create,
                                     uint32_t *out, struct mtamon_error *err)
{
    for (uint32_t i = 0; i < map->channel_capacity; i++) {
        struct channel_slot *s = &map->channels[i];
        uint32_t state = atomic_load_explicit(&s->state, memory_order_acquire);
        if (is_claim_state(state))
            state = wait_published(s);
        if (state == SLOT_ACTIVE) {
            if (strncmp(s->name, name, sizeof s->name) == 0) {
                *out = i + 1;
                return MTAMON_OK;
            }
            continue;
        }
        /* Free, or abandoned by a claimer that died before publishing. */
        if (state == SLOT_FREE && !create)
            break; /* free slots are a suffix */
        if (!create || (state != SLOT_FREE && !mtamon__process_gone(claim_owner(state))))
            continue;
        if (claim_slot(map, i, state, name)) {
            *out = i + 1;
            return MTAMON_OK;
        }
        i--; /* lost the race: look at this slot again */
    }
    if (!create)
        return mtamon__set_error(err, MTAMON_ERR_NOENT, "no channel '%s' in segment %s",
                                 name, map->name);
    return mtamon__set_error(err, MTAMON_ERR_FULL,
                             "segment %s is full: all %u channel slots are taken, "
                             "channel '%s' not added (re-create it with a larger "
                             "capacity)", map->name, map->channel_capacity, name);
}

/* Find or register @p name in the segment @p m counts into now, and give
 * the caller its handle (handles.c). */
static mtamon_result lookup(mtamon_t *m, const char *name, int create,
                            mtamon_channel_t *out, struct mtamon_error *err)
{
    mtamon_result st = mtamon_channel_name_check(name, err);
    if (st != MTAMON_OK)
        return st;
    pthread_mutex_lock(&m->lock);
    struct attachment *a =
        mtamon__writer_follow_locked(m,
                                     atomic_load_explicit(&m->cur, memory_order_acquire));
    uint32_t index = 0;
    st = mtamon__channel_lookup(&a->map, name, create, &index, err);
    if (st == MTAMON_OK)
        st = mtamon__handle_assign(m, a, name, index, out, err);
    pthread_mutex_unlock(&m->lock);
    return st;
}

mtamon_result mtamon_channel(mtamon_t *m, const char *name, mtamon_channel_t *out,
                             struct mtamon_error *err)
{
    return lookup(m, name, 1, out, err);
}

mtamon_result mtamon_channel_find(mtamon_t *m, const char *name,
                                  mtamon_channel_t *out, struct mtamon_error *err)
{
    return lookup(m, name, 0, out, err);
}
