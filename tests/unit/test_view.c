/*
 * test_view.c - the view mtamond serves (view.c): every row built from a
 * segment with known events, the refresh cache, the segment's life cycle
 * (missing, up, deleted, re-created, unreadable) with its log lines, a
 * clear that must not lower the served counters, the time conversions.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit_util.h"

#include "lib_internal.h"
#include "log.h"
#include "view.h"
#include "view_fixture.h"

/* ------------------------------------------------------------------------ */

/* How often @p needle occurs in @p hay (a captured log). */
static unsigned count_of(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* ------------------------------------------------------------------------ */

static uint64_t generation_of(const char *segment)
{
    struct mtamon_snapshot snap = {0};
    ut_snapshot(segment, 0, &snap);
    uint64_t g = snap.generation;
    mtamon_snapshot_free(&snap);
    return g;
}

/* Open @p f's view cache over segment @p seg (the fixture's two
 * applications and channels, refresh @p refresh_ms, no pins, no
 * group-index file). */
static void open_view(struct view_fixture *f, const char *seg, unsigned refresh_ms)
{
    conf_init(&f->tc, seg, refresh_ms);
    fixture_open(f, NULL, NULL);
}

/* The view built (forced) at master tick @p ticks of @p now's wall time. */
static const struct view *view_at(struct view_fixture *f, struct view_clock *now,
                                  uint32_t ticks)
{
    now->uptime_ticks = ticks;
    return view_cache_get(f->vc, now, 1);
}

static void assert_error_row(const struct view_error *e, uint32_t group,
                             uint32_t code, uint64_t in, uint64_t internal,
                             uint64_t out)
{
    CU_ASSERT_EQUAL(e->group_index, group);
    CU_ASSERT_EQUAL(e->status_code, code);
    CU_ASSERT_EQUAL(e->inbound, in);
    CU_ASSERT_EQUAL(e->internal, internal);
    CU_ASSERT_EQUAL(e->outbound, out);
}

static void test_rows(void)
{
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 16, 16);
    mtamon_channel_t tl = ut_channel(m, "tcp_local");    /* slot 1 */
    mtamon_channel_t ims = ut_channel(m, "ims-ms");      /* slot 2 */
    mtamon_channel_t ti = ut_channel(m, "tcp_intranet"); /* slot 3 */

    fixture_traffic(m, tl, ims, ti);
    CU_ASSERT_EQUAL(mtamon_reject(m, tl, 1, 100, 5007001, "relaying denied"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_reject(m, tl, 3, 200, 5007001, "relaying denied"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_reject(m, tl, 1, 50, 5001001, "no such user"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_reject(m, tl, 5007001, "blocked"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_loop(m, ims), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_convert(m, ims, 0), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_convert(m, ims, 1), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, ti, 4004001, "timeout"), MTAMON_OK);
    mtamon_assoc a[4];
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, ti, MTAMON_OUTBOUND, "198.51.100.7", &a[0]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, tl, MTAMON_INBOUND, "192.0.2.1", &a[1]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, ims, MTAMON_INBOUND, "192.0.2.2", &a[2]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, tl, MTAMON_INBOUND, "192.0.2.3", &a[3]), MTAMON_OK);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(a[i].entry, (uint32_t)i + 1);

    /* A status row claimed but not yet counted (a writer between its
     * claim and its add): no mtaGroupErrorTable row. */
    struct channel_slot *slot = &writer_map(m)->channels[ims - 1];
    for (int j = 0; j < MTAMON_STATUS_SLOTS; j++)
        if (atomic_load(&slot->status[j].code) == 0) {
            atomic_store(&slot->status[j].code, 4002002u);
            break;
        }

    struct mtamon_snapshot ref = {0};
    ut_snapshot(seg, MTAMON_SNAP_LIFETIME, &ref);
    CU_ASSERT_EQUAL_FATAL(ref.n_channels, 3);
    CU_ASSERT_EQUAL(ref.channels[1].n_status, 3);

    struct view_fixture f;
    conf_init(&f.tc, seg, 1000);
    fixture_open(&f, NULL, &f.tc.conf);
    struct view_clock now = {ref.created_ms + 12345, 100000};
    const struct view *v = view_cache_get(f.vc, &now, 0);
    UT_REQUIRE(v);

    CU_ASSERT_PTR_EQUAL(v->conf, &f.tc.conf);
    CU_ASSERT_EQUAL(v->clock.wall_ms, now.wall_ms);
    CU_ASSERT_EQUAL(v->clock.uptime_ticks, 100000u);
    CU_ASSERT_EQUAL(v->segment_up, 1);
    CU_ASSERT_EQUAL(v->generation, ref.generation);
    CU_ASSERT_NOT_EQUAL(v->generation, 0);
    CU_ASSERT_EQUAL(v->counters_since_ms, ref.created_ms);

    /* Groups: ims-ms pinned to 7, the others in order of first sight
     * (slot order) after the highest pin. */
    CU_ASSERT_EQUAL_FATAL(v->n_groups, 3);
    CU_ASSERT_EQUAL(v->groups[0].index, 7u);
    CU_ASSERT_STRING_EQUAL(v->groups[0].ch->name, "ims-ms");
    CU_ASSERT_PTR_EQUAL(v->groups[0].conf, &f.tc.ch[0]);
    CU_ASSERT_EQUAL(v->groups[1].index, 8u);
    CU_ASSERT_STRING_EQUAL(v->groups[1].ch->name, "tcp_local");
    CU_ASSERT_PTR_EQUAL(v->groups[1].conf, &f.tc.ch[1]);
    CU_ASSERT_EQUAL(v->groups[2].index, 9u);
    CU_ASSERT_STRING_EQUAL(v->groups[2].ch->name, "tcp_intranet");
    CU_ASSERT_PTR_NULL(v->groups[2].conf);
    /* Rows point into the view's own snapshot. */
    CU_ASSERT_PTR_EQUAL(v->groups[0].ch, &v->snap.channels[1]);
    CU_ASSERT_EQUAL(v->snap.n_channels, 3);

    const struct mtamon_channel_stats *c_ims = v->groups[0].ch;
    const struct mtamon_channel_stats *c_tl = v->groups[1].ch;
    const struct mtamon_channel_stats *c_ti = v->groups[2].ch;
    CU_ASSERT_EQUAL(c_ims->c[MTAMON_RECEIVED_MSGS], 1);
    CU_ASSERT_EQUAL(c_ims->c[MTAMON_DELIVERED_VOLUME], 3000);
    CU_ASSERT_EQUAL(c_tl->c[MTAMON_SUBMITTED_RCPTS], 3);
    CU_ASSERT_EQUAL(c_tl->c[MTAMON_REJECTED_VOLUME], 350);
    CU_ASSERT_EQUAL(c_ti->c[MTAMON_FAILED_MSGS], 1);

    /* Totals: exact sums, and every counter is the sum of the channels. */
    const struct view_totals *t = &v->totals;
    CU_ASSERT_EQUAL(t->c[MTAMON_RECEIVED_MSGS], 3);
    CU_ASSERT_EQUAL(t->c[MTAMON_RECEIVED_RCPTS], 4);
    CU_ASSERT_EQUAL(t->c[MTAMON_RECEIVED_VOLUME], 4525);
    CU_ASSERT_EQUAL(t->c[MTAMON_DELIVERED_MSGS], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_DELIVERED_RCPTS], 2);
    CU_ASSERT_EQUAL(t->c[MTAMON_DELIVERED_VOLUME], 3000);
    CU_ASSERT_EQUAL(t->c[MTAMON_DELIVERED_FIRST_MSGS], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_SUBMITTED_MSGS], 2);
    CU_ASSERT_EQUAL(t->c[MTAMON_SUBMITTED_RCPTS], 3);
    CU_ASSERT_EQUAL(t->c[MTAMON_SUBMITTED_VOLUME], 3500);
    CU_ASSERT_EQUAL(t->c[MTAMON_ATTEMPTED_MSGS], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_REJECTED_MSGS], 3);
    CU_ASSERT_EQUAL(t->c[MTAMON_REJECTED_RCPTS], 5);
    CU_ASSERT_EQUAL(t->c[MTAMON_REJECTED_VOLUME], 350);
    CU_ASSERT_EQUAL(t->c[MTAMON_FAILED_MSGS], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_FAILED_VOLUME], 500);
    CU_ASSERT_EQUAL(t->c[MTAMON_QUEUE_TIME_MS], 1500);
    CU_ASSERT_EQUAL(t->c[MTAMON_QUEUE_COUNT], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_IN_ASSOCS], 3);
    CU_ASSERT_EQUAL(t->c[MTAMON_OUT_ASSOCS], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_IN_ASSOCS_REJECTED], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_OUT_ASSOCS_FAILED], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_CONVERTED_OK], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_CONVERTED_FAILED], 1);
    CU_ASSERT_EQUAL(t->c[MTAMON_LOOPS], 1);
    int wrong = 0;
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++)
        wrong += t->c[k] != ref.channels[0].c[k] + ref.channels[1].c[k] +
                                ref.channels[2].c[k];
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(t->stored_msgs, 1);
    CU_ASSERT_EQUAL(t->stored_rcpts, 1);
    CU_ASSERT_EQUAL(t->stored_volume, 1025);
    CU_ASSERT_EQUAL(t->in_assocs_current, 3);
    CU_ASSERT_EQUAL(t->out_assocs_current, 1);
    int64_t max_in = 0, max_out = 0;
    for (int i = 0; i < 3; i++) {
        if (ref.channels[i].last_inbound_ms > max_in)
            max_in = ref.channels[i].last_inbound_ms;
        if (ref.channels[i].last_outbound_ms > max_out)
            max_out = ref.channels[i].last_outbound_ms;
    }
    CU_ASSERT_NOT_EQUAL(max_in, 0);
    CU_ASSERT_EQUAL(t->last_inbound_ms, max_in);
    CU_ASSERT_EQUAL(t->last_outbound_ms, max_out);

    /* mtaGroupErrorTable: by group, then by code. */
    CU_ASSERT_EQUAL_FATAL(v->n_errors, 6);
    assert_error_row(&v->errors[0], 7, MTAMON_STATUS_ROUTING_LOOP, 0, 1, 0);
    assert_error_row(&v->errors[1], 7, MTAMON_STATUS_CONVERSION_FAILED, 0, 1, 0);
    assert_error_row(&v->errors[2], 8, 5001001, 1, 0, 0);
    assert_error_row(&v->errors[3], 8, 5007001, 3, 0, 0);
    assert_error_row(&v->errors[4], 9, 4004001, 0, 0, 2);
    assert_error_row(&v->errors[5], 9, 5001001, 0, 0, 1);

    /* Associations: by entry, and by (group, entry). */
    static const uint32_t by_entry_group[4] = {9, 8, 7, 8};
    static const char *const remote[4] = {"198.51.100.7", "192.0.2.1",
                                          "192.0.2.2", "192.0.2.3"};
    CU_ASSERT_EQUAL_FATAL(v->n_assocs, 4);
    for (uint32_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(v->assocs[i].entry, i + 1);
        CU_ASSERT_EQUAL(v->assocs[i].group_index, by_entry_group[i]);
        CU_ASSERT_EQUAL(v->assocs[i].group->index, by_entry_group[i]);
        CU_ASSERT_EQUAL(v->assocs[i].a->entry, i + 1);
        CU_ASSERT_STRING_EQUAL(v->assocs[i].a->remote, remote[i]);
    }
    CU_ASSERT_EQUAL(v->assocs[0].a->direction, MTAMON_OUTBOUND);
    CU_ASSERT_EQUAL(v->assocs[1].a->direction, MTAMON_INBOUND);
    static const uint32_t ga_group[4] = {7, 8, 8, 9}, ga_entry[4] = {3, 2, 4, 1};
    CU_ASSERT_EQUAL_FATAL(v->n_group_assocs, 4);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(v->group_assocs[i].group_index, ga_group[i]);
        CU_ASSERT_EQUAL(v->group_assocs[i].entry, ga_entry[i]);
        CU_ASSERT_EQUAL(v->group_assocs[i].a->entry, ga_entry[i]);
        CU_ASSERT_PTR_EQUAL(v->group_assocs[i].group->ch,
                            v->group_assocs[i].group_index == 7   ? c_ims
                            : v->group_assocs[i].group_index == 8 ? c_tl
                                                                   : c_ti);
    }

    /* applTable: the MTA row is up since the segment was created (12.345 s
     * before "now", the master 1000 s up); the IMAP row has no status. */
    CU_ASSERT_EQUAL_FATAL(v->n_apps, 2);
    CU_ASSERT_PTR_EQUAL(v->mta, &v->apps[0]);
    CU_ASSERT_PTR_EQUAL(v->apps[0].conf, &f.tc.apps[0]);
    CU_ASSERT_EQUAL(v->apps[0].has_status, 1);
    CU_ASSERT_EQUAL(v->apps[0].oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->apps[0].uptime_ticks, 100000u - 1234u);
    CU_ASSERT_EQUAL(v->apps[0].last_change_ticks, 100000u - 1234u);
    CU_ASSERT_PTR_EQUAL(v->apps[1].conf, &f.tc.apps[1]);
    CU_ASSERT_EQUAL(v->apps[1].has_status, 0);

    /* Closing an association removes its rows at the next build. */
    CU_ASSERT_EQUAL(mtamon_assoc_close(m, &a[1]), MTAMON_OK);
    now.wall_ms += 1000;
    now.uptime_ticks += 100;
    v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL_FATAL(v->n_assocs, 3);
    CU_ASSERT_EQUAL(v->assocs[0].entry, 1);
    CU_ASSERT_EQUAL(v->assocs[1].entry, 3);
    CU_ASSERT_EQUAL(v->assocs[2].entry, 4);
    CU_ASSERT_EQUAL_FATAL(v->n_group_assocs, 3);
    CU_ASSERT_EQUAL(v->group_assocs[1].entry, 4);
    CU_ASSERT_EQUAL(v->totals.in_assocs_current, 2);
    /* Still up: last change unchanged, uptime follows the clock. */
    CU_ASSERT_EQUAL(v->apps[0].last_change_ticks, 100000u - 1234u);
    CU_ASSERT_EQUAL(v->apps[0].uptime_ticks, 100100u - 1334u);

    for (int i = 0; i < 4; i++)
        if (i != 1)
            mtamon_assoc_close(m, &a[i]);
    mtamon_snapshot_free(&ref);
    fixture_close(&f);
    mtamon_close(m);
}

