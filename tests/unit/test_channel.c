/*
 * test_channel.c - channel names, lookup and lock-free registration.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib_internal.h"
#include "unit_util.h"

static void test_name_check(void)
{
    char n63[MTAMON_CHANNEL_NAME_MAX + 1], n64[MTAMON_CHANNEL_NAME_MAX + 2];
    memset(n63, 'a', MTAMON_CHANNEL_NAME_MAX);
    n63[MTAMON_CHANNEL_NAME_MAX] = '\0';
    memset(n64, 'b', MTAMON_CHANNEL_NAME_MAX + 1);
    n64[MTAMON_CHANNEL_NAME_MAX + 1] = '\0';

    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL(mtamon_channel_name_check("tcp_local", &err), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_channel_name_check("x", &err), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_channel_name_check("!~", &err), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_channel_name_check(n63, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_channel_name_check(n63, NULL), MTAMON_OK);

    CU_ASSERT_EQUAL(mtamon_channel_name_check("", &err), MTAMON_ERR_INVALID);
    UT_ASSERT_ERR(err, MTAMON_ERR_INVALID, "empty");
    CU_ASSERT_EQUAL(mtamon_channel_name_check(NULL, &err), MTAMON_ERR_INVALID);
    UT_ASSERT_ERR(err, MTAMON_ERR_INVALID, "empty");
    CU_ASSERT_EQUAL(mtamon_channel_name_check(n64, &err), MTAMON_ERR_INVALID);
    UT_ASSERT_ERR(err, MTAMON_ERR_INVALID, "longer than 63");

    static const char *const bad[] = {
        "tcp local", " tcp", "tcp ", "tcp\x01", "\x7f", "tcp\x7f", "caf\xc3\xa9",
        "tab\there", "nl\n", "\xff",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        CU_ASSERT_EQUAL(mtamon_channel_name_check(bad[i], &err), MTAMON_ERR_INVALID);
        UT_ASSERT_ERR(err, MTAMON_ERR_INVALID, "character");
        CU_ASSERT_EQUAL(mtamon_channel_name_check(bad[i], NULL), MTAMON_ERR_INVALID);
    }
    CU_ASSERT_EQUAL(mtamon_channel_name_check("caf\xc3\xa9", &err), MTAMON_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "0xc3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "offset 3"));
}

/* Registering or finding an invalid name fails and changes nothing. */
static void test_register_invalid_names(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    CU_ASSERT_EQUAL(ut_channel(m, "good"), 1);

    char n64[MTAMON_CHANNEL_NAME_MAX + 2];
    memset(n64, 'b', MTAMON_CHANNEL_NAME_MAX + 1);
    n64[MTAMON_CHANNEL_NAME_MAX + 1] = '\0';
    const char *bad[] = {"", "a b", "a\x01", "\x7f", "\xc3\xa9", n64};

    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(before);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mtamon_channel_t ch = 12345;
        struct mtamon_error err = {0};
        CU_ASSERT_EQUAL(mtamon_channel(m, bad[i], &ch, &err), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(err.code, MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(ch, 12345);
        CU_ASSERT_EQUAL(mtamon_channel_find(m, bad[i], &ch, &err), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(ch, 12345);
    }
    mtamon_channel_t ch = 0;
    CU_ASSERT_EQUAL(mtamon_channel(m, NULL, &ch, NULL), MTAMON_ERR_INVALID);
    CU_ASSERT(ut_bytes_equal(name, before, len));
    free(before);

    /* Exactly 63 bytes is fine and comes back intact. */
    char n63[MTAMON_CHANNEL_NAME_MAX + 1];
    memset(n63, 'z', MTAMON_CHANNEL_NAME_MAX);
    n63[MTAMON_CHANNEL_NAME_MAX] = '\0';
    CU_ASSERT_EQUAL(ut_channel(m, n63), 2);
    mtamon_close(m);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, n63, 0, &c);
    CU_ASSERT_EQUAL(c.index, 2);
    CU_ASSERT_STRING_EQUAL(c.name, n63);
}

static void test_indexes(void)
{
    const char *name = ut_name();
    int64_t t0 = ut_now_ms();
    mtamon_t *m = ut_create(name, 8, 4);
    static const char *const names[] = {"tcp_local", "tcp_intranet", "ims-ms",
                                        "l", "conversion"};
    const size_t n = sizeof names / sizeof names[0];
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(ut_channel(m, names[i]), i + 1);
    /* Again, in another order: same indexes, nothing new. */
    for (size_t i = n; i-- > 0;)
        CU_ASSERT_EQUAL(ut_channel(m, names[i]), i + 1);

    /* A second handle sees the same slots. */
    struct mtamon_error err = {0};
    mtamon_t *m2 = mtamon_open(name, 0, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m2);
    for (size_t i = 0; i < n; i++) {
        mtamon_channel_t ch = 0;
        CU_ASSERT_EQUAL(mtamon_channel_find(m2, names[i], &ch, &err), MTAMON_OK);
        CU_ASSERT_EQUAL(ch, i + 1);
    }
    CU_ASSERT_EQUAL(ut_channel(m2, "sixth"), n + 1);
    CU_ASSERT_EQUAL(ut_channel(m, "sixth"), n + 1);
    mtamon_close(m2);
    mtamon_close(m);

    /* Reopened: still the same. */
    m = mtamon_open(name, MTAMON_OPEN_CREATE, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(ut_channel(m, names[i]), i + 1);
    mtamon_close(m);

    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, n + 1);
    for (uint32_t i = 0; i < snap.n_channels; i++) {
        CU_ASSERT_EQUAL(snap.channels[i].index, i + 1);
        CU_ASSERT_STRING_EQUAL(snap.channels[i].name, i < n ? names[i] : "sixth");
        CU_ASSERT(snap.channels[i].created_ms >= t0 - 1000 &&
                  snap.channels[i].created_ms <= ut_now_ms() + 1000);
    }
    mtamon_snapshot_free(&snap);
}

static void test_find_missing(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    CU_ASSERT_EQUAL(ut_channel(m, "present"), 1);
    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(before);

    mtamon_channel_t ch = 777;
    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL(mtamon_channel_find(m, "absent", &ch, &err), MTAMON_ERR_NOENT);
    UT_ASSERT_ERR(err, MTAMON_ERR_NOENT, "absent");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, name));
    CU_ASSERT_EQUAL(ch, 777);
    CU_ASSERT_EQUAL(mtamon_channel_find(m, "absent", &ch, NULL), MTAMON_ERR_NOENT);
    CU_ASSERT(ut_bytes_equal(name, before, len)); /* find never registers */
    free(before);

    CU_ASSERT_EQUAL(mtamon_channel_find(m, "present", &ch, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(ch, 1);
    mtamon_close(m);
}

static void test_full(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 3, 4);
    mtamon_channel_t a = ut_channel(m, "a"), b = ut_channel(m, "b"),
                     c = ut_channel(m, "c");
    CU_ASSERT_EQUAL(a, 1);
    CU_ASSERT_EQUAL(b, 2);
    CU_ASSERT_EQUAL(c, 3);

    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(before);
    mtamon_channel_t ch = 99;
    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL(mtamon_channel(m, "one-too-many", &ch, &err), MTAMON_ERR_FULL);
    UT_ASSERT_ERR(err, MTAMON_ERR_FULL, "full");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "one-too-many"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, name));
    CU_ASSERT_EQUAL(ch, 99);
    CU_ASSERT(ut_bytes_equal(name, before, len));
    free(before);
    CU_ASSERT_EQUAL(mtamon_channel_find(m, "one-too-many", &ch, NULL), MTAMON_ERR_NOENT);

    /* Existing channels are still found and keep counting. */
    CU_ASSERT_EQUAL(ut_channel(m, "b"), 2);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, a, b, 1, 10), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_dequeue(m, b, 1, 10, 1, 5), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_loop(m, c), MTAMON_OK);
    mtamon_close(m);

    CU_ASSERT_EQUAL(ut_n_channels(name), 3);
    struct mtamon_channel_stats s;
    ut_channel_stats(name, "b", 0, &s);
    CU_ASSERT_EQUAL(s.c[MTAMON_RECEIVED_MSGS], 1);
    CU_ASSERT_EQUAL(s.c[MTAMON_DELIVERED_MSGS], 1);
    ut_channel_stats(name, "a", 0, &s);
    CU_ASSERT_EQUAL(s.c[MTAMON_SUBMITTED_MSGS], 1);
    ut_channel_stats(name, "c", 0, &s);
    CU_ASSERT_EQUAL(s.c[MTAMON_LOOPS], 1);
}

