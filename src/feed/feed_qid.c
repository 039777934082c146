/*
 * feed_qid.c - the parsers' queue-id table (feed_qid.h).
 */
#include <stdlib.h>
#include <string.h>

#include "feed_qid.h"
#include "fnv1a.h"

#define NONE 0u

static struct feed_qid *entry(const struct feed_qid_table *t, uint32_t idx)
{
    return (struct feed_qid *)(void *)(t->q + (size_t)(idx - 1) * t->esize);
}

static uint32_t bucket(const struct feed_qid_table *t, const char *id,
                       size_t len)
{
    return (uint32_t)fnv1a_add(FNV1A_INIT, id, len) & (2 * t->cap - 1);
}

int feed_qid_init(struct feed_qid_table *t, size_t entry_size, uint32_t start,
                  uint32_t max)
{
    memset(t, 0, sizeof *t);
    t->esize = entry_size;
    t->cap = start;
    t->max = max;
    t->q = calloc(start, entry_size);
    t->buckets = calloc(2 * (size_t)start, sizeof *t->buckets);
    if (!t->q || !t->buckets) {
        feed_qid_free(t);
        return -1;
    }
    return 0;
}

void feed_qid_free(struct feed_qid_table *t)
{
    free(t->q);
    free(t->buckets);
    t->q = NULL;
    t->buckets = NULL;
}

void *feed_qid_state_new(size_t state_size, size_t entry_size, uint32_t start,
                         uint32_t max)
{
    struct feed_qid_table *t = calloc(1, state_size);
    if (!t)
        return NULL;
    if (feed_qid_init(t, entry_size, start, max) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

void feed_qid_state_free(void *state)
{
    if (!state)
        return;
    feed_qid_free(state);
    free(state);
}

/* Double the table (up to max); 0 if it cannot grow. */
static int grow(struct feed_qid_table *t)
{
    if (t->cap >= t->max)
        return 0;
    uint32_t cap = t->cap * 2;
    unsigned char *q = realloc(t->q, (size_t)cap * t->esize);
    if (!q)
        return 0;
    t->q = q;
    uint32_t *b = calloc(2 * (size_t)cap, sizeof *b);
    if (!b)
        return 0;
    free(t->buckets);
    t->buckets = b;
    t->cap = cap;
    for (uint32_t i = 1; i <= t->n_fresh; i++) {
        struct feed_qid *e = entry(t, i);
        if (e->len == 0) /* on the free list */
            continue;
        uint32_t h = bucket(t, e->id, e->len);
        e->next = b[h];
        b[h] = i;
    }
    return 1;
}

void *feed_qid_find(const struct feed_qid_table *t, const char *id,
                    size_t len)
{
    for (uint32_t i = t->buckets[bucket(t, id, len)]; i != NONE;) {
        struct feed_qid *e = entry(t, i);
        if (e->len == len && memcmp(e->id, id, len) == 0)
            return e;
        i = e->next;
    }
    return NULL;
}

static uint32_t index_of(const struct feed_qid_table *t, const void *e)
{
    return (uint32_t)(((const unsigned char *)e - t->q) / t->esize) + 1;
}

/* Unlink entry @p idx from its chain and the age list, free it. */
static void remove_idx(struct feed_qid_table *t, uint32_t idx)
{
    struct feed_qid *e = entry(t, idx);
    uint32_t *link = &t->buckets[bucket(t, e->id, e->len)];
    while (*link != idx && *link != NONE)
        link = &entry(t, *link)->next;
    if (*link == idx)
        *link = e->next;
    if (e->older)
        entry(t, e->older)->newer = e->newer;
    else
        t->oldest = e->newer;
    if (e->newer)
        entry(t, e->newer)->older = e->older;
    else
        t->newest = e->older;
    memset(e, 0, t->esize);
    e->newer = t->free_head;
    t->free_head = idx;
}

void feed_qid_remove(struct feed_qid_table *t, void *e)
{
    remove_idx(t, index_of(t, e));
}

void *feed_qid_get(struct feed_qid_table *t, const char *id, size_t len)
{
    struct feed_qid *e = feed_qid_find(t, id, len);
    if (e)
        return e;
    uint32_t idx;
    if (t->free_head == NONE && t->n_fresh == t->cap)
        grow(t);
    if (t->free_head == NONE && t->n_fresh < t->cap) {
        idx = ++t->n_fresh;
    } else {
        if (t->free_head == NONE) /* full: forget the oldest */
            remove_idx(t, t->oldest);
        idx = t->free_head;
        t->free_head = entry(t, idx)->newer;
    }
    e = entry(t, idx);
    memset(e, 0, t->esize);
    memcpy(e->id, id, len);
    e->len = (uint8_t)len;
    uint32_t b = bucket(t, id, len);
    e->next = t->buckets[b];
    t->buckets[b] = idx;
    e->older = t->newest;
    if (t->newest)
        entry(t, t->newest)->newer = idx;
    else
        t->oldest = idx;
    t->newest = idx;
    return e;
}

uint32_t feed_qid_count(const struct feed_qid_table *t)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i <= t->n_fresh; i++)
        n += entry(t, i)->len != 0;
    return n;
}

int feed_qid_pending_find(const struct feed_qid_pending *p, unsigned n,
                          uint32_t hash)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i].hash == hash)
            return (int)i;
    return -1;
}
