/*
 * test_snapshot.c - the reader path: snapshots, deleted and re-created
 * segments, dead writers' associations, corrupt slots.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "lib_internal.h"
#include "unit_util.h"

static void test_reader_missing(void)
{
    const char *name = ut_name();
    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    CU_ASSERT_PTR_NULL(r);
    mtamon_reader_close(r);
    UT_ASSERT_ERR(err, MTAMON_ERR_NOENT, name);
    CU_ASSERT(!ut_exists(name));
}

/* MTAMON_READER_NOWAIT: an object still being initialised (or left empty
 * by a creator that died) is BUSY at once, at open and when a snapshot
 * follows a re-created name; a daemon never stalls on it. */
static void test_reader_nowait(void)
{
    const char *name = ut_name();
    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, "", 0), 0);
    mtamon_reader *r = mtamon_reader_open_flags(name, MTAMON_READER_NOWAIT, &err);
    CU_ASSERT_PTR_NULL(r);
    UT_ASSERT_ERR(err, MTAMON_ERR_BUSY, "is being initialised");

    r = mtamon_reader_open_flags(name, 2u, &err);
    CU_ASSERT_PTR_NULL(r);
    UT_ASSERT_ERR(err, MTAMON_ERR_INVALID, "unknown reader flags");

    /* A writer allowed to create replaces the empty object. */
    mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(ut_channel(m, "one"), 1);
    mtamon_close(m);
    r = mtamon_reader_open_flags(name, MTAMON_READER_NOWAIT, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);

    /* Deleted and left empty under the same name: the snapshot says BUSY
     * instead of waiting, and follows once the segment is really there. */
    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, "", 0), 0);
    struct mtamon_snapshot snap = {0};
    int restarted = 0;
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err),
                    MTAMON_ERR_BUSY);
    CU_ASSERT_EQUAL(restarted, 0);
    m = mtamon_open(name, MTAMON_OPEN_CREATE, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(ut_channel(m, "two"), 1);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(restarted, 1);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 1);
    CU_ASSERT_STRING_EQUAL(snap.channels[0].name, "two");
    mtamon_snapshot_free(&snap);
    mtamon_close(m);
    mtamon_reader_close(r);
}

static void test_sorted_and_reused(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 16, 4);
    static const char *const names[] = {"zeta", "alpha", "mu", "beta", "omega"};
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(ut_channel(m, names[i]), i + 1);
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(mtamon_loop(m, (mtamon_channel_t)(i + 1)), MTAMON_OK);

    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    struct mtamon_snapshot snap = {0};
    int restarted = -1;
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(restarted, 0);
    CU_ASSERT_EQUAL(snap.channel_capacity, 16);
    CU_ASSERT_EQUAL(snap.assoc_capacity, 4);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 5);
    for (uint32_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(snap.channels[i].index, i + 1);
        CU_ASSERT_STRING_EQUAL(snap.channels[i].name, names[i]);
        CU_ASSERT_EQUAL(snap.channels[i].c[MTAMON_LOOPS], 1);
        CU_ASSERT_PTR_EQUAL(mtamon_snapshot_find(&snap, names[i]), &snap.channels[i]);
    }
    CU_ASSERT_PTR_NULL(mtamon_snapshot_find(&snap, "absent"));

    /* The same struct again, after more channels: buffers grow. */
    char chname[16];
    for (int i = 0; i < 11; i++) {
        snprintf(chname, sizeof chname, "more%d", i);
        CU_ASSERT_EQUAL(ut_channel(m, chname), (mtamon_channel_t)(6 + i));
    }
    mtamon_assoc a;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, 7, MTAMON_OUTBOUND, "peer", &a), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_OK);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 16);
    for (uint32_t i = 0; i < 16; i++)
        CU_ASSERT_EQUAL(snap.channels[i].index, i + 1);
    CU_ASSERT_STRING_EQUAL(snap.channels[15].name, "more10");
    CU_ASSERT_EQUAL_FATAL(snap.n_assocs, 1);
    CU_ASSERT_EQUAL(snap.assocs[0].channel, 7);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(snap.n_assocs, 0);
    mtamon_snapshot_free(&snap);
    CU_ASSERT_PTR_NULL(snap.channels);
    mtamon_reader_close(r);
    mtamon_close(m);
}