static void test_refresh_cache(void)
{
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 4, 4);
    mtamon_channel_t ch = ut_channel(m, "c");
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ch, 1, 10), MTAMON_OK);

    struct view_fixture f;
    open_view(&f, seg, 3600000);
    struct view_clock c1 = {ut_now_ms(), 5000}, c2 = {c1.wall_ms + 500, 5050};

    const struct view *v1 = view_cache_get(f.vc, &c1, 0);
    UT_REQUIRE(v1);
    CU_ASSERT_EQUAL(v1->totals.c[MTAMON_RECEIVED_MSGS], 1);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ch, 1, 10), MTAMON_OK);

    /* Within the refresh interval: the same view, built at c1. */
    const struct view *v2 = view_cache_get(f.vc, &c2, 0);
    CU_ASSERT_PTR_EQUAL(v2, v1);
    CU_ASSERT_EQUAL(v2->clock.wall_ms, c1.wall_ms);
    CU_ASSERT_EQUAL(v2->clock.uptime_ticks, 5000u);
    CU_ASSERT_EQUAL(v2->totals.c[MTAMON_RECEIVED_MSGS], 1);

    /* Forced: a new view, built at c2, with the new event. */
    const struct view *v3 = view_cache_get(f.vc, &c2, 1);
    UT_REQUIRE(v3);
    CU_ASSERT_PTR_NOT_EQUAL(v3, v1);
    CU_ASSERT_EQUAL(v3->clock.wall_ms, c2.wall_ms);
    CU_ASSERT_EQUAL(v3->clock.uptime_ticks, 5050u);
    CU_ASSERT_EQUAL(v3->totals.c[MTAMON_RECEIVED_MSGS], 2);
    CU_ASSERT_PTR_EQUAL(view_cache_get(f.vc, &c1, 0), v3);

    /* refresh_ms 0: every call builds (the cache reads f.tc.conf). */
    // cppcheck-suppress unreadVariable
    f.tc.conf.refresh_ms = 0;
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ch, 1, 10), MTAMON_OK);
    const struct view *v4 = view_cache_get(f.vc, &c1, 0);
    UT_REQUIRE(v4);
    CU_ASSERT_PTR_NOT_EQUAL(v4, v3);
    CU_ASSERT_EQUAL(v4->totals.c[MTAMON_RECEIVED_MSGS], 3);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ch, 1, 10), MTAMON_OK);
    const struct view *v5 = view_cache_get(f.vc, &c1, 0);
    UT_REQUIRE(v5);
    CU_ASSERT_EQUAL(v5->totals.c[MTAMON_RECEIVED_MSGS], 4);
    CU_ASSERT_EQUAL(v5->groups[0].index, 1u);

    fixture_close(&f);
    mtamon_close(m);
}

