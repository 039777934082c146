/*
 * sink.c - parsed feed events in, libmtamon calls out (see sink.h).
 *
 * Both tables are open-addressing hash tables with linear probing, kept at
 * most half full and grown by doubling up to their bound; removal shifts
 * the following entries back, so there are no tombstones to age.
 */
#include "sink.h"

#include <stdlib.h>
#include <string.h>

#include "fnv1a.h"
#include "log.h"

#define TABLE_MIN 64u

struct sink_entry {
    uint64_t hash;
    int used;
    int failed;          /* channel table: registration failed (logged) */
    mtamon_assoc assoc;  /* channel table: assoc.channel is the channel */
    char key[FEED_KEY_MAX + 1];
};

struct sink_table {
    struct sink_entry *e;
    size_t cap;  /* a power of two, or 0 before the first insert */
    size_t n;
    size_t max;  /* most entries it may hold */
};

struct feed_sink {
    mtamon_t *m;
    struct sink_table channels;
    struct sink_table assocs;
    struct feed_sink_stats st;
    int assocs_full_logged;
    int channels_full_logged;
};

/* Slot holding @p key, or the empty slot where it belongs. */
static size_t table_slot(const struct sink_table *t, const char *key, size_t len,
                         uint64_t hash)
{
    size_t mask = t->cap - 1;
    size_t i = (size_t)hash & mask;
    while (t->e[i].used &&
           !(t->e[i].hash == hash && strncmp(t->e[i].key, key, len) == 0 &&
             t->e[i].key[len] == '\0'))
        i = (i + 1) & mask;
    return i;
}

/* The entry of @p key, or NULL. */
static struct sink_entry *table_find(const struct sink_table *t, const char *key,
                                     size_t len, uint64_t hash)
{
    if (!t->cap)
        return NULL;
    struct sink_entry *e = &t->e[table_slot(t, key, len, hash)];
    return e->used ? e : NULL;
}

static int table_grow(struct sink_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : TABLE_MIN;
    struct sink_entry *e = calloc(cap, sizeof *e);
    if (!e)
        return -1;
    struct sink_table bigger = { .e = e, .cap = cap, .n = t->n, .max = t->max };
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->e[i].used)
            continue;
        size_t len = strlen(t->e[i].key);
        bigger.e[table_slot(&bigger, t->e[i].key, len, t->e[i].hash)] = t->e[i];
    }
    free(t->e);
    *t = bigger;
    return 0;
}

/* A new entry for @p key (absent), or NULL when the table is at its bound
 * or memory is short. */
static struct sink_entry *table_add(struct sink_table *t, const char *key,
                                    size_t len, uint64_t hash)
{
    if (t->n >= t->max)
        return NULL;
    if ((t->n + 1) * 2 > t->cap && table_grow(t) != 0)
        return NULL;
    struct sink_entry *e = &t->e[table_slot(t, key, len, hash)];
    memset(e, 0, sizeof *e);
    e->used = 1;
    e->hash = hash;
    memcpy(e->key, key, len);
    e->key[len] = '\0';
    t->n++;
    return e;
}

/* Remove @p e, shifting back the entries of its probe run. */
static void table_remove(struct sink_table *t, const struct sink_entry *e)
{
    size_t mask = t->cap - 1;
    size_t hole = (size_t)(e - t->e);
    size_t i = hole;
    for (;;) {
        i = (i + 1) & mask;
        if (!t->e[i].used)
            break;
        size_t home = (size_t)t->e[i].hash & mask;
        /* Move it back if its home is not in (hole, i] (cyclically). */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            t->e[hole] = t->e[i];
            hole = i;
        }
    }
    t->e[hole].used = 0;
    t->n--;
}

struct feed_sink *feed_sink_create(mtamon_t *m)
{
    struct feed_sink *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->m = m;
    s->channels.max = FEED_SINK_CHANNELS_MAX;
    s->assocs.max = FEED_SINK_ASSOCS_MAX;
    return s;
}

void feed_sink_destroy(struct feed_sink *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->assocs.cap; i++)
        if (s->assocs.e[i].used)
            mtamon_assoc_close(s->m, &s->assocs.e[i].assoc);
    free(s->channels.e);
    free(s->assocs.e);
    free(s);
}

const struct feed_sink_stats *feed_sink_stats(const struct feed_sink *s)
{
    return &s->st;
}

/* The channel called @p name (registered if new), or 0 if it cannot be. */
static mtamon_channel_t channel_of(struct feed_sink *s, const char *name)
{
    size_t len = strnlen(name, FEED_NAME_MAX + 1);
    if (len > FEED_NAME_MAX)
        return 0;
    uint64_t hash = fnv1a_add(FNV1A_INIT, name, len);
    const struct sink_entry *hit = table_find(&s->channels, name, len, hash);
    if (hit)
        return hit->failed ? 0 : hit->assoc.channel;

    mtamon_channel_t ch = 0;
    struct mtamon_error err;
    mtamon_result rc = mtamon_channel(s->m, name, &ch, &err);
    struct sink_entry *e = table_add(&s->channels, name, len, hash);
    if (rc != MTAMON_OK) {
        /* Logged once: the failure is cached.  With the cache full it
         * cannot be, so say that once instead of once per line. */
        if (e) {
            e->failed = 1;
            log_msg(LOG_WARNING, "channel '%s' not counted: %s", name, err.message);
        } else if (!s->channels_full_logged) {
            s->channels_full_logged = 1;
            log_msg(LOG_WARNING, "channel '%s' not counted: %s (more than %u "
                    "channel names seen: further ones are not logged)",
                    name, err.message, FEED_SINK_CHANNELS_MAX);
        }
        return 0;
    }
    if (e)
        e->assoc.channel = ch;
    return ch;
}