static void test_generation_and_times(void)
{
    const char *name = ut_name();
    int64_t t0 = ut_now_ms();
    mtamon_t *m = ut_create(name, 2, 2);
    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    struct mtamon_snapshot snap = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_NOT_EQUAL(snap.generation, 0);
    CU_ASSERT_EQUAL(snap.generation, mtamon_reader_generation(r));
    CU_ASSERT(snap.created_ms >= t0 - 1000 && snap.created_ms <= ut_now_ms() + 1000);
    CU_ASSERT(snap.taken_ms >= snap.created_ms);
    CU_ASSERT_EQUAL(snap.cleared_ms, 0);
    CU_ASSERT_EQUAL(snap.n_channels, 0);
    uint64_t g = snap.generation;
    /* Stable across snapshots and readers. */
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(snap.generation, g);
    mtamon_reader *r2 = mtamon_reader_open(name, &err);
    UT_REQUIRE(r2);
    CU_ASSERT_EQUAL(mtamon_reader_generation(r2), g);
    mtamon_reader_close(r2);
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
    mtamon_close(m);
}

static void test_deleted_stale(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    CU_ASSERT_EQUAL(mtamon_loop(m, ch), MTAMON_OK);
    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    uint64_t g = mtamon_reader_generation(r);
    CU_ASSERT_EQUAL(mtamon_unlink(name, &err), MTAMON_OK);

    struct mtamon_snapshot snap = {0};
    int restarted = -1;
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_ERR_STALE);
    UT_ASSERT_ERR(err, MTAMON_ERR_STALE, "deleted");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, name));
    CU_ASSERT_EQUAL(restarted, 0);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_ERR_STALE);
    /* Still attached to the old object. */
    CU_ASSERT_EQUAL(mtamon_reader_generation(r), g);
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
    mtamon_close(m);
}

/* Owner and mode of the attached object, as of the last attach. */
static void test_reader_owner(void)
{
    const char *name = ut_name();
    char path[300];
    ut_shm_path(name, path, sizeof path);
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_close(m);
    CU_ASSERT_EQUAL(chmod(path, 0640), 0);

    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    struct mtamon_owner o;
    memset(&o, 0xff, sizeof o);
    mtamon_reader_owner(r, &o);
    CU_ASSERT_EQUAL(o.uid, geteuid());
    CU_ASSERT_EQUAL(o.gid, getegid());
    CU_ASSERT_EQUAL(o.mode, 0640);

    /* A change of mode is seen at the next attach, not before. */
    CU_ASSERT_EQUAL(chmod(path, 0666), 0);
    struct mtamon_snapshot snap = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    mtamon_reader_owner(r, &o);
    CU_ASSERT_EQUAL(o.mode, 0640);

    /* Re-created (by another user, when we can say so): the re-attach of
     * mtamon_snapshot_take() updates both. */
    CU_ASSERT_EQUAL(mtamon_unlink(name, &err), MTAMON_OK);
    m = ut_create(name, 2, 2);
    mtamon_close(m);
    CU_ASSERT_EQUAL(chmod(path, 0666), 0);
    uid_t other = geteuid() == 0 ? 65534 : geteuid();
    if (geteuid() == 0)
        CU_ASSERT_EQUAL(chown(path, other, (gid_t)-1), 0);
    int restarted = 0;
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(restarted, 1);
    mtamon_reader_owner(r, &o);
    CU_ASSERT_EQUAL(o.uid, other);
    CU_ASSERT_EQUAL(o.mode, 0666);
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
}