/* The view while the segment is down: empty MTA tables, MTA row down. */
static void assert_down(const struct view *v, uint32_t last_change)
{
    CU_ASSERT_EQUAL(v->segment_up, 0);
    CU_ASSERT_EQUAL(v->generation, 0);
    CU_ASSERT_EQUAL(v->n_groups, 0);
    CU_ASSERT_EQUAL(v->n_assocs, 0);
    CU_ASSERT_EQUAL(v->n_group_assocs, 0);
    CU_ASSERT_EQUAL(v->n_errors, 0);
    CU_ASSERT_EQUAL(v->snap.n_channels, 0);
    CU_ASSERT_EQUAL(v->snap.n_assocs, 0);
    CU_ASSERT_EQUAL(v->totals.c[MTAMON_RECEIVED_MSGS], 0);
    CU_ASSERT_EQUAL(v->totals.stored_msgs, 0);
    CU_ASSERT_EQUAL(v->n_apps, 2);
    CU_ASSERT_PTR_EQUAL_FATAL(v->mta, &v->apps[0]);
    CU_ASSERT_EQUAL(v->mta->has_status, 1);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_DOWN);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 0);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, last_change);
}

static void test_segment_life(void)
{
    const char *seg = ut_name();
    struct view_fixture f;
    open_view(&f, seg, 3600000);
    struct view_clock now = {ut_now_ms(), 500};

    ut_capture_stderr_start();
    /* Missing at start: down since "now". */
    const struct view *v = view_cache_get(f.vc, &now, 0);
    assert_down(v, 500);
    now.uptime_ticks = 600;
    for (int i = 0; i < 50; i++)
        v = view_cache_get(f.vc, &now, 1);
    assert_down(v, 500);

    /* Created: up since the build that saw it. */
    mtamon_t *m = ut_create(seg, 8, 8);
    mtamon_channel_t a = ut_channel(m, "a");
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, a, 1, 10), MTAMON_OK);
    uint64_t g1 = generation_of(seg);
    v = view_at(&f, &now, 700);
    CU_ASSERT_EQUAL(v->segment_up, 1);
    CU_ASSERT_EQUAL(v->generation, g1);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 700u);
    CU_ASSERT_EQUAL_FATAL(v->n_groups, 1);
    CU_ASSERT_EQUAL(v->groups[0].index, 1u);
    now.uptime_ticks = 800;
    for (int i = 0; i < 50; i++)
        v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 700u);

    /* Deleted: down (the reader sees a stale name). */
    CU_ASSERT_EQUAL(mtamon_unlink(seg, NULL), MTAMON_OK);
    v = view_at(&f, &now, 900);
    assert_down(v, 900);
    now.uptime_ticks = 950;
    for (int i = 0; i < 50; i++)
        v = view_cache_get(f.vc, &now, 1);
    assert_down(v, 900);

    /* Created again, channels in another order: indexes stay. */
    mtamon_close(m);
    m = ut_create(seg, 8, 8);
    mtamon_channel_t b = ut_channel(m, "b");
    a = ut_channel(m, "a");
    CU_ASSERT_EQUAL(b, 1u);
    CU_ASSERT_EQUAL(a, 2u);
    uint64_t g2 = generation_of(seg);
    CU_ASSERT_NOT_EQUAL(g2, g1);
    v = view_at(&f, &now, 1000);
    CU_ASSERT_EQUAL(v->segment_up, 1);
    CU_ASSERT_EQUAL(v->generation, g2);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 1000u);
    CU_ASSERT_EQUAL_FATAL(v->n_groups, 2);
    CU_ASSERT_EQUAL(v->groups[0].index, 1u);
    CU_ASSERT_STRING_EQUAL(v->groups[0].ch->name, "a");
    CU_ASSERT_EQUAL(v->groups[1].index, 2u);
    CU_ASSERT_STRING_EQUAL(v->groups[1].ch->name, "b");

    /* Re-created between two builds while up: a new generation, counters
     * restarted, the MTA row changed (still up) at this build. */
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, a, 1, 10), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_unlink(seg, NULL), MTAMON_OK);
    mtamon_close(m);
    m = ut_create(seg, 8, 8);
    a = ut_channel(m, "a");
    uint64_t g3 = generation_of(seg);
    v = view_at(&f, &now, 1100);
    CU_ASSERT_EQUAL(v->segment_up, 1);
    CU_ASSERT_EQUAL(v->generation, g3);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 1100u);
    CU_ASSERT_EQUAL_FATAL(v->n_groups, 1);
    CU_ASSERT_EQUAL(v->groups[0].index, 1u);
    CU_ASSERT_EQUAL(v->totals.c[MTAMON_RECEIVED_MSGS], 0);
    now.uptime_ticks = 1150;
    for (int i = 0; i < 50; i++)
        v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 1100u);

    /* Replaced by something that is not a segment: down, unreadable. */
    CU_ASSERT_EQUAL(mtamon_unlink(seg, NULL), MTAMON_OK);
    mtamon_close(m);
    static const char junk[64] = "this is not an mtamon segment";
    CU_ASSERT_EQUAL(ut_write_bytes(seg, junk, sizeof junk), 0);
    v = view_at(&f, &now, 1200);
    assert_down(v, 1200);
    for (int i = 0; i < 50; i++)
        v = view_cache_get(f.vc, &now, 1);
    assert_down(v, 1200);

    /* And a good segment again. */
    shm_unlink(seg);
    m = ut_create(seg, 8, 8);
    uint64_t g4 = generation_of(seg);
    v = view_at(&f, &now, 1300);
    CU_ASSERT_EQUAL(v->segment_up, 1);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 1300u);
    CU_ASSERT_EQUAL(v->n_groups, 0);
    char *log = ut_capture_stderr_stop();

    /* Each change of state logged once, in order. */
    char want[256];
    const char *at = log;
    unsigned lines = count_of(log, "\n");
    CU_ASSERT_EQUAL(lines, 7);
    snprintf(want, sizeof want, "segment %s: missing; MTA down until it is created", seg);
    CU_ASSERT_EQUAL(count_of(log, want), 1);
    CU_ASSERT_PTR_NOT_NULL(at = strstr(at, want));
    snprintf(want, sizeof want, "segment %s: attached (generation 0x%016" PRIx64
             ", 1 channels)", seg, g1);
    CU_ASSERT_PTR_NOT_NULL(at = strstr(at ? at : log, want));
    snprintf(want, sizeof want, "segment %s: deleted; MTA down", seg);
    CU_ASSERT_PTR_NOT_NULL(at = strstr(at ? at : log, want));
    snprintf(want, sizeof want, "segment %s: attached (generation 0x%016" PRIx64
             ", 2 channels)", seg, g2);
    CU_ASSERT_PTR_NOT_NULL(at = strstr(at ? at : log, want));
    snprintf(want, sizeof want, "segment %s: re-created (generation 0x%016" PRIx64
             "); counters restarted", seg, g3);
    CU_ASSERT_PTR_NOT_NULL(at = strstr(at ? at : log, want));
    snprintf(want, sizeof want, "segment %s: unreadable: segment %s is not an "
             "mtamon segment: 64 bytes, smaller than a header\n", seg, seg);
    CU_ASSERT_PTR_NOT_NULL(at = strstr(at ? at : log, want));
    snprintf(want, sizeof want, "segment %s: attached (generation 0x%016" PRIx64
             ", 0 channels)", seg, g4);
    CU_ASSERT_PTR_NOT_NULL(at = strstr(at ? at : log, want));
    CU_ASSERT_EQUAL(count_of(log, "[warning]"), 3);
    CU_ASSERT_EQUAL(count_of(log, "[notice]"), 4);
    if (lines != 7)
        fprintf(stderr, "\n    log:\n%s", log);
    free(log);

    fixture_close(&f);
    mtamon_close(m);
}

