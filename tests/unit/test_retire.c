/*
 * test_retire.c - writers follow their segment across `delete` + `create`:
 * every event after the delete is counted in the new segment, with the
 * same or another capacity, whether the writer may create or not (then
 * the events before the create are moved there), and from many threads at
 * once; readers see the retired segment as deleted.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "lib_internal.h"
#include "unit_util.h"

/* Counter @p k of channel @p ch in segment @p name (0 if absent). */
static uint64_t counter_of(const char *name, const char *ch, enum mtamon_counter k)
{
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    const struct mtamon_channel_stats *c = mtamon_snapshot_find(&snap, ch);
    uint64_t v = c ? c->c[k] : 0;
    mtamon_snapshot_free(&snap);
    return v;
}

static uint64_t received(const char *name, const char *ch)
{
    return counter_of(name, ch, MTAMON_RECEIVED_MSGS);
}

static uint64_t submitted(const char *name, const char *ch)
{
    return counter_of(name, ch, MTAMON_SUBMITTED_MSGS);
}

/* What an operator runs: `counters create` with these capacities. */
static void operator_create(const char *name, uint32_t channels, uint32_t mode)
{
    struct mtamon_create_params p = {.channel_capacity = channels, .assoc_capacity = 4,
                                     .mode = mode};
    struct mtamon_error err = {0};
    mtamon_t *op = mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, &p, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    mtamon_close(op);
}

static void enqueue_n(mtamon_t *m, mtamon_channel_t src, mtamon_channel_t dst, int n)
{
    for (int i = 0; i < n; i++)
        CU_ASSERT_EQUAL(mtamon_enqueue(m, src, dst, 1, 100), MTAMON_OK);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static mtamon_t *open_writer(const char *name, unsigned flags, uint32_t channels,
                             uint32_t mode)
{
    struct mtamon_create_params p = {.channel_capacity = channels, .assoc_capacity = 4,
                                     .mode = mode};
    mtamon_t *m = mtamon_open(name, flags, &p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return m;
}

/* A writer that may create (8 channels, mode 0640) with channels a and b
 * that counted 3 messages, then `counters delete`. */
static mtamon_t *writer_then_delete(const char *name, mtamon_channel_t *a,
                                    mtamon_channel_t *b)
{
    mtamon_t *m = open_writer(name, MTAMON_OPEN_CREATE, 8, 0640);
    *a = ut_channel(m, "a");
    *b = ut_channel(m, "b");
    enqueue_n(m, *a, *b, 3);
    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
    return m;
}

/* ---- delete + create, same capacity ----------------------------------- */

static void test_same_capacity(void)
{
    const char *name = ut_name();
    mtamon_channel_t a, b;
    mtamon_t *m = writer_then_delete(name, &a, &b);
    operator_create(name, 8, 0640);
    enqueue_n(m, a, b, 5);
    CU_ASSERT_EQUAL(received(name, "b"), 5);
    CU_ASSERT_EQUAL(submitted(name, "a"), 5);
    CU_ASSERT_EQUAL(mtamon_reattached(m), 1);
    /* Handles are still slot indices: the channels kept their order. */
    CU_ASSERT(atomic_load(&atomic_load(&m->cur)->check) ==
              &segment_tail_of(writer_map(m)->header)->retired);
    mtamon_close(m);
}

/* ---- the writer re-creates it, with the old geometry and mode --------- */

static void test_writer_recreates(void)
{
    const char *name = ut_name();
    mtamon_channel_t a, b;
    mtamon_t *m = writer_then_delete(name, &a, &b);
    CU_ASSERT(!ut_exists(name));
    enqueue_n(m, a, b, 4); /* the first one re-creates it */
    CU_ASSERT(ut_exists(name));
    CU_ASSERT_EQUAL(ut_mode(name), 0640);
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, 8);
    CU_ASSERT_EQUAL(snap.assoc_capacity, 4);
    mtamon_snapshot_free(&snap);
    CU_ASSERT_EQUAL(received(name, "b"), 4);
    CU_ASSERT_EQUAL(submitted(name, "a"), 4);
    /* The operator's create now finds it there. */
    struct mtamon_error err = {0};
    CU_ASSERT_PTR_NULL(mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, NULL, &err));
    CU_ASSERT_EQUAL(err.code, MTAMON_ERR_EXISTS);
    CU_ASSERT_EQUAL(mtamon_reattached(m), 1);
    mtamon_close(m);
}

