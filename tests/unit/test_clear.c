/*
 * test_clear.c - zeroing counters without losing updates or gauges.
 */
#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "lib_internal.h"
#include "unit_util.h"

static void test_clear_zeroes_counters(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    mtamon_channel_t in = ut_channel(m, "in"), out = ut_channel(m, "out");
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 2, 100), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_dequeue(m, out, 2, 100, 1, 30), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_fail(m, out, 2, 100, 5001001), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_tempfail(m, out, 2, 100, 4002002), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_reject(m, in, 1, 10, 5007001, "denied"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_convert(m, out, 1), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_loop(m, out), MTAMON_OK);
    mtamon_assoc ai, ao;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, "a", &ai), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, out, MTAMON_OUTBOUND, "b", &ao), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, out, 4004001, "refused"), MTAMON_OK);

    struct mtamon_channel_stats before_out, before_in;
    ut_channel_stats(name, "out", 0, &before_out);
    ut_channel_stats(name, "in", 0, &before_in);
    CU_ASSERT_EQUAL(before_out.stored_msgs, 3);

    int64_t t0 = ut_now_ms();
    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL(mtamon_clear(m, &err), MTAMON_OK);

    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT(snap.cleared_ms >= t0 - 50 && snap.cleared_ms <= ut_now_ms() + 50);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 2);
    for (uint32_t i = 0; i < snap.n_channels; i++) {
        const struct mtamon_channel_stats *c = &snap.channels[i];
        const struct mtamon_channel_stats *b = i == 0 ? &before_in : &before_out;
        for (int k = 0; k < MTAMON_COUNTER_COUNT; k++) {
            CU_ASSERT_EQUAL(c->c[k], 0);
            if (c->c[k])
                fprintf(stderr, "\n    %s %s = %llu after clear\n", c->name,
                        mtamon_counter_name((enum mtamon_counter)k),
                        (unsigned long long)c->c[k]);
        }
        for (unsigned r = 0; r < c->n_status; r++) {
            CU_ASSERT_EQUAL(c->status[r].inbound, 0);
            CU_ASSERT_EQUAL(c->status[r].internal, 0);
            CU_ASSERT_EQUAL(c->status[r].outbound, 0);
        }
        /* Gauges, times, reasons and the table are kept. */
        CU_ASSERT_EQUAL(c->stored_msgs, b->stored_msgs);
        CU_ASSERT_EQUAL(c->stored_rcpts, b->stored_rcpts);
        CU_ASSERT_EQUAL(c->stored_volume, b->stored_volume);
        CU_ASSERT_EQUAL(c->in_assocs_current, b->in_assocs_current);
        CU_ASSERT_EQUAL(c->out_assocs_current, b->out_assocs_current);
        CU_ASSERT_EQUAL(c->last_inbound_ms, b->last_inbound_ms);
        CU_ASSERT_EQUAL(c->last_outbound_attempt_ms, b->last_outbound_attempt_ms);
        CU_ASSERT_STRING_EQUAL(c->last_rejection_reason, b->last_rejection_reason);
        CU_ASSERT_STRING_EQUAL(c->last_connect_failure, b->last_connect_failure);
    }
    CU_ASSERT_EQUAL(snap.channels[1].stored_msgs, 3);
    CU_ASSERT_EQUAL(snap.channels[1].stored_rcpts, 6);
    CU_ASSERT_EQUAL(snap.channels[1].stored_volume, 300);
    CU_ASSERT_EQUAL(snap.channels[0].in_assocs_current, 1);
    CU_ASSERT_EQUAL(snap.channels[1].out_assocs_current, 1);
    CU_ASSERT_STRING_EQUAL(snap.channels[0].last_rejection_reason, "denied");
    CU_ASSERT_EQUAL(snap.n_assocs, 2);
    mtamon_snapshot_free(&snap);

    /* Lifetime values are untouched. */
    struct mtamon_channel_stats life;
    ut_channel_stats(name, "out", MTAMON_SNAP_LIFETIME, &life);
    CU_ASSERT_EQUAL(life.c[MTAMON_RECEIVED_MSGS], 5);
    CU_ASSERT_EQUAL(life.c[MTAMON_FAILED_MSGS], 1);
    const struct mtamon_status_count *row = ut_status_row(&life, 5001001);
    UT_REQUIRE(row);
    CU_ASSERT_EQUAL(row->outbound, 1);

    /* Counting resumes from 0. */
    CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 4, 40), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_fail(m, out, 1, 10, 5001001), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_fail(m, out, 1, 10, 5001001), MTAMON_OK);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "out", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_RCPTS], 4);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_VOLUME], 40);
    CU_ASSERT_EQUAL(c.c[MTAMON_FAILED_MSGS], 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_DELIVERED_MSGS], 0);
    CU_ASSERT_EQUAL(c.stored_msgs, 2);
    row = ut_status_row(&c, 5001001);
    UT_REQUIRE(row);
    CU_ASSERT_EQUAL(row->outbound, 2);
    row = ut_status_row(&c, 4002002);
    UT_REQUIRE(row);
    CU_ASSERT_EQUAL(row->outbound, 0);
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_REJECTED_MSGS], 0);

    /* A second clear; the clear time moves on. */
    uint32_t seq = atomic_load(&writer_map(m)->header->clear_seq);
    CU_ASSERT_EQUAL(seq % 2, 0);
    CU_ASSERT_EQUAL(mtamon_clear(m, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(atomic_load(&writer_map(m)->header->clear_seq), seq + 2);
    CU_ASSERT_EQUAL(atomic_load(&writer_map(m)->header->clear_pid), 0);
    ut_channel_stats(name, "out", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 0);
    CU_ASSERT_EQUAL(c.stored_msgs, 2);

    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &ai), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &ao), MTAMON_OK);
    mtamon_close(m);
}