/* Up at the first build: the MTA row changed when the segment was made. */
static void test_first_build_up(void)
{
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 4, 4);
    struct mtamon_snapshot ref = {0};
    ut_snapshot(seg, 0, &ref);
    struct view_fixture f;
    open_view(&f, seg, 1000);

    /* The master started 50 s ago, the segment was created 5 s ago. */
    struct view_clock now = {ref.created_ms + 5000, 5000};
    const struct view *v = view_cache_get(f.vc, &now, 0);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 4500u);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 4500u);
    view_cache_free(f.vc);

    /* The segment is older than the master: both are 0. */
    f.vc = view_cache_new(&f.tc.conf, f.map);
    UT_REQUIRE(f.vc);
    struct view_clock later = {ref.created_ms + 60000, 3000};
    v = view_cache_get(f.vc, &later, 0);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 0u);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 0u);
    mtamon_snapshot_free(&ref);
    fixture_close(&f);
    mtamon_close(m);
}

/* The master restarted: its sysUpTime starts again from 0.  applLastChange
 * of a state entered before that is 0, never a TimeStamp of the old
 * master's clock (later than the new sysUpTime). */
static void test_master_restart_last_change(void)
{
    const char *seg = ut_name();
    struct view_fixture f;
    open_view(&f, seg, 1000);

    ut_capture_stderr_start();
    /* Missing: down since uptime 50000 of the first master. */
    struct view_clock now = {ut_now_ms(), 50000};
    const struct view *v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_DOWN);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 50000u);

    /* A new master, up for 3 s: still down, since before it started. */
    now.wall_ms += 5000;
    v = view_at(&f, &now, 300);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_DOWN);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 0u);
    CU_ASSERT(v->mta->last_change_ticks <= now.uptime_ticks);
    now.wall_ms += 1000;
    v = view_at(&f, &now, 400);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 0u);

    /* Created under the new master: up since then. */
    mtamon_t *m = ut_create(seg, 4, 4);
    now.wall_ms += 1000;
    v = view_at(&f, &now, 500);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 500u);

    /* And the master restarts again while the MTA is up. */
    now.wall_ms += 1000;
    v = view_at(&f, &now, 20);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 0u);
    free(ut_capture_stderr_stop());

    fixture_close(&f);
    mtamon_close(m);
}

/* applUptime of the MTA row is a TimeStamp: the same at every build of
 * one segment, though the two clocks it comes from round differently and
 * the subagent's sysUpTime steps back a tick when re-synchronised; a new
 * one when the segment is re-created or the master restarts. */
static void test_mta_uptime_stable(void)
{
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 4, 4);
    struct mtamon_snapshot ref = {0};
    ut_snapshot(seg, 0, &ref);
    struct view_fixture f;
    open_view(&f, seg, 1000);

    /* Created 12.345 s before the master's tick 100000. */
    struct view_clock now = {ref.created_ms + 12345, 100000};
    const struct view *v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 100000u - 1234u);
    /* 1.009 s of wall time and 100 ticks later: worked out again it would
     * be 98765; a tick back (a re-synchronised sysUpTime): 98767. */
    now.wall_ms += 1009;
    now.uptime_ticks += 100;
    v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 100000u - 1234u);
    now.uptime_ticks -= 1;
    v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 100000u - 1234u);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 100000u - 1234u);
    /* The wall clock steps by a minute: still the same TimeStamp. */
    now.wall_ms += 60000;
    v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 100000u - 1234u);

    /* Re-created: sysUpTime of the new creation, later than the old. */
    ut_capture_stderr_start();
    CU_ASSERT_EQUAL(mtamon_unlink(seg, NULL), MTAMON_OK);
    mtamon_close(m);
    m = ut_create(seg, 4, 4);
    mtamon_snapshot_free(&ref);
    ut_snapshot(seg, 0, &ref);
    now.wall_ms = ref.created_ms + 500;
    v = view_at(&f, &now, 200000);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 200000u - 50u);

    /* The master restarts (sysUpTime back by more than a second): the
     * segment is older than it, so 0 (RFC 2788). */
    now.wall_ms += 1000;
    v = view_at(&f, &now, 30);
    CU_ASSERT_EQUAL(v->mta->uptime_ticks, 0u);
    CU_ASSERT_EQUAL(v->mta->last_change_ticks, 0u);
    free(ut_capture_stderr_stop());

    mtamon_snapshot_free(&ref);
    fixture_close(&f);
    mtamon_close(m);
}