static void assoc_open(struct feed_sink *s, mtamon_channel_t ch,
                       const struct feed_event *ev)
{
    size_t len = strnlen(ev->key, FEED_KEY_MAX);
    uint64_t hash = fnv1a_add(FNV1A_INIT, ev->key, len);
    struct sink_entry *e = table_find(&s->assocs, ev->key, len, hash);
    if (e) {
        /* Its close was never logged: a reused key ends the old one. */
        mtamon_assoc_close(s->m, &e->assoc);
        table_remove(&s->assocs, e);
    }
    e = table_add(&s->assocs, ev->key, len, hash);
    if (!e) {
        s->st.event_errors++;
        if (!s->assocs_full_logged)
            log_msg(LOG_WARNING, "more than %u associations open at once: "
                    "further ones are not counted", FEED_SINK_ASSOCS_MAX);
        s->assocs_full_logged = 1;
        return;
    }
    mtamon_direction dir = ev->direction == MTAMON_OUTBOUND ? MTAMON_OUTBOUND
                                                            : MTAMON_INBOUND;
    if (mtamon_assoc_open(s->m, ch, dir, ev->remote[0] ? ev->remote : NULL,
                          &e->assoc) != MTAMON_OK) {
        s->st.event_errors++;
        table_remove(&s->assocs, e);
    }
}

static void assoc_close(struct feed_sink *s, const struct feed_event *ev)
{
    size_t len = strnlen(ev->key, FEED_KEY_MAX);
    struct sink_entry *e = table_find(&s->assocs, ev->key, len, fnv1a_add(FNV1A_INIT, ev->key, len));
    if (!e) {
        s->st.unknown_closes++;
        return;
    }
    if (mtamon_assoc_close(s->m, &e->assoc) != MTAMON_OK)
        s->st.event_errors++;
    table_remove(&s->assocs, e);
}

/* Log a re-attachment the last event made (a relaxed load per event). */
static void note_reattached(struct feed_sink *s)
{
    uint64_t n = mtamon_reattached(s->m);
    if (n == s->st.reattached)
        return;
    s->st.reattached = n;
    log_msg(LOG_NOTICE, "the segment was deleted: counting into the one now "
            "at its name (re-attachment %llu)", (unsigned long long)n);
    /* Forget the channels that could not be registered (the new segment
     * may be larger); the handles of the others stay valid. */
    free(s->channels.e);
    s->channels = (struct sink_table){ .max = FEED_SINK_CHANNELS_MAX };
    s->channels_full_logged = 0;
}

void feed_sink_emit(void *sink, const struct feed_event *ev)
{
    struct feed_sink *s = sink;
    s->st.events++;
    if (ev->kind == FEED_ASSOC_CLOSE) {
        mtamon_event_time(s->m, ev->time_ms);
        assoc_close(s, ev);
        note_reattached(s);
        return;
    }
    mtamon_channel_t ch = channel_of(s, ev->channel);
    if (!ch) {
        s->st.event_errors++;
        return;
    }
    mtamon_event_time(s->m, ev->time_ms);
    const char *reason = ev->reason[0] ? ev->reason : NULL;
    mtamon_result rc = MTAMON_OK;
    switch (ev->kind) {
    case FEED_ENQUEUE: {
        mtamon_channel_t src = 0;
        if (ev->src[0] && !(src = channel_of(s, ev->src)))
            s->st.event_errors++; /* counted on the destination only */
        rc = mtamon_enqueue(s->m, src, ch, ev->recipients, ev->octets);
        break;
    }
    case FEED_SUBMIT:
        rc = mtamon_enqueue(s->m, ch, 0, ev->recipients, ev->octets);
        break;
    case FEED_DEQUEUE:
        rc = mtamon_dequeue(s->m, ch, ev->recipients, ev->octets, ev->first_attempt,
                            ev->queue_ms);
        break;
    case FEED_TEMPFAIL:
        rc = mtamon_tempfail(s->m, ch, ev->recipients, ev->octets, ev->status);
        break;
    case FEED_REJECT:
        rc = mtamon_reject(s->m, ch, ev->recipients, ev->octets, ev->status, reason);
        break;
    case FEED_FAIL:
        rc = mtamon_fail(s->m, ch, ev->recipients, ev->octets, ev->status);
        break;
    case FEED_CONVERT:
        rc = mtamon_convert(s->m, ch, ev->ok);
        break;
    case FEED_LOOP:
        rc = mtamon_loop(s->m, ch);
        break;
    case FEED_ASSOC_OPEN:
        assoc_open(s, ch, ev);
        break;
    case FEED_ASSOC_REJECT:
        rc = mtamon_assoc_reject(s->m, ch, ev->status, reason);
        break;
    case FEED_ASSOC_FAIL:
        rc = mtamon_assoc_fail(s->m, ch, ev->status, reason);
        break;
    case FEED_ASSOC_CLOSE:
    default:
        break;
    }
    if (rc != MTAMON_OK)
        s->st.event_errors++;
    note_reattached(s);
}
