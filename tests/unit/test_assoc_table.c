/*
 * test_assoc_table.c - the segment's association table (assoc_table.c):
 * entries recorded and released, a full table, the entries of dead
 * writers reclaimed, remote texts.
 */
#include <stdlib.h>

#include "lib_internal.h"
#include "unit_util.h"

static const int64_t T0 = INT64_C(1700000000000);

/* The snapshot entry @p entry of @p name, copied into @p out; 0 if absent. */
static int entry_of(const char *name, uint32_t entry, struct mtamon_assoc_stats *out)
{
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    int found = 0;
    for (uint32_t i = 0; i < snap.n_assocs; i++)
        if (snap.assocs[i].entry == entry) {
            *out = snap.assocs[i];
            found = 1;
        }
    mtamon_snapshot_free(&snap);
    return found;
}

/* Active entries of @p map held by @p pid (0: by anyone), read directly:
 * snapshots leave out the entries of writers that are gone. */
static uint32_t raw_active(const struct segment_map *map, pid_t pid)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < map->assoc_capacity; i++)
        if (atomic_load(&map->assocs[i].state) == ASSOC_ACTIVE &&
            (pid == 0 || map->assocs[i].pid == (int32_t)pid))
            n++;
    return n;
}

static void test_record_forget(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 4, 4);
    mtamon_channel_t in = ut_channel(m, "in"), out = ut_channel(m, "out");
    struct segment_map *map = writer_map(m);

    uint32_t e1 = mtamon__assoc_record(m, map, in, MTAMON_INBOUND, "192.0.2.1", T0);
    uint32_t e2 = mtamon__assoc_record(m, map, out, MTAMON_OUTBOUND, "mx.example", T0 + 1);
    CU_ASSERT_EQUAL(e1, 1);
    CU_ASSERT_EQUAL(e2, 2);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 2);

    struct mtamon_assoc_stats a;
    CU_ASSERT_FATAL(entry_of(name, e1, &a));
    CU_ASSERT_EQUAL(a.channel, in);
    CU_ASSERT_EQUAL(a.direction, MTAMON_INBOUND);
    CU_ASSERT_EQUAL(a.pid, (int32_t)getpid());
    CU_ASSERT_EQUAL(a.start_ms, T0);
    CU_ASSERT_STRING_EQUAL(a.remote, "192.0.2.1");
    CU_ASSERT_FATAL(entry_of(name, e2, &a));
    CU_ASSERT_EQUAL(a.channel, out);
    CU_ASSERT_EQUAL(a.direction, MTAMON_OUTBOUND);
    CU_ASSERT_EQUAL(a.start_ms, T0 + 1);
    CU_ASSERT_STRING_EQUAL(a.remote, "mx.example");

    /* Released only with its own channel and direction. */
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, e1, out, MTAMON_INBOUND), 0);
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, e1, in, MTAMON_OUTBOUND), 0);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 2);
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, e1, in, MTAMON_INBOUND), 1);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 1);
    CU_ASSERT_FALSE(entry_of(name, e1, &a));
    /* Twice, entry 0, past the table, a free entry. */
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, e1, in, MTAMON_INBOUND), 0);
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, 0, in, MTAMON_INBOUND), 0);
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, 5, in, MTAMON_INBOUND), 0);
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, UINT32_MAX, in, MTAMON_INBOUND), 0);
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, 4, in, MTAMON_INBOUND), 0);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 1);

    /* An entry another process holds is not ours to release. */
    pid_t dead = ut_dead_pid();
    map->assocs[e2 - 1].pid = dead;
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, e2, out, MTAMON_OUTBOUND), 0);
    CU_ASSERT_EQUAL(raw_active(map, dead), 1);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 0); /* a gone writer's: not listed */
    map->assocs[e2 - 1].pid = getpid();
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, e2, out, MTAMON_OUTBOUND), 1);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 0);

    /* Recording counts nothing: that is the caller's part. */
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS], 0);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS_CLOSED], 0);
    mtamon_close(m);
}

