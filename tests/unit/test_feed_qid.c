/*
 * test_feed_qid.c - the parsers' queue-id table (src/feed/feed_qid.c):
 * entries found again with their fields, zeroed when new or reused,
 * growth keeping every entry, eviction of the oldest created (lookups do
 * not refresh it) once the table is full, and the pending-recipient
 * lookup, and a parser state made and freed with its table.
 */
#include <stdio.h>
#include <string.h>

#include "unit_util.h"

#include "feed_qid.h"

struct entry {
    struct feed_qid head;
    uint64_t value;
    char pad[13]; /* an odd entry size */
};

static struct entry *get(struct feed_qid_table *t, const char *id)
{
    return feed_qid_get(t, id, strlen(id));
}

static struct entry *find(struct feed_qid_table *t, const char *id)
{
    return feed_qid_find(t, id, strlen(id));
}

static void test_get_find_remove(void)
{
    struct feed_qid_table t;
    CU_ASSERT_EQUAL_FATAL(feed_qid_init(&t, sizeof(struct entry), 4, 64), 0);
    CU_ASSERT_PTR_NULL(find(&t, "A1"));
    struct entry *a = get(&t, "A1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->value, 0);
    CU_ASSERT_EQUAL(a->head.len, 2);
    CU_ASSERT_NSTRING_EQUAL(a->head.id, "A1", 2);
    a->value = 7;
    CU_ASSERT_PTR_EQUAL(get(&t, "A1"), a);
    CU_ASSERT_PTR_EQUAL(find(&t, "A1"), a);
    /* a prefix or an extension is another id */
    CU_ASSERT_PTR_NULL(find(&t, "A"));
    CU_ASSERT_PTR_NULL(find(&t, "A12"));
    struct entry *b = get(&t, "B2");
    CU_ASSERT_PTR_NOT_EQUAL(b, find(&t, "A1"));
    CU_ASSERT_EQUAL(find(&t, "A1")->value, 7);
    CU_ASSERT_EQUAL(feed_qid_count(&t), 2);
    feed_qid_remove(&t, find(&t, "A1"));
    CU_ASSERT_PTR_NULL(find(&t, "A1"));
    CU_ASSERT_PTR_NOT_NULL(find(&t, "B2"));
    CU_ASSERT_EQUAL(feed_qid_count(&t), 1);
    /* the freed entry comes back zeroed */
    struct entry *c = get(&t, "C3");
    CU_ASSERT_EQUAL(c->value, 0);
    CU_ASSERT_EQUAL(feed_qid_count(&t), 2);
    /* the longest id */
    char longest[FEED_QID_MAX + 1];
    memset(longest, 'z', FEED_QID_MAX);
    longest[FEED_QID_MAX] = '\0';
    get(&t, longest)->value = 9;
    CU_ASSERT_EQUAL(find(&t, longest)->value, 9);
    feed_qid_free(&t);
    feed_qid_free(&t); /* twice is fine */
}

static void test_grow(void)
{
    struct feed_qid_table t;
    CU_ASSERT_EQUAL_FATAL(feed_qid_init(&t, sizeof(struct entry), 4, 8192), 0);
    char id[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "Q%05d", i);
        get(&t, id)->value = (uint64_t)i;
    }
    CU_ASSERT_EQUAL(feed_qid_count(&t), 5000);
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "Q%05d", i);
        struct entry *e = find(&t, id);
        bad += !e || e->value != (uint64_t)i;
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* removed ones stay removed across a growth */
    for (int i = 0; i < 5000; i += 2) {
        snprintf(id, sizeof id, "Q%05d", i);
        feed_qid_remove(&t, find(&t, id));
    }
    for (int i = 5000; i < 8000; i++) {
        snprintf(id, sizeof id, "Q%05d", i);
        get(&t, id)->value = (uint64_t)i;
    }
    bad = 0;
    for (int i = 0; i < 8000; i++) {
        snprintf(id, sizeof id, "Q%05d", i);
        struct entry *e = find(&t, id);
        bad += (i < 5000 && i % 2 == 0) ? e != NULL : (!e || e->value != (uint64_t)i);
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(feed_qid_count(&t), 2500 + 3000);
    feed_qid_free(&t);
}

static void test_evict_oldest(void)
{
    struct feed_qid_table t;
    CU_ASSERT_EQUAL_FATAL(feed_qid_init(&t, sizeof(struct entry), 2, 8), 0);
    char id[32];
    for (int i = 0; i < 8; i++) {
        snprintf(id, sizeof id, "E%d", i);
        get(&t, id);
    }
    CU_ASSERT_EQUAL(feed_qid_count(&t), 8);
    /* looking E0 up does not make it younger */
    CU_ASSERT_PTR_NOT_NULL(find(&t, "E0"));
    CU_ASSERT_PTR_NOT_NULL(get(&t, "E0"));
    get(&t, "E8");
    CU_ASSERT_PTR_NULL(find(&t, "E0"));
    CU_ASSERT_PTR_NOT_NULL(find(&t, "E1"));
    /* removing E3 frees a place: nothing is evicted for the next */
    feed_qid_remove(&t, find(&t, "E3"));
    get(&t, "E9");
    CU_ASSERT_PTR_NOT_NULL(find(&t, "E1"));
    CU_ASSERT_EQUAL(feed_qid_count(&t), 8);
    /* then E1, E2, E4 go in that order */
    get(&t, "E10");
    CU_ASSERT_PTR_NULL(find(&t, "E1"));
    get(&t, "E11");
    CU_ASSERT_PTR_NULL(find(&t, "E2"));
    CU_ASSERT_PTR_NOT_NULL(find(&t, "E4"));
    get(&t, "E12");
    CU_ASSERT_PTR_NULL(find(&t, "E4"));
    CU_ASSERT_PTR_NOT_NULL(find(&t, "E5"));
    CU_ASSERT_PTR_NOT_NULL(find(&t, "E12"));
    CU_ASSERT_EQUAL(feed_qid_count(&t), 8);
    feed_qid_free(&t);
}

static void test_pending(void)
{
    struct feed_qid_pending p[FEED_QID_PENDING] = {{11, 1}, {22, 2}, {33, 1}};
    CU_ASSERT_EQUAL(feed_qid_pending_find(p, 3, 11), 0);
    CU_ASSERT_EQUAL(feed_qid_pending_find(p, 3, 33), 2);
    CU_ASSERT_EQUAL(feed_qid_pending_find(p, 2, 33), -1);
    CU_ASSERT_EQUAL(feed_qid_pending_find(p, 0, 11), -1);
    CU_ASSERT_EQUAL(feed_qid_pending_find(p, 3, 44), -1);
}

/* A parser's state: its table first, then what else it keeps (zeroed). */
struct state {
    struct feed_qid_table qids;
    int extra;
};

static void test_state(void)
{
    struct state *st = feed_qid_state_new(sizeof *st, sizeof(struct entry), 2, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_EQUAL(st->extra, 0);
    CU_ASSERT_EQUAL(feed_qid_count(&st->qids), 0);
    get(&st->qids, "A1");
    CU_ASSERT_PTR_NOT_NULL(find(&st->qids, "A1"));
    CU_ASSERT_EQUAL(feed_qid_count(&st->qids), 1);
    feed_qid_state_free(st);
    feed_qid_state_free(NULL);
}

UT_MAIN("feed_qid",
        {"get, find, remove", test_get_find_remove},
        {"growth keeps every entry", test_grow},
        {"full: the oldest created goes", test_evict_oldest},
        {"pending recipients", test_pending},
        {"a parser state with its table", test_state})