static void test_recreated_restarted(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(mtamon_loop(m, ch), MTAMON_OK);
    mtamon_close(m);

    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    uint64_t g1 = mtamon_reader_generation(r);
    struct mtamon_snapshot snap = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(snap.generation, g1);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 1);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_LOOPS], 5);

    /* Deleted, seen stale, then re-created with other geometry/values. */
    CU_ASSERT_EQUAL(mtamon_unlink(name, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_ERR_STALE);
    m = ut_create(name, 3, 3);
    CU_ASSERT_EQUAL(ut_channel(m, "new"), 1);
    CU_ASSERT_EQUAL(ut_channel(m, "c"), 2);
    CU_ASSERT_EQUAL(mtamon_loop(m, 2), MTAMON_OK);
    mtamon_close(m);

    int restarted = 0;
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(restarted, 1);
    CU_ASSERT_NOT_EQUAL(snap.generation, g1);
    CU_ASSERT_NOT_EQUAL(snap.generation, 0);
    CU_ASSERT_EQUAL(snap.generation, mtamon_reader_generation(r));
    CU_ASSERT_EQUAL(snap.channel_capacity, 3);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 2);
    const struct mtamon_channel_stats *c = mtamon_snapshot_find(&snap, "c");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->index, 2);
    CU_ASSERT_EQUAL(c->c[MTAMON_LOOPS], 1);
    uint64_t g2 = snap.generation;

    /* The next one is not a restart. */
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(restarted, 0);
    CU_ASSERT_EQUAL(snap.generation, g2);

    /* Replaced without the reader ever seeing it missing. */
    CU_ASSERT_EQUAL(mtamon_unlink(name, &err), MTAMON_OK);
    m = ut_create(name, 2, 2);
    mtamon_close(m);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(restarted, 1);
    CU_ASSERT_NOT_EQUAL(snap.generation, g2);
    CU_ASSERT_EQUAL(snap.n_channels, 0);

    /* Replaced by something foreign: an error, the reader keeps its map. */
    uint64_t g3 = snap.generation;
    CU_ASSERT_EQUAL(mtamon_unlink(name, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(ut_write_bytes(name, "0123456789", 10), 0);
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, &restarted, &err),
                    MTAMON_ERR_FOREIGN);
    UT_ASSERT_ERR(err, MTAMON_ERR_FOREIGN, "not an mtamon segment");
    CU_ASSERT_EQUAL(mtamon_reader_generation(r), g3);
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
}

static void test_lifetime_vs_clear(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ch, 2, 10), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_clear(m, NULL), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ch, 2, 10), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_dequeue(m, ch, 2, 10, 1, 7), MTAMON_OK);

    struct mtamon_channel_stats since, life;
    ut_channel_stats(name, "c", 0, &since);
    ut_channel_stats(name, "c", MTAMON_SNAP_LIFETIME, &life);
    CU_ASSERT_EQUAL(since.c[MTAMON_RECEIVED_MSGS], 1);
    CU_ASSERT_EQUAL(since.c[MTAMON_RECEIVED_RCPTS], 2);
    CU_ASSERT_EQUAL(life.c[MTAMON_RECEIVED_MSGS], 4);
    CU_ASSERT_EQUAL(life.c[MTAMON_RECEIVED_RCPTS], 8);
    CU_ASSERT_EQUAL(life.c[MTAMON_RECEIVED_VOLUME], 40);
    CU_ASSERT_EQUAL(since.c[MTAMON_DELIVERED_MSGS], 1);
    CU_ASSERT_EQUAL(life.c[MTAMON_DELIVERED_MSGS], 1);
    CU_ASSERT_EQUAL(since.c[MTAMON_QUEUE_TIME_MS], 7);
    /* Gauges are the same either way. */
    CU_ASSERT_EQUAL(since.stored_msgs, 3);
    CU_ASSERT_EQUAL(life.stored_msgs, 3);
    CU_ASSERT_EQUAL(since.stored_rcpts, 6);
    CU_ASSERT_EQUAL(life.stored_volume, 30);
    mtamon_close(m);
}