/* @p procs children each register the names chosen by @p pick (they start
 * together) and exit with the index they got.  Returns in @p got. */
typedef void (*pick_fn)(int child, char *buf, size_t len);

static void race(const char *name, int procs, pick_fn pick, int *got)
{
    struct ut_barrier b;
    CU_ASSERT_EQUAL_FATAL(ut_barrier_init(&b), 0);
    pid_t pids[64];
    CU_ASSERT_FATAL(procs <= 64);
    for (int i = 0; i < procs; i++) {
        pids[i] = ut_fork();
        if (pids[i] == 0) {
            mtamon_t *m = mtamon_open(name, 0, NULL, NULL);
            if (!m)
                _exit(250);
            char chname[MTAMON_CHANNEL_NAME_MAX + 1];
            pick(i, chname, sizeof chname);
            ut_barrier_wait(&b);
            mtamon_channel_t ch = 0;
            mtamon_result st = mtamon_channel(m, chname, &ch, NULL);
            if (st == MTAMON_OK)
                st = mtamon_loop(m, ch); /* count one event on it */
            mtamon_close(m);
            _exit(st != MTAMON_OK ? 251 : ch > 200 ? 252 : (int)ch);
        }
    }
    ut_barrier_release(&b);
    for (int i = 0; i < procs; i++)
        got[i] = ut_wait(pids[i]);
}