/* Mail and associations from before the clear finish after it: the
 * gauges come out right, never negative. */
static void test_gauges_across_clear(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 4);
    mtamon_channel_t ch = ut_channel(m, "c");
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ch, 2, 100), MTAMON_OK);
    mtamon_assoc a;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, ch, MTAMON_INBOUND, "x", &a), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_clear(m, NULL), MTAMON_OK);

    CU_ASSERT_EQUAL(mtamon_dequeue(m, ch, 2, 100, 1, 10), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_dequeue(m, ch, 2, 100, 0, 10), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_fail(m, ch, 2, 100, 0), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a), MTAMON_OK);

    struct mtamon_channel_stats c;
    ut_channel_stats(name, "c", 0, &c);
    CU_ASSERT_EQUAL(c.stored_msgs, 0);
    CU_ASSERT_EQUAL(c.stored_rcpts, 0);
    CU_ASSERT_EQUAL(c.stored_volume, 0);
    CU_ASSERT_EQUAL(c.in_assocs_current, 0);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 0);
    CU_ASSERT_EQUAL(c.c[MTAMON_DELIVERED_MSGS], 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_FAILED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS], 0);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS_CLOSED], 1);
    mtamon_close(m);
}

/* The child's event mix: 4 kinds, each 1/4 of the events. */
#define CHILD_EVENTS 1000000u
static int write_events(mtamon_t *m, mtamon_channel_t ch)
{
    for (uint32_t i = 0; i < CHILD_EVENTS; i++) {
        mtamon_result st;
        switch (i % 4) {
        case 0: st = mtamon_enqueue(m, ch, ch, 2, 1000); break;
        case 1: st = mtamon_dequeue(m, ch, 2, 1000, 1, 3); break;
        case 2: st = mtamon_reject(m, ch, 1, 10, 5001001,
                                   i % 1000 == 2 ? "busy" : NULL); break;
        default: st = mtamon_tempfail(m, ch, 1, 10, 4002002); break;
        }
        if (st != MTAMON_OK)
            return 1;
    }
    return 0;
}

static void check_since_le_life(const struct mtamon_channel_stats *since,
                                const struct mtamon_channel_stats *life)
{
    int ok = 1;
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++)
        if (since->c[k] > life->c[k]) {
            fprintf(stderr, "\n    %s since clear %llu > lifetime %llu\n",
                    mtamon_counter_name((enum mtamon_counter)k),
                    (unsigned long long)since->c[k], (unsigned long long)life->c[k]);
            ok = 0;
        }
    for (unsigned r = 0; r < since->n_status; r++) {
        const struct mtamon_status_count *l = ut_status_row(life, since->status[r].code);
        if (!l || since->status[r].inbound > l->inbound ||
            since->status[r].outbound > l->outbound ||
            since->status[r].internal > l->internal)
            ok = 0;
    }
    CU_ASSERT(ok);
    /* The child alternates enqueue and dequeue: the gauge is 0 or 1, and a
     * reader may see it higher (it reads "out" before "in"), never < 0. */
    CU_ASSERT(since->stored_msgs >= 0);
    CU_ASSERT(life->stored_msgs >= 0);
}