/* A writer process that dies with an association open. */
static void test_dead_writer_assoc(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 8);
    mtamon_channel_t ch = ut_channel(m, "smtp");
    mtamon_assoc mine;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, ch, MTAMON_INBOUND, "parent", &mine), MTAMON_OK);

    /* A live child with one open association, and a child that dies with
     * one inbound and one outbound association open. */
    int to_child[2], from_child[2];
    CU_ASSERT_EQUAL_FATAL(pipe(to_child), 0);
    CU_ASSERT_EQUAL_FATAL(pipe(from_child), 0);
    pid_t live = ut_fork();
    if (live == 0) {
        close(to_child[1]);
        close(from_child[0]);
        mtamon_assoc a;
        int rc = mtamon_assoc_open(m, ch, MTAMON_INBOUND, "live", &a) == MTAMON_OK ? 0 : 1;
        char c = 'r';
        if (write(from_child[1], &c, 1) != 1)
            rc = 2;
        if (read(to_child[0], &c, 1) < 0) /* until the parent says so */
            rc = 3;
        if (mtamon_assoc_close(m, &a) != MTAMON_OK)
            rc = 4;
        _exit(rc);
    }
    close(to_child[0]);
    close(from_child[1]);
    char c;
    CU_ASSERT_EQUAL(read(from_child[0], &c, 1), 1);

    pid_t dead = ut_fork();
    if (dead == 0) {
        mtamon_assoc a, b;
        int rc = mtamon_assoc_open(m, ch, MTAMON_INBOUND, "dies", &a) == MTAMON_OK &&
                         mtamon_assoc_open(m, ch, MTAMON_OUTBOUND, "dies-out", &b) ==
                             MTAMON_OK && a.entry != 0 && b.entry != 0
                     ? 0 : 1;
        _exit(rc); /* without closing */
    }
    CU_ASSERT_EQUAL(ut_wait(dead), 0);

    /* The reader does not list the dead one's entries; the gauges still
     * count them until a writer reclaims them. */
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.n_assocs, 2);
    for (uint32_t i = 0; i < snap.n_assocs; i++) {
        CU_ASSERT_NOT_EQUAL(snap.assocs[i].pid, dead);
        CU_ASSERT(snap.assocs[i].pid == getpid() || snap.assocs[i].pid == live);
        CU_ASSERT(strcmp(snap.assocs[i].remote, "dies") != 0);
    }
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 1);
    CU_ASSERT_EQUAL(snap.channels[0].in_assocs_current, 3);
    CU_ASSERT_EQUAL(snap.channels[0].out_assocs_current, 1);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_IN_ASSOCS_CLOSED], 0);
    mtamon_snapshot_free(&snap);

    /* The next mtamon_open() reclaims the dead writer's entries only. */
    struct mtamon_error err = {0};
    mtamon_t *m2 = mtamon_open(name, 0, NULL, &err);
    UT_REQUIRE(m2);
    mtamon_close(m2);
    struct mtamon_channel_stats s;
    ut_channel_stats(name, "smtp", 0, &s);
    CU_ASSERT_EQUAL(s.in_assocs_current, 2);
    CU_ASSERT_EQUAL(s.out_assocs_current, 0);
    CU_ASSERT_EQUAL(s.c[MTAMON_IN_ASSOCS], 3);
    CU_ASSERT_EQUAL(s.c[MTAMON_IN_ASSOCS_CLOSED], 1);
    CU_ASSERT_EQUAL(s.c[MTAMON_OUT_ASSOCS], 1);
    CU_ASSERT_EQUAL(s.c[MTAMON_OUT_ASSOCS_CLOSED], 1);
    /* Reclaiming is done once. */
    m2 = mtamon_open(name, 0, NULL, &err);
    UT_REQUIRE(m2);
    mtamon_close(m2);
    ut_channel_stats(name, "smtp", 0, &s);
    CU_ASSERT_EQUAL(s.c[MTAMON_IN_ASSOCS_CLOSED], 1);
    CU_ASSERT_EQUAL(s.in_assocs_current, 2);

    /* The live child closes its own; the parent too. */
    close(to_child[1]);
    CU_ASSERT_EQUAL(ut_wait(live), 0);
    close(from_child[0]);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &mine), MTAMON_OK);
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.n_assocs, 0);
    CU_ASSERT_EQUAL_FATAL(snap.n_channels, 1);
    CU_ASSERT_EQUAL(snap.channels[0].in_assocs_current, 0);
    CU_ASSERT_EQUAL(snap.channels[0].out_assocs_current, 0);
    CU_ASSERT_EQUAL(snap.channels[0].c[MTAMON_IN_ASSOCS_CLOSED], 3);
    mtamon_snapshot_free(&snap);
    mtamon_close(m);
}