static void pick_same(int child, char *buf, size_t len)
{
    (void)child;
    snprintf(buf, len, "%s", "contended");
}

static void pick_distinct(int child, char *buf, size_t len)
{
    snprintf(buf, len, "channel-%d", child);
}

static void test_concurrent_same_name(void)
{
    enum { PROCS = 8, ROUNDS = 15 };
    for (int round = 0; round < ROUNDS; round++) {
        const char *name = ut_name();
        mtamon_t *m = ut_create(name, 16, 4);
        mtamon_close(m);
        int got[PROCS];
        race(name, PROCS, pick_same, got);
        for (int i = 0; i < PROCS; i++)
            CU_ASSERT_EQUAL(got[i], 1);
        struct mtamon_snapshot snap = {0};
        ut_snapshot(name, 0, &snap);
        CU_ASSERT_EQUAL(snap.n_channels, 1);
        if (snap.n_channels == 1) {
            CU_ASSERT_STRING_EQUAL(snap.channels[0].name, "contended");
            CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_LOOPS], PROCS);
        }
        mtamon_snapshot_free(&snap);
    }
}

static void test_concurrent_distinct_names(void)
{
    enum { PROCS = 8, ROUNDS = 15 };
    for (int round = 0; round < ROUNDS; round++) {
        const char *name = ut_name();
        /* Exactly as many slots as names: none may be wasted. */
        mtamon_t *m = ut_create(name, PROCS, 4);
        mtamon_close(m);
        int got[PROCS];
        race(name, PROCS, pick_distinct, got);
        int seen[PROCS + 1] = {0};
        for (int i = 0; i < PROCS; i++) {
            CU_ASSERT(got[i] >= 1 && got[i] <= PROCS);
            if (got[i] >= 1 && got[i] <= PROCS)
                seen[got[i]]++;
        }
        for (int k = 1; k <= PROCS; k++)
            CU_ASSERT_EQUAL(seen[k], 1);
        struct mtamon_snapshot snap = {0};
        ut_snapshot(name, 0, &snap);
        CU_ASSERT_EQUAL(snap.n_channels, PROCS);
        for (uint32_t k = 0; k < snap.n_channels; k++) {
            char want[32];
            CU_ASSERT_EQUAL(snap.channels[k].index, k + 1);
            CU_ASSERT_EQUAL(snap.channels[k].c[MTAMON_LOOPS], 1);
            /* The child that got index k+1 registered this name. */
            for (int i = 0; i < PROCS; i++)
                if (got[i] == (int)k + 1) {
                    snprintf(want, sizeof want, "channel-%d", i);
                    CU_ASSERT_STRING_EQUAL(snap.channels[k].name, want);
                }
        }
        mtamon_snapshot_free(&snap);
    }
}

