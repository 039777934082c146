/*
 * test_concurrency.c - no update is ever lost, no text ever torn, with
 * many processes and threads writing at once.
 */
#include <pthread.h>
#include <stdlib.h>

#include "lib_internal.h"
#include "unit_util.h"

enum { WRITERS = 4 };

/* ---- 4 processes x 1,000,000 enqueues on one channel ------------------- */

#define PROC_EVENTS 1000000u

static void test_processes_exact(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    CU_ASSERT_EQUAL(ut_channel(m, "tcp_local"), 1);
    CU_ASSERT_EQUAL(ut_channel(m, "ims-ms"), 2);
    mtamon_close(m);

    struct ut_barrier b;
    CU_ASSERT_EQUAL_FATAL(ut_barrier_init(&b), 0);
    pid_t pids[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        pids[i] = ut_fork();
        if (pids[i] == 0) {
            /* Each process opens the segment itself, like an MTA would. */
            mtamon_t *mm = mtamon_open(name, 0, NULL, NULL);
            mtamon_channel_t s = 0, d = 0;
            if (!mm || mtamon_channel(mm, "tcp_local", &s, NULL) != MTAMON_OK ||
                mtamon_channel(mm, "ims-ms", &d, NULL) != MTAMON_OK)
                _exit(2);
            ut_barrier_wait(&b);
            for (uint32_t k = 0; k < PROC_EVENTS; k++)
                if (mtamon_enqueue(mm, s, d, 2, 1000) != MTAMON_OK)
                    _exit(3);
            mtamon_close(mm);
            _exit(0);
        }
    }
    ut_barrier_release(&b);
    for (int i = 0; i < WRITERS; i++)
        CU_ASSERT_EQUAL(ut_wait(pids[i]), 0);

    const uint64_t n = (uint64_t)WRITERS * PROC_EVENTS;
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "ims-ms", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], n);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_RCPTS], 2 * n);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_VOLUME], 1000 * n);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], UINT64_C(4000000));
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_RCPTS], UINT64_C(8000000));
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_VOLUME], UINT64_C(4000000000));
    CU_ASSERT_EQUAL(c.stored_msgs, (int64_t)n);
    CU_ASSERT_EQUAL(c.stored_rcpts, (int64_t)(2 * n));
    CU_ASSERT_EQUAL(c.stored_volume, (int64_t)(1000 * n));
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_MSGS], 0);
    ut_channel_stats(name, "tcp_local", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_MSGS], UINT64_C(4000000));
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_RCPTS], UINT64_C(8000000));
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_VOLUME], UINT64_C(4000000000));
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 0);
}

/* ---- 4 threads x 250,000 on one shared handle ------------------------- */

#define THREAD_EVENTS 250000u

struct thread_arg {
    mtamon_t *m;
    mtamon_channel_t src, dst;
    int id;
    int failed;
};

static void *enqueue_thread(void *p)
{
    struct thread_arg *a = p;
    for (uint32_t k = 0; k < THREAD_EVENTS; k++)
        if (mtamon_enqueue(a->m, a->src, a->dst, 2, 1000) != MTAMON_OK)
            a->failed = 1;
    return NULL;
}

static void run_threads(void *(*fn)(void *), struct thread_arg *args)
{
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, fn, &args[i]), 0);
    for (int i = 0; i < WRITERS; i++) {
        CU_ASSERT_EQUAL(pthread_join(th[i], NULL), 0);
        CU_ASSERT_EQUAL(args[i].failed, 0);
    }
}

static void test_threads_exact(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    struct thread_arg args[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        args[i] = (struct thread_arg){m, ut_channel(m, "src"), ut_channel(m, "dst"), i, 0};
    run_threads(enqueue_thread, args);

    const uint64_t n = (uint64_t)WRITERS * THREAD_EVENTS;
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "dst", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], n);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], UINT64_C(1000000));
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_RCPTS], UINT64_C(2000000));
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_VOLUME], UINT64_C(1000000000));
    CU_ASSERT_EQUAL(c.stored_msgs, (int64_t)n);
    ut_channel_stats(name, "src", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_MSGS], n);
    CU_ASSERT_EQUAL(c.c[MTAMON_SUBMITTED_VOLUME], 1000 * n);
    mtamon_close(m);
}

