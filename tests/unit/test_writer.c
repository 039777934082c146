/*
 * test_writer.c - opening a segment for writing (writer.c): the open
 * flags, an object its creator never initialised, the cached pid and the
 * high-water mark.
 */
#include <pthread.h>
#include <stdlib.h>

#include "lib_internal.h"
#include "unit_util.h"

static void test_open_flags(void)
{
    const char *name = ut_name();
    struct mtamon_error err;

    /* Missing, without CREATE. */
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(mtamon_open(name, 0, NULL, &err));
    CU_ASSERT_EQUAL(err.code, MTAMON_ERR_NOENT);
    CU_ASSERT_FALSE(ut_exists(name));

    mtamon_t *m = ut_create(name, 2, 2);
    CU_ASSERT_EQUAL(mtamon_reattached(m), 0);
    (void)ut_channel(m, "kept");

    /* Exclusive create of an existing one. */
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL,
                                   NULL, &err));
    CU_ASSERT_EQUAL(err.code, MTAMON_ERR_EXISTS);

    /* CREATE alone opens the existing one, and clears the "exists". */
    memset(&err, 'x', sizeof err);
    mtamon_t *m2 = mtamon_open(name, MTAMON_OPEN_CREATE, NULL, &err);
    UT_REQUIRE(m2);
    CU_ASSERT_EQUAL(err.code, MTAMON_OK);
    CU_ASSERT_STRING_EQUAL(err.message, "");
    mtamon_channel_t ch = 0;
    CU_ASSERT_EQUAL(mtamon_channel_find(m2, "kept", &ch, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(ch, 1);
    mtamon_close(m2);

    /* Plain open, NULL error. */
    m2 = mtamon_open(name, 0, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL(m2);
    mtamon_close(m2);
    mtamon_close(m);
    mtamon_close(NULL);
}

static void test_open_bad(void)
{
    struct mtamon_error err;
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(mtamon_open("no-slash", MTAMON_OPEN_CREATE, NULL, &err));
    CU_ASSERT_EQUAL(err.code, MTAMON_ERR_INVALID);
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(mtamon_open("/a/b", 0, NULL, &err));
    CU_ASSERT_EQUAL(err.code, MTAMON_ERR_INVALID);

    /* A foreign object is never replaced. */
    const char *name = ut_name();
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, "not a segment, just bytes", 25), 0);
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(mtamon_open(name, MTAMON_OPEN_CREATE, NULL, &err));
    CU_ASSERT_EQUAL(err.code, MTAMON_ERR_FOREIGN);
    CU_ASSERT(ut_bytes_equal(name, (const unsigned char *)"not a segment, just bytes", 25));
}

static void test_uninitialised(void)
{
    /* An empty object (its creator died before initialising it). */
    const char *name = ut_name();
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, "", 0), 0);
    struct mtamon_error err;

    /* Exclusive create: it exists. */
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL,
                                   NULL, &err));
    CU_ASSERT_EQUAL(err.code, MTAMON_ERR_EXISTS);

    /* CREATE replaces it. */
    struct mtamon_create_params p = {.channel_capacity = 3, .assoc_capacity = 5};
    memset(&err, 0, sizeof err);
    mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE, &p, &err);
    if (!m)
        fprintf(stderr, "\n    %s\n", err.message);
    UT_REQUIRE(m);
    CU_ASSERT_EQUAL(err.code, MTAMON_OK);
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, 3);
    CU_ASSERT_EQUAL(snap.assoc_capacity, 5);
    CU_ASSERT_EQUAL(snap.n_channels, 0);
    mtamon_snapshot_free(&snap);
    mtamon_close(m);
}

static void test_cached_pid(void)
{
    CU_ASSERT_EQUAL(mtamon__cached_pid(), getpid());
    pid_t pid = ut_fork();
    if (pid == 0)
        _exit(mtamon__cached_pid() == getpid() ? 0 : 1);
    CU_ASSERT_EQUAL(ut_wait(pid), 0);
    CU_ASSERT_EQUAL(mtamon__cached_pid(), getpid());
}

#define RAISERS 2
#define RAISES 100000u

static _Atomic uint32_t hwm;

static void *raiser(void *p)
{
    uint32_t k = (uint32_t)(uintptr_t)p;
    for (uint32_t i = k; i < RAISES; i += RAISERS)
        mtamon__raise_high_water(&hwm, i);
    return NULL;
}

static void test_high_water(void)
{
    _Atomic uint32_t h = 5;
    mtamon__raise_high_water(&h, 3);
    CU_ASSERT_EQUAL(atomic_load(&h), 5);
    mtamon__raise_high_water(&h, 5);
    CU_ASSERT_EQUAL(atomic_load(&h), 5);
    mtamon__raise_high_water(&h, 7);
    CU_ASSERT_EQUAL(atomic_load(&h), 7);
    mtamon__raise_high_water(&h, UINT32_MAX);
    CU_ASSERT_EQUAL(atomic_load(&h), UINT32_MAX);
    mtamon__raise_high_water(&h, 0);
    CU_ASSERT_EQUAL(atomic_load(&h), UINT32_MAX);

    atomic_store(&hwm, 0);
    pthread_t th[RAISERS];
    int started = 0;
    for (uintptr_t k = 0; k < RAISERS; k++)
        if (pthread_create(&th[k], NULL, raiser, (void *)k) == 0)
            started++;
    CU_ASSERT_EQUAL_FATAL(started, RAISERS);
    for (int k = 0; k < RAISERS; k++)
        pthread_join(th[k], NULL);
    CU_ASSERT_EQUAL(atomic_load(&hwm), RAISES - 1);
}

UT_MAIN("writer",
        {"open flags", test_open_flags},
        {"bad names and foreign objects", test_open_bad},
        {"an uninitialised object replaced", test_uninitialised},
        {"cached pid", test_cached_pid},
        {"high-water mark", test_high_water})