/* `mtamon counters clear` must not make a Counter32 go backwards. */
static void test_clear_keeps_lifetime(void)
{
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 4, 4);
    mtamon_channel_t in = ut_channel(m, "in"), out = ut_channel(m, "out");
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 2, 100), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_tempfail(m, out, 1, 100, 4004001), MTAMON_OK);

    struct view_fixture f;
    open_view(&f, seg, 1000);
    struct view_clock now = {ut_now_ms(), 100};
    const struct view *v = view_cache_get(f.vc, &now, 0);
    CU_ASSERT_EQUAL(v->totals.c[MTAMON_RECEIVED_MSGS], 5);
    CU_ASSERT_EQUAL(v->totals.c[MTAMON_SUBMITTED_RCPTS], 10);

    struct mtamon_error e;
    CU_ASSERT_EQUAL(mtamon_clear(m, &e), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, in, out, 1, 100), MTAMON_OK);
    struct mtamon_channel_stats since_clear;
    ut_channel_stats(seg, "out", 0, &since_clear);
    CU_ASSERT_EQUAL(since_clear.c[MTAMON_RECEIVED_MSGS], 1); /* it did clear */

    v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->totals.c[MTAMON_RECEIVED_MSGS], 6);
    CU_ASSERT_EQUAL(v->totals.c[MTAMON_RECEIVED_VOLUME], 600);
    CU_ASSERT_EQUAL(v->totals.c[MTAMON_SUBMITTED_RCPTS], 11);
    CU_ASSERT_EQUAL(v->totals.stored_msgs, 6);
    CU_ASSERT_EQUAL_FATAL(v->n_errors, 1);
    assert_error_row(&v->errors[0], 2, 4004001, 0, 0, 1);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);

    fixture_close(&f);
    mtamon_close(m);
}

/* A channel that delivered mail queued before its counters began (a log
 * follower started late) reads below zero; the MTA's totals add each
 * channel as its row serves it, 0, so they are never below a row. */
static void test_negative_gauge_in_totals(void)
{
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 4, 4);
    mtamon_channel_t late = ut_channel(m, "late"), ok = ut_channel(m, "ok");
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(mtamon_dequeue(m, late, 1, 100, 1, 10), MTAMON_OK);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ok, 2, 100), MTAMON_OK);

    struct view_fixture f;
    open_view(&f, seg, 1000);
    struct view_clock now = {ut_now_ms(), 100};
    const struct view *v = view_cache_get(f.vc, &now, 0);
    UT_REQUIRE(v);
    CU_ASSERT_EQUAL_FATAL(v->n_groups, 2);
    CU_ASSERT_EQUAL(v->groups[0].ch->stored_msgs, -2);   /* "late" */
    CU_ASSERT_EQUAL(v->groups[0].ch->stored_volume, -200);
    CU_ASSERT_EQUAL(v->totals.stored_msgs, 3);
    CU_ASSERT_EQUAL(v->totals.stored_rcpts, 6);
    CU_ASSERT_EQUAL(v->totals.stored_volume, 300);

    fixture_close(&f);
    mtamon_close(m);
    mtamon_unlink(seg, NULL);
}

/* Many channels: sorted by index whatever the slot order, pins honoured,
 * every association resolved to its group. */