/* ---- associations and the status table from 4 threads ----------------- */

#define ASSOC_ROUNDS 20000u
#define CODES 40u

static void *assoc_thread(void *p)
{
    struct thread_arg *a = p;
    for (uint32_t k = 0; k < ASSOC_ROUNDS; k++) {
        mtamon_assoc x, y;
        if (mtamon_assoc_open(a->m, a->dst, MTAMON_INBOUND, "peer", &x) != MTAMON_OK ||
            mtamon_assoc_open(a->m, a->dst, MTAMON_OUTBOUND, "peer", &y) != MTAMON_OK ||
            mtamon_assoc_close(a->m, &x) != MTAMON_OK ||
            mtamon_assoc_close(a->m, &y) != MTAMON_OK)
            a->failed = 1;
        /* Every thread walks the same 40 codes, each from another start. */
        unsigned i = (k + (unsigned)a->id * 10u) % CODES;
        if (mtamon_fail(a->m, a->dst, 1, 1, mtamon_status_make(5, 1, i + 1)) != MTAMON_OK)
            a->failed = 1;
    }
    return NULL;
}

static void test_threads_assocs_and_status(void)
{
    const char *name = ut_name();
    /* A table smaller than the number of concurrent associations. */
    mtamon_t *m = ut_create(name, 2, 6);
    mtamon_channel_t ch = ut_channel(m, "c");
    struct thread_arg args[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        args[i] = (struct thread_arg){m, 0, ch, i, 0};
    run_threads(assoc_thread, args);

    const uint64_t n = (uint64_t)WRITERS * ASSOC_ROUNDS;
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.n_assocs, 0);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 1);
    const struct mtamon_channel_stats *c = &snap.channels[0];
    CU_ASSERT_EQUAL(c->c[MTAMON_IN_ASSOCS], n);
    CU_ASSERT_EQUAL(c->c[MTAMON_IN_ASSOCS_CLOSED], n);
    CU_ASSERT_EQUAL(c->c[MTAMON_OUT_ASSOCS], n);
    CU_ASSERT_EQUAL(c->c[MTAMON_OUT_ASSOCS_CLOSED], n);
    CU_ASSERT_EQUAL(c->in_assocs_current, 0);
    CU_ASSERT_EQUAL(c->out_assocs_current, 0);
    CU_ASSERT_EQUAL(c->c[MTAMON_FAILED_MSGS], n);

    /* 30 rows of their own + 5.0.0, each code once, totals exact. */
    CU_ASSERT_EQUAL(c->n_status, MTAMON_STATUS_SLOTS - 1);
    uint64_t total = 0;
    for (unsigned r = 0; r < c->n_status; r++) {
        total += c->status[r].outbound;
        CU_ASSERT_EQUAL(c->status[r].inbound, 0);
        if (r > 0)
            CU_ASSERT(c->status[r - 1].code < c->status[r].code); /* no duplicates */
        if (c->status[r].code != 5000000)
            CU_ASSERT_EQUAL(c->status[r].outbound, n / CODES);
    }
    CU_ASSERT_EQUAL(total, n);
    mtamon_snapshot_free(&snap);
    mtamon_close(m);
}

/* ---- reason texts: never torn ----------------------------------------- */

#define REASON_PUBLISHES 200000u

static char reason_text[WRITERS][MTAMON_REASON_MAX + 1];
static atomic_int writers_done;

static void *reason_writer(void *p)
{
    struct thread_arg *a = p;
    for (uint32_t k = 0; k < REASON_PUBLISHES; k++) {
        mtamon_result st = k % 2 ? mtamon_reject(a->m, a->dst, 1, 1, 0, reason_text[a->id])
                                 : mtamon_assoc_fail(a->m, a->dst, 0, reason_text[a->id]);
        if (st != MTAMON_OK)
            a->failed = 1;
    }
    atomic_fetch_add(&writers_done, 1);
    return NULL;
}