/* ---- another capacity, and a successor that already has channels ------ */

static void test_other_capacity_and_channels(void)
{
    const char *name = ut_name();
    mtamon_t *other = open_writer(name, MTAMON_OPEN_CREATE, 8, 0);
    CU_ASSERT_EQUAL(ut_channel(other, "p"), 1); /* a channel this writer never uses */
    mtamon_t *m = open_writer(name, 0, 0, 0);
    mtamon_channel_t a = ut_channel(m, "a"), b = ut_channel(m, "b");
    CU_ASSERT_EQUAL(a, 2);
    CU_ASSERT_EQUAL(b, 3);
    enqueue_n(m, a, b, 3);
    mtamon_close(other);

    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
    /* The operator re-creates it bigger, and something registers two
     * channels first: a and b cannot keep their slots. */
    operator_create(name, 16, 0);
    other = open_writer(name, 0, 0, 0);
    CU_ASSERT_EQUAL(ut_channel(other, "z"), 1);
    CU_ASSERT_EQUAL(ut_channel(other, "y"), 2);
    mtamon_close(other);

    enqueue_n(m, a, b, 6);
    CU_ASSERT_EQUAL(received(name, "b"), 6);
    CU_ASSERT_EQUAL(submitted(name, "a"), 6);
    CU_ASSERT_EQUAL(received(name, "z") + received(name, "y") + received(name, "p"), 0);
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, 16);
    mtamon_snapshot_free(&snap);

    /* "y" sits at slot 2, which is the caller's handle of "a": it gets
     * another handle, and both count where they should. */
    mtamon_channel_t y = ut_channel(m, "y");
    CU_ASSERT_NOT_EQUAL(y, a);
    CU_ASSERT_NOT_EQUAL(y, b);
    mtamon_channel_t q = ut_channel(m, "q"); /* a new slot: its own index */
    enqueue_n(m, a, y, 2);
    enqueue_n(m, y, q, 7);
    CU_ASSERT_EQUAL(received(name, "y"), 2);
    CU_ASSERT_EQUAL(submitted(name, "a"), 8);
    CU_ASSERT_EQUAL(submitted(name, "y"), 7);
    CU_ASSERT_EQUAL(received(name, "q"), 7);
    CU_ASSERT_EQUAL(received(name, "b"), 6);
    mtamon_channel_t again = 0;
    CU_ASSERT_EQUAL(mtamon_channel_find(m, "y", &again, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(again, y);
    mtamon_close(m);
}

/* ---- a writer that may not create ------------------------------------- */

static void test_no_create(void)
{
    const char *name = ut_name();
    mtamon_close(open_writer(name, MTAMON_OPEN_CREATE, 8, 0));
    mtamon_t *m = open_writer(name, 0, 0, 0);
    mtamon_channel_t a = ut_channel(m, "a"), b = ut_channel(m, "b");
    enqueue_n(m, a, b, 3);

    /* delete + create, then events: all in the new segment. */
    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
    operator_create(name, 4, 0);
    enqueue_n(m, a, b, 5);
    CU_ASSERT_EQUAL(received(name, "b"), 5);
    CU_ASSERT_EQUAL(mtamon_reattached(m), 1);

    /* Events while the name is missing (it may not create it) are kept
     * aside, then moved into the segment the operator creates. */
    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
    enqueue_n(m, a, b, 1);
    CU_ASSERT(!ut_exists(name));
    CU_ASSERT_EQUAL(mtamon_reattached(m), 1);
    mtamon_channel_t c = ut_channel(m, "c"); /* registered meanwhile */
    enqueue_n(m, b, c, 2);
    CU_ASSERT_EQUAL(mtamon_reject(m, b, 3, 300, mtamon_status_make(5, 7, 1),
                                  "550 5.7.1 relaying denied"), MTAMON_OK);
    mtamon_assoc in_limbo;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, c, MTAMON_OUTBOUND, "198.51.100.1", &in_limbo),
                    MTAMON_OK);
    CU_ASSERT(!ut_exists(name));
    operator_create(name, 8, 0);
    sleep_ms(30); /* past the retry interval */
    enqueue_n(m, a, b, 9);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &in_limbo), MTAMON_OK);
    CU_ASSERT_EQUAL(received(name, "b"), 10);
    CU_ASSERT_EQUAL(submitted(name, "a"), 10);
    CU_ASSERT_EQUAL(received(name, "c"), 2);
    CU_ASSERT_EQUAL(submitted(name, "b"), 2);
    CU_ASSERT_EQUAL(mtamon_reattached(m), 2);
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    const struct mtamon_channel_stats *sb = mtamon_snapshot_find(&snap, "b");
    const struct mtamon_channel_stats *sc = mtamon_snapshot_find(&snap, "c");
    UT_REQUIRE(sb);
    UT_REQUIRE(sc);
    CU_ASSERT_EQUAL(sb->c[MTAMON_REJECTED_RCPTS], 3);
    CU_ASSERT_STRING_EQUAL(sb->last_rejection_reason, "550 5.7.1 relaying denied");
    const struct mtamon_status_count *row = ut_status_row(sb, 5007001);
    CU_ASSERT(row && row->inbound == 1);
    CU_ASSERT(sb->last_inbound_ms > 0);
    CU_ASSERT_EQUAL(sc->c[MTAMON_OUT_ASSOCS], 1);
    CU_ASSERT_EQUAL(sc->c[MTAMON_OUT_ASSOCS_CLOSED], 1);
    CU_ASSERT_EQUAL(sc->out_assocs_current, 0);
    mtamon_snapshot_free(&snap);
    mtamon_close(m);
}