/* Half the children want one shared name, the others their own; the
 * capacity is exactly what that needs. */
static void pick_mixed(int child, char *buf, size_t len)
{
    if (child % 2)
        snprintf(buf, len, "%s", "shared");
    else
        snprintf(buf, len, "own-%d", child);
}

static void test_concurrent_mixed(void)
{
    enum { PROCS = 8, ROUNDS = 15 };
    for (int round = 0; round < ROUNDS; round++) {
        const char *name = ut_name();
        mtamon_t *m = ut_create(name, PROCS / 2 + 1, 4);
        mtamon_close(m);
        int got[PROCS];
        race(name, PROCS, pick_mixed, got);
        int shared = got[1];
        for (int i = 0; i < PROCS; i++) {
            CU_ASSERT(got[i] >= 1 && got[i] <= PROCS / 2 + 1);
            if (i % 2) {
                CU_ASSERT_EQUAL(got[i], shared);
            } else {
                CU_ASSERT_NOT_EQUAL(got[i], shared);
            }
            for (int j = 0; j < i; j++)
                if (i % 2 == 0 && j % 2 == 0)
                    CU_ASSERT_NOT_EQUAL(got[i], got[j]);
        }
        struct mtamon_channel_stats c;
        ut_channel_stats(name, "shared", 0, &c);
        CU_ASSERT_EQUAL(c.c[MTAMON_LOOPS], PROCS / 2);
    }
}

/* A registrant that died between claiming a slot and publishing it: the
 * next registrant claims that slot again, readers never list the half
 * written name. */
static void test_dead_claimer(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    CU_ASSERT_EQUAL(ut_channel(m, "first"), 1);
    pid_t dead = fork();
    CU_ASSERT_FATAL(dead >= 0);
    if (dead == 0)
        _exit(0);
    CU_ASSERT_EQUAL(waitpid(dead, NULL, 0), dead);
    atomic_store(&writer_map(m)->channels[1].state, claim_state(dead));
    memcpy(writer_map(m)->channels[1].name, "half", 5);
    CU_ASSERT_EQUAL(ut_channel(m, "first"), 1); /* before it: no wait */
    mtamon_channel_t ch = 0;
    CU_ASSERT_EQUAL(mtamon_channel_find(m, "half", &ch, NULL), MTAMON_ERR_NOENT);
    CU_ASSERT_EQUAL(mtamon_loop(m, 2), MTAMON_ERR_INVALID);
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.n_channels, 1);
    CU_ASSERT_EQUAL(ut_channel(m, "after"), 2); /* the abandoned slot */
    CU_ASSERT_EQUAL(ut_channel(m, "third"), 3);
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 3);
    CU_ASSERT_EQUAL(snap.channels[1].index, 2);
    CU_ASSERT_STRING_EQUAL(snap.channels[1].name, "after");
    CU_ASSERT_EQUAL(mtamon_loop(m, 2), MTAMON_OK);
    mtamon_snapshot_free(&snap);
    mtamon_close(m);
}

UT_MAIN("channel",
        {"name check", test_name_check},
        {"registering invalid names", test_register_invalid_names},
        {"indexes in registration order, stable", test_indexes},
        {"find missing", test_find_missing},
        {"capacity full", test_full},
        {"concurrent registration of one name", test_concurrent_same_name},
        {"concurrent registration of distinct names", test_concurrent_distinct_names},
        {"concurrent registration, mixed", test_concurrent_mixed},
        {"registrant died mid-claim", test_dead_claimer})