static void test_full(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 3);
    mtamon_channel_t in = ut_channel(m, "in");
    struct segment_map *map = writer_map(m);

    uint32_t seen = 0;
    for (int i = 0; i < 3; i++) {
        uint32_t e = mtamon__assoc_record(m, map, in, MTAMON_INBOUND, NULL, T0);
        CU_ASSERT(e >= 1 && e <= 3);
        if (e >= 1 && e <= 3)
            seen |= 1u << e;
    }
    CU_ASSERT_EQUAL(seen, 0xeu); /* 1, 2 and 3, each once */
    /* Full: 0, the table unchanged. */
    CU_ASSERT_EQUAL(mtamon__assoc_record(m, map, in, MTAMON_INBOUND, "x", T0), 0);
    CU_ASSERT_EQUAL(mtamon__assoc_record(m, map, in, MTAMON_OUTBOUND, "y", T0), 0);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 3);
    /* A released entry is used again. */
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, 2, in, MTAMON_INBOUND), 1);
    CU_ASSERT_EQUAL(mtamon__assoc_record(m, map, in, MTAMON_OUTBOUND, "z", T0 + 9), 2);
    struct mtamon_assoc_stats a;
    CU_ASSERT_FATAL(entry_of(name, 2, &a));
    CU_ASSERT_EQUAL(a.direction, MTAMON_OUTBOUND);
    CU_ASSERT_STRING_EQUAL(a.remote, "z");
    CU_ASSERT_EQUAL(a.start_ms, T0 + 9);

    /* Through the public API a full table still counts the open. */
    mtamon_assoc tok;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, in, MTAMON_INBOUND, "w", &tok), MTAMON_OK);
    CU_ASSERT_EQUAL(tok.entry & 0xfffffu, 0);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS], 1);
    CU_ASSERT_EQUAL(c.in_assocs_current, 1);
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &tok), MTAMON_OK);
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.in_assocs_current, 0);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 3);
    mtamon_close(m);
}

static void test_remote_text(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 8);
    mtamon_channel_t in = ut_channel(m, "in");
    struct segment_map *map = writer_map(m);
    char longremote[MTAMON_REMOTE_MAX + 40];
    for (size_t i = 0; i < sizeof longremote - 1; i++)
        longremote[i] = (char)('a' + i % 26);
    longremote[sizeof longremote - 1] = '\0';
    char exact[MTAMON_REMOTE_MAX + 1];
    memset(exact, 'e', MTAMON_REMOTE_MAX);
    exact[MTAMON_REMOTE_MAX] = '\0';

    uint32_t e_null = mtamon__assoc_record(m, map, in, MTAMON_INBOUND, NULL, T0);
    uint32_t e_empty = mtamon__assoc_record(m, map, in, MTAMON_INBOUND, "", T0);
    uint32_t e_ctl = mtamon__assoc_record(m, map, in, MTAMON_INBOUND,
                                          "a\tb\x01\x7f\xc3\xa9 c\n", T0);
    uint32_t e_long = mtamon__assoc_record(m, map, in, MTAMON_INBOUND, longremote, T0);
    uint32_t e_exact = mtamon__assoc_record(m, map, in, MTAMON_INBOUND, exact, T0);
    uint32_t e_v6 = mtamon__assoc_record(m, map, in, MTAMON_INBOUND,
                                         "[2001:db8::1]:25", T0);

    struct mtamon_assoc_stats a;
    CU_ASSERT_FATAL(entry_of(name, e_null, &a));
    CU_ASSERT_STRING_EQUAL(a.remote, "");
    CU_ASSERT_FATAL(entry_of(name, e_empty, &a));
    CU_ASSERT_STRING_EQUAL(a.remote, "");
    CU_ASSERT_FATAL(entry_of(name, e_ctl, &a));
    CU_ASSERT_STRING_EQUAL(a.remote, "a?b???? c?");
    CU_ASSERT_FATAL(entry_of(name, e_long, &a));
    CU_ASSERT_EQUAL(strlen(a.remote), MTAMON_REMOTE_MAX);
    CU_ASSERT_EQUAL(strncmp(a.remote, longremote, MTAMON_REMOTE_MAX), 0);
    CU_ASSERT_FATAL(entry_of(name, e_exact, &a));
    CU_ASSERT_STRING_EQUAL(a.remote, exact);
    CU_ASSERT_FATAL(entry_of(name, e_v6, &a));
    CU_ASSERT_STRING_EQUAL(a.remote, "[2001:db8::1]:25");
    mtamon_close(m);
}

/* In a child: open @p name, register "in", open @p n associations and
 * exit without closing them.  Exit status 0 on success. */