struct reader_result {
    const char *name;
    unsigned long reads, empty, foreign, snapshots;
    char bad[MTAMON_REASON_MAX + 1];
};

static int known_reason(const char *s)
{
    for (int i = 0; i < WRITERS; i++)
        if (strcmp(s, reason_text[i]) == 0)
            return 1;
    return 0;
}

static void classify(struct reader_result *res, const char *s)
{
    res->reads++;
    if (!*s)
        res->empty++;
    else if (!known_reason(s)) {
        if (!res->foreign)
            snprintf(res->bad, sizeof res->bad, "%s", s);
        res->foreign++;
    }
}

static void *reason_reader(void *p)
{
    struct reader_result *res = p;
    mtamon_reader *r = mtamon_reader_open(res->name, NULL);
    if (!r) {
        res->foreign = 1;
        return NULL;
    }
    struct mtamon_snapshot snap = {0};
    while (atomic_load(&writers_done) < WRITERS) {
        if (mtamon_snapshot_take(r, 0, &snap, NULL, NULL) != MTAMON_OK ||
            snap.n_channels != 1) {
            res->foreign++;
            break;
        }
        res->snapshots++;
        classify(res, snap.channels[0].last_rejection_reason);
        classify(res, snap.channels[0].last_connect_failure);
        /* And many direct reads of the rings in between. */
        const struct channel_slot *s = &r->map.channels[0];
        for (int i = 0; i < 50; i++) {
            char buf[MTAMON_REASON_MAX + 1];
            mtamon__reason_read(&s->rejection_reason, buf, sizeof buf);
            classify(res, buf);
            mtamon__reason_read(&s->connect_failure, buf, sizeof buf);
            classify(res, buf);
        }
    }
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
    return NULL;
}

static void test_reasons_never_torn(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    /* Distinct texts of the full length, distinct in every position. */
    for (int i = 0; i < WRITERS; i++) {
        for (int k = 0; k < MTAMON_REASON_MAX; k++)
            reason_text[i][k] = (char)('A' + (i * 7 + k) % 26 + (i % 2) * 32);
        reason_text[i][MTAMON_REASON_MAX] = '\0';
    }
    /* Something is there before the race starts. */
    CU_ASSERT_EQUAL(mtamon_reject(m, ch, 1, 1, 0, reason_text[0]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, ch, 0, reason_text[0]), MTAMON_OK);

    atomic_store(&writers_done, 0);
    struct reader_result res = {.name = name};
    pthread_t reader;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&reader, NULL, reason_reader, &res), 0);
    struct thread_arg args[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        args[i] = (struct thread_arg){m, 0, ch, i, 0};
    run_threads(reason_writer, args);
    CU_ASSERT_EQUAL(pthread_join(reader, NULL), 0);

    printf("\n    %lu reads in %lu snapshots, %lu empty, %lu foreign ",
           res.reads, res.snapshots, res.empty, res.foreign);
    if (res.foreign)
        printf("(e.g. '%s') ", res.bad);
    CU_ASSERT_EQUAL(res.foreign, 0);
    CU_ASSERT_EQUAL(res.empty, 0);
    CU_ASSERT(res.reads > 0);

    /* Once quiet, the last text is one of them. */
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "c", 0, &c);
    CU_ASSERT(known_reason(c.last_rejection_reason));
    CU_ASSERT(known_reason(c.last_connect_failure));
    CU_ASSERT_EQUAL(c.c[MTAMON_REJECTED_MSGS], 1 + WRITERS * REASON_PUBLISHES / 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_OUT_ASSOCS_FAILED], 1 + WRITERS * REASON_PUBLISHES / 2);
    mtamon_close(m);
}

UT_MAIN("concurrency",
        {"4 processes x 1,000,000 enqueues", test_processes_exact},
        {"4 threads x 250,000 on one handle", test_threads_exact},
        {"associations and status codes from 4 threads", test_threads_assocs_and_status},
        {"reason texts never torn", test_reasons_never_torn})