static void test_many_channels(void)
{
    enum { N = 2000 };
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, N, N);
    struct view_fixture f;
    conf_init(&f.tc, seg, 1000);
    fixture_open(&f, NULL, &f.tc.conf);
    char name[32];
    /* The map saw these names in reverse order before the segment did. */
    for (int i = N - 1; i >= 0; i--) {
        snprintf(name, sizeof name, "c%04d", i);
        CU_ASSERT_EQUAL(index_map_get(f.map, name), 8u + (uint32_t)(N - 1 - i));
    }
    mtamon_channel_t ims = ut_channel(m, "ims-ms");
    for (int i = 0; i < N - 1; i++) {
        snprintf(name, sizeof name, "c%04d", i);
        mtamon_channel_t ch = ut_channel(m, name);
        mtamon_assoc a;
        CU_ASSERT_EQUAL(mtamon_assoc_open(m, ch, MTAMON_INBOUND, NULL, &a), MTAMON_OK);
    }
    mtamon_assoc a;
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, ims, MTAMON_OUTBOUND, NULL, &a), MTAMON_OK);

    struct view_clock now = {ut_now_ms(), 100};
    const struct view *v = view_cache_get(f.vc, &now, 0);
    CU_ASSERT_EQUAL_FATAL(v->n_groups, N);
    CU_ASSERT_EQUAL(v->groups[0].index, 7u);
    CU_ASSERT_STRING_EQUAL(v->groups[0].ch->name, "ims-ms");
    int wrong = 0;
    for (int k = 1; k < N; k++) {
        /* c<i> has index 8 + (N-1-i): index order is reverse name order,
         * and c1999 (index 8) is not in the segment. */
        snprintf(name, sizeof name, "c%04d", N - 1 - k);
        wrong += v->groups[k].index != 8u + (uint32_t)k ||
                 strcmp(v->groups[k].ch->name, name) != 0;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    /* c1999 was never registered: index 8 is not served. */
    CU_ASSERT_EQUAL(v->groups[1].index, 9u);
    CU_ASSERT_EQUAL_FATAL(v->n_assocs, N);
    CU_ASSERT_EQUAL_FATAL(v->n_group_assocs, N);
    wrong = 0;
    for (int k = 0; k < N; k++) {
        const struct view_assoc *x = &v->assocs[k];
        wrong += x->entry != (uint32_t)k + 1 || x->group->ch->index != x->a->channel ||
                 x->group_index != x->group->index;
        if (k) {
            const struct view_assoc *p = &v->group_assocs[k - 1], *q = &v->group_assocs[k];
            wrong += p->group_index >= q->group_index;
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(v->group_assocs[0].group_index, 7u);
    CU_ASSERT_EQUAL(v->group_assocs[0].entry, (uint32_t)N);
    CU_ASSERT_EQUAL(v->totals.in_assocs_current, N - 1);
    CU_ASSERT_EQUAL(v->totals.out_assocs_current, 1);

    fixture_close(&f);
    mtamon_close(m);
}

/* Get the view @p n times; what was logged meanwhile (free() it), the
 * last view in *@p v. */
static char *get_logged(view_cache *vc, const struct view_clock *now, int n,
                        const struct view **v)
{
    ut_capture_stderr_start();
    for (int i = 0; i < n; i++)
        *v = view_cache_get(vc, now, 0);
    return ut_capture_stderr_stop();
}

/* Five views of a refused segment: each down, and one log line saying
 * @p why. */
static void expect_refused_once(view_cache *vc, const struct view_clock *now,
                                const char *seg, const char *why)
{
    const struct view *v = NULL;
    char want[400];
    char *log = get_logged(vc, now, 5, &v);
    CU_ASSERT_EQUAL(v->segment_up, 0);
    CU_ASSERT_EQUAL(v->n_groups, 0);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_DOWN);
    snprintf(want, sizeof want, "test_view[error]: segment %s: not served: %s; "
             "MTA down (segment.trust_any_owner: true would serve it)\n", seg, why);
    CU_ASSERT_EQUAL(count_of(log, want), 1);
    CU_ASSERT_EQUAL(count_of(log, "\n"), 1);
    if (count_of(log, want) != 1)
        fprintf(stderr, "\n    want: %s    log: %s", want, log);
    free(log);
}

/* A segment another user could write: not served (MTA down), logged
 * once per reason; served again once fixed, or with trust_any_owner. */
static void test_untrusted_segment(void)
{
    const char *seg = ut_name();
    char path[300];
    ut_shm_path(seg, path, sizeof path);
    mtamon_t *m = ut_create(seg, 4, 4);
    ut_channel(m, "a");
    struct view_fixture f;
    open_view(&f, seg, 0);
    struct view_clock now = {ut_now_ms(), 100};

    CU_ASSERT_EQUAL(chmod(path, 0666), 0);
    const struct view *v = NULL;
    char *log;
    expect_refused_once(f.vc, &now, seg, "writable by anyone (mode 0666)");

    if (geteuid() == 0) {
        /* Another owner: a new reason, logged once. */
        CU_ASSERT_EQUAL(chmod(path, 0660), 0);
        CU_ASSERT_EQUAL(chown(path, 65534, (gid_t)-1), 0);
        expect_refused_once(f.vc, &now, seg,
                            "owned by uid 65534, neither root nor uid 0");
        /* The configuration accepts it. */
        f.tc.conf.trust_any_owner = 1;
        v = view_cache_get(f.vc, &now, 0);
        CU_ASSERT_EQUAL(v->segment_up, 1);
        CU_ASSERT_EQUAL(v->n_groups, 1);
        f.tc.conf.trust_any_owner = 0;
        CU_ASSERT_EQUAL(chown(path, 0, (gid_t)-1), 0);
        CU_ASSERT_EQUAL(chmod(path, 0666), 0);
        v = view_cache_get(f.vc, &now, 0); /* reattach: writable again */
        CU_ASSERT_EQUAL(v->segment_up, 0);
    }

    /* Fixed: served again, and that is logged. */
    CU_ASSERT_EQUAL(chmod(path, 0660), 0);
    log = get_logged(f.vc, &now, 1, &v);
    CU_ASSERT_EQUAL(v->segment_up, 1);
    CU_ASSERT_EQUAL(v->n_groups, 1);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(count_of(log, ": attached (generation"), 1);
    free(log);

    /* trust_any_owner: a world-writable segment is served. */
    f.tc.conf.trust_any_owner = 1;
    CU_ASSERT_EQUAL(chmod(path, 0666), 0);
    CU_ASSERT_EQUAL(mtamon_unlink(seg, NULL), MTAMON_OK);
    mtamon_close(m);
    m = ut_create(seg, 4, 4);
    ut_channel(m, "b");
    CU_ASSERT_EQUAL(chmod(path, 0666), 0);
    v = view_cache_get(f.vc, &now, 0);
    CU_ASSERT_EQUAL(v->segment_up, 1);
    CU_ASSERT_EQUAL(v->n_groups, 1);
    fixture_close(&f);
    mtamon_close(m);
}

/* segment.owner (view_cache_trust_owner): a segment the MTA's account
 * created is served; another user's is still refused, saying so. */
static void test_segment_owner(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "\n    not root: chown impossible, skipped\n");
        return;
    }
    const char *seg = ut_name();
    char path[300];
    ut_shm_path(seg, path, sizeof path);
    mtamon_t *m = ut_create(seg, 4, 4);
    ut_channel(m, "a");
    CU_ASSERT_EQUAL(chown(path, 65534, (gid_t)-1), 0);
    struct view_fixture f;
    open_view(&f, seg, 0);
    struct view_clock now = {ut_now_ms(), 100};

    view_cache_trust_owner(f.vc, 65533);
    expect_refused_once(f.vc, &now, seg,
                        "owned by uid 65534, neither root, uid 0 nor "
                        "segment.owner (uid 65533)");
    view_cache_trust_owner(f.vc, 65534);
    const struct view *v = view_cache_get(f.vc, &now, 0);
    CU_ASSERT_EQUAL(v->segment_up, 1);
    CU_ASSERT_EQUAL(v->n_groups, 1);
    CU_ASSERT_EQUAL(v->mta->oper_status, VIEW_OPER_UP);
    fixture_close(&f);
    mtamon_close(m);
}

/* A group-index file that cannot be written: logged once, indexes kept. */
static void test_flush_failure_logged_once(void)
{
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 4, 4);
    ut_channel(m, "a");
    struct view_fixture f;
    conf_init(&f.tc, seg, 0);
    fixture_open(&f, "/nonexistent-mtamon-dir/group-index", NULL);
    struct view_clock now = {ut_now_ms(), 100};
    ut_capture_stderr_start();
    const struct view *v = NULL;
    for (int i = 0; i < 20; i++)
        v = view_cache_get(f.vc, &now, 0);
    ut_channel(m, "b");
    for (int i = 0; i < 20; i++)
        v = view_cache_get(f.vc, &now, 0);
    char *log = ut_capture_stderr_stop();
    CU_ASSERT_EQUAL(count_of(log, "/nonexistent-mtamon-dir/group-index: cannot create "
                                  "a temporary file in /nonexistent-mtamon-dir: No "
                                  "such file or directory; mtaGroupIndex values are "
                                  "kept in memory only"), 1);
    CU_ASSERT_EQUAL(count_of(log, "\n"), 2); /* + "attached" */
    free(log);
    CU_ASSERT_EQUAL_FATAL(v->n_groups, 2);
    CU_ASSERT_EQUAL(v->groups[0].index, 1u);
    CU_ASSERT_EQUAL(v->groups[1].index, 2u);
    fixture_close(&f);
    mtamon_close(m);
}

/* Two channels with one index (a configuration config_load() would refuse
 * pins both): one is served, the other and its associations are not, and
 * that is logged once. */
