/*
 * channel.c - channel names, lookup and lock-free registration.
 *
 * Slots are claimed in order (the first FREE one) with a CAS to CLAIMING,
 * filled, then published as ACTIVE with release.  Because every claimer
 * takes the first free slot, free slots always form a suffix, and a
 * registrant that meets a CLAIMING slot waits for it to be published
 * before comparing names: two processes registering one name concurrently
 * end up on the same slot.
 */

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "lib_internal.h"

/* A claimer publishes within microseconds; one that has not after this
 * long died between claim and publish, and its slot is skipped. */
#define CLAIM_WAIT_MS 1000

mtamon_result mtamon_channel_name_check(const char *name, struct mtamon_error *err)
{
    if (!name || !*name)
        return set_error(err, MTAMON_ERR_INVALID, "channel name is empty");
    size_t len = strnlen(name, MTAMON_CHANNEL_NAME_MAX + 1);
    if (len > MTAMON_CHANNEL_NAME_MAX)
        return set_error(err, MTAMON_ERR_INVALID,
                         "channel name '%.20s...' is longer than %d bytes", name,
                         MTAMON_CHANNEL_NAME_MAX);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f)
            return set_error(err, MTAMON_ERR_INVALID,
                             "channel name has a space, control or non-ASCII "
                             "character (byte 0x%02x at offset %zu)", c, i);
    }
    return MTAMON_OK;
}

/* Wait while @p s is CLAIMING; returns the state it settled in, or
 * SLOT_CLAIMING if its claimer never published. */
static uint32_t wait_published(struct channel_slot *s)
{
    uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);
    for (int spin = 0; st == SLOT_CLAIMING && spin < 1000; spin++) {
        sched_yield();
        st = atomic_load_explicit(&s->state, memory_order_acquire);
    }
    for (int ms = 0; st == SLOT_CLAIMING && ms < CLAIM_WAIT_MS; ms++) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
        st = atomic_load_explicit(&s->state, memory_order_acquire);
    }
    return st;
}

static mtamon_result lookup(mtamon_t *m, const char *name, int create,
                            mtamon_channel_t *out, struct mtamon_error *err)
{
    mtamon_result st = mtamon_channel_name_check(name, err);
    if (st != MTAMON_OK)
        return st;
    struct segment_map *map = &m->map;
    for (uint32_t i = 0; i < map->channel_capacity; i++) {
        struct channel_slot *s = &map->channels[i];
        uint32_t state = atomic_load_explicit(&s->state, memory_order_acquire);
        if (state == SLOT_FREE) {
            if (!create)
                break; /* free slots are a suffix */
            uint32_t expected = SLOT_FREE;
            if (!atomic_compare_exchange_strong_explicit(&s->state, &expected,
                                                         SLOT_CLAIMING,
                                                         memory_order_acquire,
                                                         memory_order_acquire)) {
                i--; /* lost the race: look at this slot again */
                continue;
            }
            memset(s->name, 0, sizeof s->name);
            memcpy(s->name, name, strlen(name));
            s->index = i + 1;
            s->created_ms = now_ms_precise();
            atomic_store_explicit(&s->state, SLOT_ACTIVE, memory_order_release);
            raise_high_water(&map->header->channels_used, i + 1);
            *out = i + 1;
            return MTAMON_OK;
        }
        if (state == SLOT_CLAIMING)
            state = wait_published(s);
        if (state == SLOT_ACTIVE && strcmp(s->name, name) == 0) {
            *out = i + 1;
            return MTAMON_OK;
        }
    }
    if (!create)
        return set_error(err, MTAMON_ERR_NOENT, "no channel '%s' in segment %s",
                         name, map->name);
    return set_error(err, MTAMON_ERR_FULL,
                     "segment %s is full: all %u channel slots are taken, "
                     "channel '%s' not added (re-create it with a larger "
                     "capacity)", map->name, map->channel_capacity, name);
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