static void child_opens(const char *name, int n)
{
    struct mtamon_error err = {0};
    mtamon_t *m = mtamon_open(name, 0, NULL, &err);
    if (!m)
        _exit(10);
    mtamon_channel_t ch = 0;
    if (mtamon_channel(m, "in", &ch, &err) != MTAMON_OK)
        _exit(11);
    for (int i = 0; i < n; i++) {
        mtamon_assoc a;
        if (mtamon_assoc_open(m, ch, i % 2 ? MTAMON_OUTBOUND : MTAMON_INBOUND,
                              "child", &a) != MTAMON_OK || a.entry == 0)
            _exit(12);
    }
    _exit(0);
}

static void test_reclaim_dead(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 8);
    mtamon_channel_t in = ut_channel(m, "in");
    struct segment_map *map = writer_map(m);
    /* One of ours, which must survive. */
    uint32_t mine = mtamon__assoc_record(m, map, in, MTAMON_INBOUND, "mine", T0);
    CU_ASSERT_EQUAL(mine, 1);

    pid_t pid = ut_fork();
    if (pid == 0)
        child_opens(name, 3);
    CU_ASSERT_EQUAL_FATAL(ut_wait(pid), 0);

    /* Left active, but no longer listed. */
    CU_ASSERT_EQUAL(raw_active(map, pid), 3);
    CU_ASSERT_EQUAL(raw_active(map, 0), 4);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 1);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.in_assocs_current, 2);
    CU_ASSERT_EQUAL(c.out_assocs_current, 1);

    /* A claim left by a dead process (an open that never published). */
    atomic_store(&map->assocs[6].state, claim_state(ut_dead_pid()));
    mtamon__raise_high_water(&map->header->assocs_used, 7);

    mtamon__assoc_reclaim_dead(map);
    CU_ASSERT_EQUAL(ut_n_assocs(name), 1);
    CU_ASSERT_EQUAL(raw_active(map, 0), 1);
    struct mtamon_assoc_stats a;
    CU_ASSERT(entry_of(name, mine, &a));
    CU_ASSERT_STRING_EQUAL(a.remote, "mine");
    CU_ASSERT_EQUAL(atomic_load(&map->assocs[6].state), ASSOC_FREE);
    ut_channel_stats(name, "in", 0, &c);
    ut_assert_assocs(&c, "in", (struct ut_assocs){.in = 2, .in_closed = 2,
                                                  .out = 1, .out_closed = 1});

    /* Again: nothing more to reclaim, nothing counted twice. */
    mtamon__assoc_reclaim_dead(map);
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS_CLOSED], 2);
    CU_ASSERT_EQUAL(c.c[MTAMON_OUT_ASSOCS_CLOSED], 1);
    CU_ASSERT_EQUAL(raw_active(map, 0), 1);
    CU_ASSERT_EQUAL(mtamon__assoc_forget(map, mine, in, MTAMON_INBOUND), 1);
    mtamon_close(m);
}

static void test_reclaim_on_open(void)
{
    /* The next mtamon_open() closes a dead writer's entries. */
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 4);
    (void)ut_channel(m, "in");
    pid_t pid = ut_fork();
    if (pid == 0)
        child_opens(name, 2);
    CU_ASSERT_EQUAL_FATAL(ut_wait(pid), 0);
    struct segment_map *map = writer_map(m);
    CU_ASSERT_EQUAL(raw_active(map, pid), 2);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.in_assocs_current, 1);
    CU_ASSERT_EQUAL(c.out_assocs_current, 1);

    struct mtamon_error err = {0};
    mtamon_t *m2 = mtamon_open(name, 0, NULL, &err);
    UT_REQUIRE(m2);
    CU_ASSERT_EQUAL(raw_active(map, 0), 0);
    ut_channel_stats(name, "in", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_IN_ASSOCS_CLOSED], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_OUT_ASSOCS_CLOSED], 1);
    CU_ASSERT_EQUAL(c.in_assocs_current, 0);
    CU_ASSERT_EQUAL(c.out_assocs_current, 0);
    mtamon_close(m2);
    mtamon_close(m);
}

UT_MAIN("assoc_table",
        {"record and forget", test_record_forget},
        {"full table", test_full},
        {"remote texts", test_remote_text},
        {"entries of dead writers reclaimed", test_reclaim_dead},
        {"reclaimed by the next open", test_reclaim_on_open})