static void test_clear_while_writing(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "busy");
    struct ut_barrier b;
    CU_ASSERT_EQUAL_FATAL(ut_barrier_init(&b), 0);
    pid_t pid = ut_fork();
    if (pid == 0) {
        ut_barrier_wait(&b);
        _exit(write_events(m, ch));
    }
    ut_barrier_release(&b);

    /* Clear 20 times spread over the child's run: before each, wait for
     * its progress (or its end).  Check every snapshot on the way. */
    const struct channel_slot *s = &writer_map(m)->channels[ch - 1];
    int status = -1, reaped = 0;
    unsigned during = 0;
    for (unsigned i = 1; i <= 20; i++) {
        uint64_t target = (uint64_t)(CHILD_EVENTS / 4) * i / 21;
        while (!reaped &&
               atomic_load(&s->counter[MTAMON_RECEIVED_MSGS]) < target) {
            int st = 0;
            pid_t r = waitpid(pid, &st, WNOHANG);
            if (r == pid) {
                reaped = 1;
                status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
                break;
            }
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
        struct mtamon_error err = {0};
        CU_ASSERT_EQUAL(mtamon_clear(m, &err), MTAMON_OK);
        if (atomic_load(&s->counter[MTAMON_RECEIVED_MSGS]) < CHILD_EVENTS / 4)
            during++;
        struct mtamon_channel_stats since, life;
        ut_channel_stats(name, "busy", 0, &since);
        ut_channel_stats(name, "busy", MTAMON_SNAP_LIFETIME, &life);
        check_since_le_life(&since, &life);
    }
    if (!reaped)
        status = ut_wait(pid);
    CU_ASSERT_EQUAL(status, 0);
    printf("\n    %u of 20 clears while the child was writing ", during);

    struct mtamon_channel_stats since, life;
    ut_channel_stats(name, "busy", 0, &since);
    ut_channel_stats(name, "busy", MTAMON_SNAP_LIFETIME, &life);
    check_since_le_life(&since, &life);
    const uint64_t q = CHILD_EVENTS / 4;
    CU_ASSERT_EQUAL(life.c[MTAMON_RECEIVED_MSGS], q);
    CU_ASSERT_EQUAL(life.c[MTAMON_RECEIVED_RCPTS], 2 * q);
    CU_ASSERT_EQUAL(life.c[MTAMON_RECEIVED_VOLUME], 1000 * q);
    CU_ASSERT_EQUAL(life.c[MTAMON_SUBMITTED_MSGS], q);
    CU_ASSERT_EQUAL(life.c[MTAMON_DELIVERED_MSGS], q);
    CU_ASSERT_EQUAL(life.c[MTAMON_DELIVERED_VOLUME], 1000 * q);
    CU_ASSERT_EQUAL(life.c[MTAMON_DELIVERED_FIRST_MSGS], q);
    CU_ASSERT_EQUAL(life.c[MTAMON_QUEUE_TIME_MS], 3 * q);
    CU_ASSERT_EQUAL(life.c[MTAMON_QUEUE_COUNT], q);
    CU_ASSERT_EQUAL(life.c[MTAMON_REJECTED_MSGS], q);
    CU_ASSERT_EQUAL(life.c[MTAMON_REJECTED_VOLUME], 10 * q);
    CU_ASSERT_EQUAL(life.c[MTAMON_ATTEMPTED_MSGS], q);
    CU_ASSERT_EQUAL(life.stored_msgs, 0);
    CU_ASSERT_EQUAL(life.stored_rcpts, 0);
    CU_ASSERT_EQUAL(life.stored_volume, 0);
    CU_ASSERT_EQUAL(since.stored_msgs, 0);
    const struct mtamon_status_count *row = ut_status_row(&life, 5001001);
    UT_REQUIRE(row);
    CU_ASSERT_EQUAL(row->inbound, q);
    row = ut_status_row(&life, 4002002);
    UT_REQUIRE(row);
    CU_ASSERT_EQUAL(row->outbound, q);
    CU_ASSERT_STRING_EQUAL(life.last_rejection_reason, "busy");
    mtamon_close(m);
}