/* Take a snapshot expecting CORRUPT with @p word in the message. */
static void expect_corrupt(mtamon_reader *r, const char *word)
{
    struct mtamon_snapshot snap = {0};
    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_ERR_CORRUPT);
    UT_ASSERT_ERR(err, MTAMON_ERR_CORRUPT, word);
    mtamon_snapshot_free(&snap);
}

static void expect_ok(mtamon_reader *r, uint32_t channels)
{
    struct mtamon_snapshot snap = {0};
    struct mtamon_error err = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(snap.n_channels, channels);
    mtamon_snapshot_free(&snap);
}

static void test_corrupt_slots(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    CU_ASSERT_EQUAL(ut_channel(m, "first"), 1);
    CU_ASSERT_EQUAL(ut_channel(m, "second"), 2);
    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    expect_ok(r, 2);

    /* Written through the writer's mapping. */
    struct channel_slot *s = &writer_map(m)->channels[1];
    s->index = 7;
    expect_corrupt(r, "claims index 7");
    s->index = 0;
    expect_corrupt(r, "slot 2");
    s->index = 2;
    expect_ok(r, 2);

    char saved[sizeof s->name];
    memcpy(saved, s->name, sizeof saved);
    memset(s->name, 'x', sizeof s->name); /* unterminated */
    expect_corrupt(r, "invalid name");
    memset(s->name, 0, sizeof s->name); /* empty */
    expect_corrupt(r, "invalid name");
    memcpy(s->name, "with space", 11);
    expect_corrupt(r, "invalid name");
    memcpy(s->name, "ctl\x01", 5);
    expect_corrupt(r, "invalid name");
    memcpy(s->name, saved, sizeof saved);
    expect_ok(r, 2);

    /* High-water marks beyond the capacity. */
    atomic_store(&writer_map(m)->header->channels_used, 5);
    expect_corrupt(r, "channels in use");
    atomic_store(&writer_map(m)->header->channels_used, UINT32_MAX);
    expect_corrupt(r, "channels in use");
    atomic_store(&writer_map(m)->header->channels_used, 2);
    atomic_store(&writer_map(m)->header->assocs_used, 5);
    expect_corrupt(r, "association entries");
    atomic_store(&writer_map(m)->header->assocs_used, 0);
    expect_ok(r, 2);

    /* Garbage that is ignored, not reported: a slot in a bad state, an
     * association entry with a bad channel or direction, a status row with
     * a code that is not one, a reason ring in a strange state. */
    atomic_store(&writer_map(m)->channels[2].state, 77);
    atomic_store(&writer_map(m)->header->channels_used, 3);
    expect_ok(r, 2);
    struct assoc_entry *e = &writer_map(m)->assocs[0];
    e->channel = 999;
    e->direction = MTAMON_INBOUND;
    e->pid = getpid();
    atomic_store(&e->state, ASSOC_ACTIVE);
    e = &writer_map(m)->assocs[1];
    e->channel = 1;
    e->direction = 9;
    e->pid = getpid();
    memset(e->remote, 'R', sizeof e->remote); /* unterminated */
    atomic_store(&e->state, ASSOC_ACTIVE);
    e = &writer_map(m)->assocs[2];
    e->channel = 1;
    e->direction = MTAMON_OUTBOUND;
    e->pid = getpid();
    memset(e->remote, '\x01', sizeof e->remote); /* unterminated, control */
    atomic_store(&e->state, ASSOC_ACTIVE);
    atomic_store(&writer_map(m)->header->assocs_used, 4);
    atomic_store(&writer_map(m)->channels[0].status[5].code, 0xffffffffu);
    atomic_store(&writer_map(m)->channels[0].status[6].code, 123u);
    atomic_store(&writer_map(m)->channels[0].rejection_reason.latest, UINT64_MAX);
    memset(writer_map(m)->channels[0].connect_failure.entry[1].text, 'T',
           sizeof writer_map(m)->channels[0].connect_failure.entry[1].text);
    atomic_store(&writer_map(m)->channels[0].connect_failure.entry[1].seq, 4);
    atomic_store(&writer_map(m)->channels[0].connect_failure.latest, 1);

    struct mtamon_snapshot snap = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(snap.n_channels, 2);
    CU_ASSERT_EQUAL_FATAL(snap.n_assocs, 1);
    CU_ASSERT_EQUAL(snap.assocs[0].entry, 3);
    CU_ASSERT_EQUAL(strlen(snap.assocs[0].remote), MTAMON_REMOTE_MAX);
    CU_ASSERT_EQUAL(strspn(snap.assocs[0].remote, "?"), MTAMON_REMOTE_MAX);
    const struct mtamon_channel_stats *c = mtamon_snapshot_find(&snap, "first");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->n_status, 0);
    CU_ASSERT_STRING_EQUAL(c->last_rejection_reason, "");
    CU_ASSERT_EQUAL(strlen(c->last_connect_failure), MTAMON_REASON_MAX);
    mtamon_snapshot_free(&snap);

    mtamon_reader_close(r);
    mtamon_close(m);
}