/* ---- many deletes: the mappings given back stay harmless --------------- */

static void test_many_cycles(void)
{
    const char *name = ut_name();
    mtamon_t *m = open_writer(name, MTAMON_OPEN_CREATE, 8, 0);
    mtamon_channel_t a = ut_channel(m, "a"), b = ut_channel(m, "b");
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
        if (i % 2) /* else the writer re-creates it */
            operator_create(name, 8 + (uint32_t)i, 0);
        enqueue_n(m, a, b, i + 1);
        CU_ASSERT_EQUAL(received(name, "b"), (uint64_t)i + 1);
        CU_ASSERT_EQUAL(submitted(name, "a"), (uint64_t)i + 1);
    }
    CU_ASSERT_EQUAL(mtamon_reattached(m), 6);
    mtamon_close(m);
}

/* ---- associations across the delete ----------------------------------- */

static void test_assocs(void)
{
    const char *name = ut_name();
    mtamon_t *m = open_writer(name, MTAMON_OPEN_CREATE, 8, 0);
    mtamon_channel_t a = ut_channel(m, "a");
    mtamon_assoc before, after;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, a, MTAMON_INBOUND, "192.0.2.1", &before), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, a, MTAMON_INBOUND, "192.0.2.2", &after), MTAMON_OK);
    /* Opened in the deleted segment: closing it counts nothing here. */
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &before), MTAMON_OK);
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 1);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_IN_ASSOCS], 1);
    CU_ASSERT_EQUAL(snap.channels[0].in_assocs_current, 1);
    CU_ASSERT_EQUAL_FATAL(snap.n_assocs, 1);
    CU_ASSERT_STRING_EQUAL(snap.assocs[0].remote, "192.0.2.2");
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &after), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &after), MTAMON_ERR_INVALID); /* twice */
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.channels[0].in_assocs_current, 0);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_IN_ASSOCS_CLOSED], 1);
    CU_ASSERT_EQUAL(snap.n_assocs, 0);
    mtamon_snapshot_free(&snap);
    mtamon_close(m);
}

/* ---- readers ------------------------------------------------------------ */