/* A clear that another process is running, or that a dead one left. */
static void test_clear_busy_and_takeover(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    CU_ASSERT_EQUAL(mtamon_loop(m, ch), MTAMON_OK);
    struct segment_header *h = writer_map(m)->header;

    /* A live process holds the clear. */
    int fd[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fd), 0);
    pid_t holder = ut_fork();
    if (holder == 0) {
        char c;
        close(fd[1]);
        _exit(read(fd[0], &c, 1) == 0 ? 0 : 1);
    }
    close(fd[0]);
    atomic_store(&h->clear_seq, 5);
    atomic_store(&h->clear_pid, holder);
    atomic_store(&h->clear_started_ms, now_ms_precise());
    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    UT_REQUIRE(before);
    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL(mtamon_clear(m, &err), MTAMON_ERR_BUSY);
    UT_ASSERT_ERR(err, MTAMON_ERR_BUSY, "being cleared");
    char pidtext[32];
    snprintf(pidtext, sizeof pidtext, "process %d", (int)holder);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, pidtext));
    CU_ASSERT(ut_bytes_equal(name, before, len));
    free(before);

    /* A reader retries for a while, then reports the busy segment. */
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    struct mtamon_snapshot snap = {0};
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_ERR_BUSY);
    UT_ASSERT_ERR(err, MTAMON_ERR_BUSY, "clear");

    /* The holder dies: the reader copies as it is, a clear takes over. */
    close(fd[1]);
    CU_ASSERT_EQUAL(ut_wait(holder), 0);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, MTAMON_SNAP_LIFETIME, &snap, NULL, &err),
                    MTAMON_OK);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 1);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_LOOPS], 1);
    CU_ASSERT_EQUAL(mtamon_clear(m, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(atomic_load(&h->clear_seq), 6);
    CU_ASSERT_EQUAL(atomic_load(&h->clear_pid), 0);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_LOOPS], 0);
    CU_ASSERT(snap.cleared_ms > 0);

    /* Same with a pid that was never alive during the test. */
    CU_ASSERT_EQUAL(mtamon_loop(m, ch), MTAMON_OK);
    atomic_store(&h->clear_seq, 7);
    atomic_store(&h->clear_pid, ut_dead_pid());
    CU_ASSERT_EQUAL(mtamon_clear(m, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(atomic_load(&h->clear_seq), 8);
    CU_ASSERT_EQUAL(atomic_load(&h->clear_pid), 0);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_LOOPS], 0);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, MTAMON_SNAP_LIFETIME, &snap, NULL, &err),
                    MTAMON_OK);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_LOOPS], 2);
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
    mtamon_close(m);
}

/* A clear held by a live pid for longer than CLEAR_STALE_MS (its owner
 * died and the pid was reused) is abandoned: readers copy, clears take
 * over. */
static void test_stale_clear_with_reused_pid(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    CU_ASSERT_EQUAL(mtamon_loop(m, ch), MTAMON_OK);
    struct segment_header *h = writer_map(m)->header;
    atomic_store(&h->clear_seq, 9);
    atomic_store(&h->clear_pid, getppid()); /* alive, not us */
    atomic_store(&h->clear_started_ms, now_ms_precise() - CLEAR_STALE_MS - 1000);
    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    struct mtamon_snapshot snap = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_clear(m, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(atomic_load(&h->clear_seq), 10);
    CU_ASSERT_EQUAL(atomic_load(&h->clear_pid), 0);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 1);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_LOOPS], 0);
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
    mtamon_close(m);
}

#define CLEARING_THREADS 2
#define CLEARS_PER_THREAD 2000

struct clearer {
    mtamon_t *m;
    unsigned ok, busy, other;
};

static void *clear_repeatedly(void *arg)
{
    struct clearer *c = arg;
    for (int i = 0; i < CLEARS_PER_THREAD; i++) {
        struct mtamon_error err;
        mtamon_result r = mtamon_clear(c->m, &err);
        if (r == MTAMON_OK)
            c->ok++;
        else if (r == MTAMON_ERR_BUSY)
            c->busy++;
        else
            c->other++;
    }
    return NULL;
}

/* Threads of one process clearing one handle at once: every clear moves
 * clear_seq by exactly 2, so it ends even and never went backwards. */
static void test_clear_from_threads(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    CU_ASSERT_EQUAL(mtamon_loop(m, ch), MTAMON_OK);
    uint32_t start = atomic_load(&writer_map(m)->header->clear_seq);
    struct clearer c[CLEARING_THREADS];
    pthread_t t[CLEARING_THREADS];
    for (int i = 0; i < CLEARING_THREADS; i++) {
        c[i] = (struct clearer){m, 0, 0, 0};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, clear_repeatedly, &c[i]), 0);
    }
    unsigned ok = 0, other = 0;
    for (int i = 0; i < CLEARING_THREADS; i++) {
        pthread_join(t[i], NULL);
        ok += c[i].ok;
        other += c[i].other;
    }
    CU_ASSERT_EQUAL(other, 0);
    CU_ASSERT_EQUAL(ok, CLEARING_THREADS * CLEARS_PER_THREAD);
    CU_ASSERT_EQUAL(atomic_load(&writer_map(m)->header->clear_seq), start + 2 * ok);
    CU_ASSERT_EQUAL(atomic_load(&writer_map(m)->header->clear_pid), 0);
    mtamon_close(m);
}

UT_MAIN("clear",
        {"clear zeroes counters, keeps gauges", test_clear_zeroes_counters},
        {"gauges across a clear", test_gauges_across_clear},
        {"clear while a child writes", test_clear_while_writing},
        {"clear busy, dead clearer taken over", test_clear_busy_and_takeover},
        {"stale clear of a reused pid taken over", test_stale_clear_with_reused_pid},
        {"threads of one process clearing at once", test_clear_from_threads})