/* The object truncated below a reader's mapping: a clear error, not a
 * SIGBUS on the lost pages. */
static void test_truncated_while_mapped(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    mtamon_channel_t ch = ut_channel(m, "c");
    CU_ASSERT_EQUAL(mtamon_loop(m, ch), MTAMON_OK);
    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    UT_REQUIRE(r);
    struct mtamon_snapshot snap = {0};
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_OK);
    mtamon_close(m);
    CU_ASSERT_EQUAL_FATAL(ut_truncate(name, 4096), 0);
    CU_ASSERT_EQUAL(mtamon_snapshot_take(r, 0, &snap, NULL, &err), MTAMON_ERR_CORRUPT);
    UT_ASSERT_ERR(err, MTAMON_ERR_CORRUPT, "truncated");
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
}

/* Association entries left claimed by processes that died before they
 * published them were never counted: the next open frees them and leaves
 * the counters alone. */
static void test_dead_claim_of_assoc(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 4);
    mtamon_channel_t ch = ut_channel(m, "c");
    pid_t dead = ut_dead_pid();
    atomic_store(&writer_map(m)->assocs[0].state, claim_state(dead));
    atomic_store(&writer_map(m)->assocs[1].state, claim_state(getpid()));
    atomic_store(&writer_map(m)->header->assocs_used, 2);
    mtamon_t *again = mtamon_open(name, 0, NULL, NULL);
    UT_REQUIRE(again);
    CU_ASSERT_EQUAL(atomic_load(&writer_map(m)->assocs[0].state), ASSOC_FREE);
    CU_ASSERT_EQUAL(atomic_load(&writer_map(m)->assocs[1].state), claim_state(getpid()));
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "c", MTAMON_SNAP_LIFETIME, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS_CLOSED] + c.c[MTAMON_OUT_ASSOCS_CLOSED], 0);
    CU_ASSERT_EQUAL(c.in_assocs_current, 0);
    (void)ch;
    mtamon_close(again);
    mtamon_close(m);
}