static void test_duplicate_index(void)
{
    static char s_a[] = "a", s_b[] = "b";
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 4, 4);
    mtamon_channel_t b = ut_channel(m, "b"); /* slot 1 */
    mtamon_channel_t a = ut_channel(m, "a"); /* slot 2 */
    mtamon_assoc as[2];
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, a, MTAMON_INBOUND, "192.0.2.1", &as[0]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, b, MTAMON_INBOUND, "192.0.2.2", &as[1]), MTAMON_OK);
    struct view_fixture f;
    conf_init(&f.tc, seg, 0);
    f.tc.ch[0].name = f.tc.ch[0].group_name = s_a;
    f.tc.ch[1].name = f.tc.ch[1].group_name = s_b;
    f.tc.ch[0].group_index = f.tc.ch[1].group_index = 3;
    fixture_open(&f, NULL, &f.tc.conf);
    struct view_clock now = {ut_now_ms(), 100};
    ut_capture_stderr_start();
    const struct view *v = NULL;
    for (int i = 0; i < 10; i++)
        v = view_cache_get(f.vc, &now, 0);
    char *log = ut_capture_stderr_stop();
    CU_ASSERT_EQUAL(count_of(log, "channels b and a both have mtaGroupIndex 3; "
                                  "serving b only"), 1);
    free(log);
    CU_ASSERT_EQUAL_FATAL(v->n_groups, 1);
    CU_ASSERT_EQUAL(v->groups[0].index, 3u);
    CU_ASSERT_STRING_EQUAL(v->groups[0].ch->name, "b");
    CU_ASSERT_PTR_EQUAL(v->groups[0].conf, &f.tc.ch[1]);
    CU_ASSERT_EQUAL_FATAL(v->n_assocs, 1);
    CU_ASSERT_EQUAL(v->assocs[0].entry, 2u);
    CU_ASSERT_EQUAL(v->assocs[0].group_index, 3u);
    CU_ASSERT_EQUAL(v->n_group_assocs, 1);
    CU_ASSERT_EQUAL(v->totals.in_assocs_current, 1);
    fixture_close(&f);
    mtamon_close(m);
}

static void test_timestamp(void)
{
    /* The master has been up for an hour. */
    const struct view_clock c = {1700000000000, 360000};
    CU_ASSERT_EQUAL(view_timestamp(&c, 0), 0u);                      /* never */
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms - 3600000), 0u);    /* master start */
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms - 3600010), 0u);    /* before it */
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms - 86400000), 0u);
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms - 3599990), 1u);
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms - 1000), 359900u);
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms - 15), 359999u);
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms - 5), 360000u);
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms), 360000u);
    CU_ASSERT_EQUAL(view_timestamp(&c, c.wall_ms + 5000), 360000u);  /* future */
    CU_ASSERT_EQUAL(view_timestamp(&c, INT64_MAX), 360000u);
    CU_ASSERT_EQUAL(view_timestamp(&c, -1), 0u);
    CU_ASSERT_EQUAL(view_timestamp(&c, INT64_MIN), 0u);
    /* Just started master: everything earlier is 0. */
    const struct view_clock z = {1700000000000, 0};
    CU_ASSERT_EQUAL(view_timestamp(&z, z.wall_ms - 1), 0u);
    CU_ASSERT_EQUAL(view_timestamp(&z, z.wall_ms + 1), 0u);
    /* A sysUpTime near its top. */
    const struct view_clock top = {1700000000000, UINT32_MAX};
    CU_ASSERT_EQUAL(view_timestamp(&top, top.wall_ms - 10), UINT32_MAX - 1);
}

static void test_interval(void)
{
    const struct view_clock c = {1700000000000, 360000};
    CU_ASSERT_EQUAL(view_interval(&c, c.wall_ms - 12345), 1234);
    CU_ASSERT_EQUAL(view_interval(&c, c.wall_ms - 10), 1);
    CU_ASSERT_EQUAL(view_interval(&c, c.wall_ms - 9), 0);
    CU_ASSERT_EQUAL(view_interval(&c, c.wall_ms), 0);
    CU_ASSERT_EQUAL(view_interval(&c, c.wall_ms + 100000), 0);       /* future */
    CU_ASSERT_EQUAL(view_interval(&c, INT64_MAX), 0);
    CU_ASSERT_EQUAL(view_interval(&c, c.wall_ms - 21474836470), 2147483647);
    CU_ASSERT_EQUAL(view_interval(&c, c.wall_ms - 21474836469), 2147483646);
    CU_ASSERT_EQUAL(view_interval(&c, c.wall_ms - 21474836480), 2147483647);
    CU_ASSERT_EQUAL(view_interval(&c, 0), 2147483647);  /* since the epoch */
    CU_ASSERT_EQUAL(view_interval(&c, INT64_MIN), 2147483647);
    const struct view_clock neg = {INT64_MIN + 5, 0};
    CU_ASSERT_EQUAL(view_interval(&neg, INT64_MAX), 0);
}

static void test_conversions(void)
{
    CU_ASSERT_EQUAL(view_counter32(0), 0u);
    CU_ASSERT_EQUAL(view_counter32(4294967295u), 4294967295u);
    CU_ASSERT_EQUAL(view_counter32(4294967296u), 0u);
    CU_ASSERT_EQUAL(view_counter32(4294967296u + 5), 5u);
    CU_ASSERT_EQUAL(view_counter32(UINT64_MAX), 4294967295u);

    CU_ASSERT_EQUAL(view_gauge32(0), 0u);
    CU_ASSERT_EQUAL(view_gauge32(5), 5u);
    CU_ASSERT_EQUAL(view_gauge32(-1), 0u);
    CU_ASSERT_EQUAL(view_gauge32(INT64_MIN), 0u);
    CU_ASSERT_EQUAL(view_gauge32(4294967295), 4294967295u);
    CU_ASSERT_EQUAL(view_gauge32(4294967296), 4294967295u);
    CU_ASSERT_EQUAL(view_gauge32(INT64_MAX), 4294967295u);

    CU_ASSERT_EQUAL(view_koctets(0), 0u);
    CU_ASSERT_EQUAL(view_koctets(1), 1u);
    CU_ASSERT_EQUAL(view_koctets(1023), 1u);
    CU_ASSERT_EQUAL(view_koctets(1024), 1u);
    CU_ASSERT_EQUAL(view_koctets(1025), 2u);
    CU_ASSERT_EQUAL(view_koctets(2048), 2u);
    CU_ASSERT_EQUAL(view_koctets(UINT64_MAX), UINT64_MAX / 1024 + 1);
}

/* ------------------------------------------------------------------------ */
/* applTable: a service row's status from its process watch and its probe   */

/* The collectors' results a test sets: one process watch, one probe. */
static struct process_watch_stats fake_procs[1];
static struct probe_result fake_probes[1];

static int fake_collect(void *ctx, struct collector_snapshot *out)
{
    (void)ctx;
    collector_snapshot_free(out);
    out->processes = calloc(1, sizeof *out->processes);
    out->probes = calloc(1, sizeof *out->probes);
    if (!out->processes || !out->probes)
        return -1;
    out->processes[0] = fake_procs[0];
    out->probes[0] = fake_probes[0];
    out->n_processes = out->n_probes = 1;
    return 0;
}

static void set_probe(enum probe_state state, time_t changed)
{
    memset(&fake_probes[0], 0, sizeof fake_probes[0]);
    fake_probes[0].state = state;
    fake_probes[0].last_check = changed;
    fake_probes[0].last_change = changed;
}

static void set_procs(enum process_watch_status status, int64_t started_ms)
{
    memset(&fake_procs[0], 0, sizeof fake_procs[0]);
    fake_procs[0].status = status;
    fake_procs[0].count = status == PROCESS_WATCH_RUNNING;
    fake_procs[0].oldest_start_ms = started_ms;
}