static void test_reader_sees_retired_as_deleted(void)
{
    const char *name = ut_name();
    mtamon_t *m = open_writer(name, MTAMON_OPEN_CREATE, 8, 0);
    mtamon_channel_t a = ut_channel(m, "a");
    enqueue_n(m, 0, a, 2);
    mtamon_reader *r = mtamon_reader_open(name, NULL);
    UT_REQUIRE(r);
    struct mtamon_snapshot snap = {0};
    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);

    /* A deleter that marked it and died before unlinking. */
    CU_ASSERT_EQUAL(mtamon__segment_retire(name), 1);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_ERR_STALE);
    UT_ASSERT_ERR(err, MTAMON_ERR_STALE, "deleted");
    /* The layout is still version 1, valid for any reader. */
    mtamon_reader *r2 = mtamon_reader_open(name, &err);
    CU_ASSERT_PTR_NOT_NULL(r2);
    mtamon_reader_close(r2);
    /* The writer cannot follow a name that still names it: it counts on. */
    enqueue_n(m, 0, a, 1);
    CU_ASSERT_EQUAL(mtamon_reattached(m), 0);

    /* Deleted and re-created: the reader follows the new generation. */
    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
    operator_create(name, 8, 0);
    int restarted = 0;
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(restarted, 1);
    CU_ASSERT_EQUAL(snap.n_channels, 0);
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
    mtamon_close(m);
}

/* ---- four threads writing across a delete + create -------------------- */

enum { THREADS = 4 };
#define THREAD_EVENTS 300000u

struct worker {
    mtamon_t *m;
    mtamon_channel_t src, dst;
    int failed;
};

static void *worker(void *p)
{
    struct worker *w = p;
    for (uint32_t k = 0; k < THREAD_EVENTS; k++)
        if (mtamon_enqueue(w->m, w->src, w->dst, 1, 1) != MTAMON_OK)
            w->failed = 1;
    return NULL;
}

static void test_threads_across_delete(void)
{
    const char *name = ut_name();
    mtamon_t *m = open_writer(name, MTAMON_OPEN_CREATE, 8, 0);
    mtamon_channel_t src = ut_channel(m, "src"), dst = ut_channel(m, "dst");
    /* The old segment, kept mapped to count what went there. */
    struct segment_map old;
    CU_ASSERT_EQUAL_FATAL(mtamon__segment_attach(name, 0, 0, &old, NULL), MTAMON_OK);
    struct channel_slot *old_dst = slot_if_active(&old, dst);
    UT_REQUIRE(old_dst);

    struct worker w[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){m, src, dst, 0};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, worker, &w[i]), 0);
    }
    /* Delete and re-create while they write. */
    while (atomic_load(&old_dst->counter[MTAMON_RECEIVED_MSGS]) < THREAD_EVENTS / 4)
        sched_yield();
    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
    operator_create(name, 8, 0);
    for (int i = 0; i < THREADS; i++) {
        CU_ASSERT_EQUAL(pthread_join(th[i], NULL), 0);
        CU_ASSERT_EQUAL(w[i].failed, 0);
    }
    uint64_t in_old = atomic_load(&old_dst->counter[MTAMON_RECEIVED_MSGS]);
    uint64_t in_new = received(name, "dst");
    CU_ASSERT_EQUAL(in_old + in_new, (uint64_t)THREADS * THREAD_EVENTS);
    CU_ASSERT(in_new > 0);
    CU_ASSERT_EQUAL(submitted(name, "src"), in_new);
    CU_ASSERT_EQUAL(mtamon_reattached(m), 1);
    mtamon__segment_detach(&old);
    mtamon_close(m);
}

UT_MAIN("retire",
        {"delete + create, same capacity", test_same_capacity},
        {"the writer re-creates it like the old one", test_writer_recreates},
        {"another capacity, channels already there", test_other_capacity_and_channels},
        {"a writer that may not create", test_no_create},
        {"six deletes in a row", test_many_cycles},
        {"associations across a delete", test_assocs},
        {"readers see a retired segment as deleted", test_reader_sees_retired_as_deleted},
        {"four threads across a delete + create", test_threads_across_delete})