/* Publish "later 0", "later 1", ... on @p ch and check what readers see
 * after each: the text itself, or (when it lands on @p blocked, an entry a
 * live writer holds) the one before it. */
static void publish_and_check(const char *name, mtamon_t *m, mtamon_channel_t ch,
                              const struct reason_entry *blocked, int count)
{
    struct reason_ring *ring = &writer_map(m)->channels[ch - 1].rejection_reason;
    for (int i = 0; i < count; i++) {
        char text[32], prev[32];
        snprintf(text, sizeof text, "later %d", i);
        snprintf(prev, sizeof prev, "later %d", i - 1);
        uint64_t n = atomic_load(&ring->latest) + 1;
        CU_ASSERT_EQUAL(mtamon_reject(m, ch, 1, 1, 0, text), MTAMON_OK);
        struct mtamon_channel_stats c;
        ut_channel_stats(name, "c", 0, &c);
        if (&ring->entry[n % REASON_RING] == blocked) {
            CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, prev);
        } else {
            CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, text);
        }
    }
}

/* A writer that died while copying a reason spoils that ring entry until
 * the next writer to land on it takes it over: readers fall back to the
 * newest complete text meanwhile, and every later text shows. */
static void test_reason_writer_died(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    CU_ASSERT_EQUAL(mtamon_reject(m, ch, 1, 1, 0, "one"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_reject(m, ch, 1, 1, 0, "two"), MTAMON_OK);
    struct reason_ring *ring = &writer_map(m)->channels[0].rejection_reason;
    uint64_t n = atomic_load(&ring->latest);
    CU_ASSERT_EQUAL(n, 2);
    /* "two" was being written when its writer died. */
    struct reason_entry *spoilt = &ring->entry[n % REASON_RING];
    atomic_store(&spoilt->seq, reason_seq_writing(n, ut_dead_pid()));
    memcpy(spoilt->text, "tw\001garbage", 11);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "c", 0, &c);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "one");
    publish_and_check(name, m, ch, NULL, 2 * REASON_RING + 1);
    CU_ASSERT_EQUAL(atomic_load(&spoilt->seq) & 1, 0); /* taken over */
    mtamon_close(m);
}

/* A live writer still copying (stalled) is never taken over, so no reader
 * can see its bytes mixed with another text: texts that land on its entry
 * are dropped and readers show the one before. */
static void test_reason_stalled_writer(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "c");
    CU_ASSERT_EQUAL(mtamon_reject(m, ch, 1, 1, 0, "one"), MTAMON_OK);
    struct reason_ring *ring = &writer_map(m)->channels[0].rejection_reason;
    uint64_t n = atomic_load(&ring->latest) + 1;
    CU_ASSERT_EQUAL(atomic_fetch_add(&ring->latest, 1) + 1, n);
    struct reason_entry *held = &ring->entry[n % REASON_RING];
    uint64_t writing = reason_seq_writing(n, getpid());
    atomic_store(&held->seq, writing);
    publish_and_check(name, m, ch, held, 2 * REASON_RING + 1);
    CU_ASSERT_EQUAL(atomic_load(&held->seq), writing);
    mtamon_close(m);
}

UT_MAIN("snapshot",
        {"reader on a missing segment", test_reader_missing},
        {"reader that never waits", test_reader_nowait},
        {"channels sorted by index, buffers reused", test_sorted_and_reused},
        {"generation and times", test_generation_and_times},
        {"deleted segment is stale", test_deleted_stale},
        {"re-created segment restarts", test_recreated_restarted},
        {"owner and mode of the attached object", test_reader_owner},
        {"lifetime and since-clear", test_lifetime_vs_clear},
        {"dead writer's associations", test_dead_writer_assoc},
        {"corrupt slots", test_corrupt_slots},
        {"truncated while mapped", test_truncated_while_mapped},
        {"dead claims of association entries", test_dead_claim_of_assoc},
        {"reason writer died mid-copy", test_reason_writer_died},
        {"reason writer stalled mid-copy", test_reason_stalled_writer})