/* Build the next view, 1 s (100 ticks) after the last. */
static const struct view *next_view(struct view_fixture *f, struct view_clock *now)
{
    now->wall_ms += 1000;
    now->uptime_ticks += 100;
    return view_cache_get(f->vc, now, 1);
}

static void test_service_probe_status(void)
{
    static char s_probe[] = "imap-probe", s_proc[] = "dovecot", s_none[] = "";
    static char *procs[1] = {s_proc};
    struct config_probe probe_conf[1];
    struct config_process proc_conf[1];
    memset(probe_conf, 0, sizeof probe_conf);
    memset(proc_conf, 0, sizeof proc_conf);
    probe_conf[0].name = s_probe;
    probe_conf[0].kind = CONFIG_PROBE_IMAP;
    proc_conf[0].name = s_proc;
    proc_conf[0].pidfile = proc_conf[0].executable = proc_conf[0].argument = s_none;

    struct view_fixture f;
    conf_init(&f.tc, ut_name(), 1000);   /* no segment: the MTA row is down */
    f.tc.conf.probes = probe_conf;
    f.tc.conf.n_probes = 1;
    f.tc.conf.processes = proc_conf;
    f.tc.conf.n_processes = 1;
    f.tc.apps[1].probe = s_probe;        /* row 2 follows the probe only */
    fixture_open(&f, NULL, NULL);
    view_cache_set_collector(f.vc, fake_collect, NULL);
    set_probe(PROBE_NOT_YET, 0);
    set_procs(PROCESS_WATCH_NOT_YET, 0);

    ut_capture_stderr_start();
    /* The master has been up 1000 s. */
    struct view_clock now = {ut_now_ms(), 100000};
    time_t now_s = (time_t)(now.wall_ms / 1000);

    /* Not checked yet: no status columns. */
    const struct view *v = view_cache_get(f.vc, &now, 1);
    CU_ASSERT_EQUAL(v->apps[1].has_status, 0);

    /* Up since the check 20 s ago: applLastChange is that check's time;
     * no applUptime from a probe. */
    set_probe(PROBE_UP, now_s - 20);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].has_status, 1);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_UP);
    uint32_t expect = view_timestamp(&now, (int64_t)(now_s - 20) * 1000);
    CU_ASSERT(expect > 97000u && expect < 98100u);
    CU_ASSERT_EQUAL(v->apps[1].last_change_ticks, expect);
    CU_ASSERT_EQUAL(v->apps[1].uptime_ticks, 0u);

    /* Still up: applLastChange stays. */
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].last_change_ticks, expect);

    /* Slow: congested(4), changed now. */
    set_probe(PROBE_SLOW, now_s);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_CONGESTED);
    CU_ASSERT_EQUAL(v->apps[1].last_change_ticks, now.uptime_ticks);
    uint32_t congested_at = now.uptime_ticks;

    /* Down. */
    set_probe(PROBE_DOWN, now_s);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_DOWN);
    CU_ASSERT_EQUAL(v->apps[1].last_change_ticks, now.uptime_ticks);
    CU_ASSERT(now.uptime_ticks > congested_at);

    /* Row 2 watches processes too.  Processes running, probe down: down. */
    f.tc.apps[1].processes = procs;
    f.tc.apps[1].n_processes = 1;
    set_procs(PROCESS_WATCH_RUNNING, now.wall_ms - 60000);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_DOWN);
    CU_ASSERT_EQUAL(v->apps[1].uptime_ticks, 0u);

    /* Processes running, probe up: up, applUptime from the processes. */
    set_probe(PROBE_UP, now_s);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->apps[1].uptime_ticks, now.uptime_ticks - 6200u);
    CU_ASSERT_EQUAL(v->apps[1].last_change_ticks, now.uptime_ticks);

    /* Processes running, probe slow: congested. */
    set_probe(PROBE_SLOW, now_s);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_CONGESTED);

    /* Processes not running, probe up: down (either says down). */
    set_procs(PROCESS_WATCH_NOT_RUNNING, 0);
    set_probe(PROBE_UP, now_s);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_DOWN);

    /* Processes running, probe not checked yet: the processes' answer. */
    set_procs(PROCESS_WATCH_RUNNING, now.wall_ms - 5000);
    set_probe(PROBE_NOT_YET, 0);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].has_status, 1);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_UP);

    /* A new cache (mtamond restarted) sees both up at once: applLastChange
     * is the later of the probe's state and the processes' start. */
    view_cache_free(f.vc);
    f.vc = view_cache_new(&f.tc.conf, f.map);
    UT_REQUIRE(f.vc);
    view_cache_set_collector(f.vc, fake_collect, NULL);
    int64_t started_ms = now.wall_ms - 300000;
    time_t probe_s = (time_t)(now.wall_ms / 1000) - 30;
    set_procs(PROCESS_WATCH_RUNNING, started_ms);
    set_probe(PROBE_UP, probe_s);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].oper_status, VIEW_OPER_UP);
    CU_ASSERT_EQUAL(v->apps[1].last_change_ticks, view_timestamp(&now, (int64_t)probe_s * 1000));
    CU_ASSERT_EQUAL(v->apps[1].uptime_ticks, view_timestamp(&now, started_ms));
    CU_ASSERT(v->apps[1].last_change_ticks > v->apps[1].uptime_ticks + 20000u);

    /* The other way round: processes started after the probe's state. */
    view_cache_free(f.vc);
    f.vc = view_cache_new(&f.tc.conf, f.map);
    UT_REQUIRE(f.vc);
    view_cache_set_collector(f.vc, fake_collect, NULL);
    started_ms = now.wall_ms - 10000;
    set_procs(PROCESS_WATCH_RUNNING, started_ms);
    set_probe(PROBE_UP, (time_t)(now.wall_ms / 1000) - 100);
    v = next_view(&f, &now);
    CU_ASSERT_EQUAL(v->apps[1].last_change_ticks, view_timestamp(&now, started_ms));
    free(ut_capture_stderr_stop());
    fixture_close(&f);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"rows of a known segment", test_rows},
        {"refresh interval and force", test_refresh_cache},
        {"segment missing, created, deleted, re-created, unreadable",
         test_segment_life},
        {"up at the first build", test_first_build_up},
        {"master restarted: applLastChange", test_master_restart_last_change},
        {"applUptime stable per segment and master", test_mta_uptime_stable},
        {"clear keeps lifetime counters", test_clear_keeps_lifetime},
        {"2,000 channels and associations", test_many_channels},
        {"unwritable index file logged once", test_flush_failure_logged_once},
        {"segment another user could write", test_untrusted_segment},
        {"segment.owner: the MTA's account", test_segment_owner},
        {"two channels with one index", test_duplicate_index},
        {"service row status from its processes and probe", test_service_probe_status},
        {"view_timestamp", test_timestamp},
        {"view_interval", test_interval},
        {"Counter32, Gauge32, K-octets", test_conversions},
        {"negative channel gauges add 0 to the totals", test_negative_gauge_in_totals},
        {NULL, NULL},
    };
    log_open("test_view", CONFIG_LOG_STDERR, 0, LOG_DEBUG);
    return unit_main("view", tests);
}
