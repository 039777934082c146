/*
 * test_mib_golden.c - every MIB table's callbacks, without snmpd: the
 * tables of mib_tables[] over a view of a segment with known events are
 * walked by GETNEXT (oid_table_find_next, and column by column as the
 * master drives the per-column registrations) and read by GET
 * (oid_table_find_exact), and compared to the rows of
 * tests/unit/mib_golden.txt: "OID = TYPE: VALUE" each.  A wrong column, index or type fails here in milliseconds; the
 * integration tests check the same through a real master.
 *
 * Times (TimeTicks, and the TimeInterval INTEGER columns of
 * mtaGroupTable) move with the clock: their rows give the type only.
 *
 * MTAMON-MIB's mtamonAlarms come from an alarm engine (alarm.h) fed known
 * samples at known times, not from the view: those tables keep their own
 * fetch callback.
 *
 *   test_mib_golden --dump   print the rows of today's code, in
 *                            mib_golden.txt's format, to review and
 *                            paste when a table changes
 */
#include <inttypes.h>
#include <stdlib.h>

#include "unit_util.h"

#include "alarm.h"
#include "mib.h"
#include "mib_tables.h"
#include "oid_table.h"
#include "view.h"
#include "view_fixture.h"
#include "whole_file.h"

struct golden_row {
    const char *oid;     /* dotted, with a leading dot */
    const char *type;    /* as snmpget prints it: "Counter32", "STRING", ... */
    const char *value;   /* after "TYPE: "; NULL: a time, type only */
};

/* The rows of tests/unit/mib_golden.txt (the format is described there),
 * pointing into the file's text. */
static char *golden_text;
static struct golden_row *golden;
static size_t n_golden;

/* Read the rows from $MTAMON_SRCDIR/tests/unit/mib_golden.txt (make check
 * sets it; "." if unset).  0, or -1 with the reason on stderr. */
static int load_golden(void)
{
    const char *top = getenv("MTAMON_SRCDIR");
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/tests/unit/mib_golden.txt", top ? top : ".");
    if (whole_file_read(path, SIZE_MAX, &golden_text, &len) < 0) {
        fprintf(stderr, "\n    cannot read %s (set MTAMON_SRCDIR)\n", path);
        return -1;
    }
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += golden_text[i] == '\n';
    golden = calloc(cap, sizeof *golden);
    if (!golden)
        return -1;
    unsigned line_no = 0;
    for (char *line = golden_text, *next; *line; line = next) {
        line_no++;
        char *eol = strchr(line, '\n');
        next = eol ? eol + 1 : line + strlen(line);
        if (eol)
            *eol = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *type = strstr(line, " = ");
        if (line[0] != '.' || !type || type[3] == '\0' || type[3] == ' ') {
            fprintf(stderr, "\n    %s:%u: not \"OID = TYPE[: VALUE]\": %s\n", path,
                    line_no, line);
            return -1;
        }
        *type = '\0';
        type += 3;
        char *value = strstr(type, ": ");
        if (value) {
            *value = '\0';
            value += 2;
        }
        golden[n_golden++] = (struct golden_row){line, type, value};
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The segment and the view                                                  */

static struct view_fixture fixture;
static const struct view *the_view;

static const void *fixed_view(void *ctx)
{
    (void)ctx;
    return the_view;
}

/* Two probes (mtamonProbeTable): "imap" up, which row 2 ("imap" in
 * applTable) follows, and "smtp" down on a 421 greeting. */
static char s_imap[] = "imap", s_smtp[] = "smtp", s_imap_addr[] = "127.0.0.1:10143",
            s_smtp_addr[] = "mx.example:25";
static struct config_probe probe_conf[2] = {
    {.name = s_imap, .kind = CONFIG_PROBE_IMAP,
     .server = {.address = s_imap_addr, .tls = CONFIG_TLS_NONE},
     .interval_s = 60, .timeout_ms = 10000, .slow_ms = 2000},
    {.name = s_smtp, .kind = CONFIG_PROBE_SMTP,
     .server = {.address = s_smtp_addr, .tls = CONFIG_TLS_STARTTLS},
     .interval_s = 30, .timeout_ms = 5500, .slow_ms = 0},
};
static struct probe_result probe_results[2];

static void make_probes(void)
{
    struct probe_result *r = &probe_results[0];
    r->state = PROBE_UP;
    r->last.ok = 1;
    r->last.total_ms = 12;
    static const struct probe_step steps[] = {
        {"connect", 1}, {"greeting", 3}, {"login", 5}, {"logout", 1},
    };
    memcpy(r->last.steps, steps, sizeof steps);
    r->last.n_steps = 4;
    r->last_check = r->last_success = 1764880000;
    r->last_failure = 1764870000;
    r->last_change = 1764870060;
    snprintf(r->last_error, sizeof r->last_error, "greeting: timed out after 10000 ms");
    r->checks = 4294967298u;   /* Counter32: modulo 2^32, 2 */
    r->failures = 1;

    r = &probe_results[1];
    r->state = PROBE_DOWN;
    r->last.total_ms = 4;
    static const struct probe_step connect[] = {{"connect", 2}};
    memcpy(r->last.steps, connect, sizeof connect);
    r->last.n_steps = 1;
    r->last.reply_code = 421;
    snprintf(r->last.error, sizeof r->last.error, "greeting: 421 4.3.2 busy");
    snprintf(r->last_error, sizeof r->last_error, "greeting: 421 4.3.2 busy");
    r->last_check = r->last_failure = r->last_change = 1764880030;
    r->consecutive_failures = 3;
    r->checks = 3;
    r->failures = 3;
}

static int fixed_collect(void *ctx, struct collector_snapshot *out)
{
    (void)ctx;
    collector_snapshot_free(out);
    out->probes = calloc(2, sizeof *out->probes);
    if (!out->probes)
        return -1;
    memcpy(out->probes, probe_results, sizeof probe_results);
    out->n_probes = 2;
    return 0;
}

/* Three alarms: spool-space (disk_free, raised on "spool", clear on
 * "var" and "café" between its thresholds), stale (segment_stale on the segment, the object "", pending
 * for its 120 s) and procs (process_down, never checked: no row). */
static char s_spool_space[] = "spool-space", s_stale[] = "stale", s_procs[] = "procs";
static struct config_alarm alarm_conf[3];
static alarm_engine *engine;

static void ignore_event(void *ctx, const struct alarm_event *ev)
{
    (void)ctx;
    (void)ev;
}

static unsigned three_pending(const void *ctx)
{
    (void)ctx;
    return 3;
}

/* @p t seconds after 2025-12-04T20:26:40Z (1764880000 s). */
static struct alarm_clock alarm_at(int t)
{
    return (struct alarm_clock){.mono_ms = 1000 + (int64_t)t * 1000,
                                .wall_ms = 1764880000000LL + (int64_t)t * 1000};
}

static void make_alarms(struct config *conf)
{
    alarm_conf[0] = (struct config_alarm){
        .name = s_spool_space, .kind = CONFIG_ALARM_DISK_FREE,
        .source = CONFIG_ALARM_ON_PARTITIONS, .raise = 10, .clear = 15.5,
        .interval_s = 30, .resend_s = 3600, .severity = CONFIG_SEVERITY_MAJOR,
    };
    alarm_conf[1] = (struct config_alarm){
        .name = s_stale, .kind = CONFIG_ALARM_SEGMENT_STALE,
        .source = CONFIG_ALARM_ON_SEGMENT, .raise = 600, .clear = 300, .for_s = 120,
        .interval_s = 60, .resend_s = 3600, .severity = CONFIG_SEVERITY_CRITICAL,
    };
    alarm_conf[2] = (struct config_alarm){
        .name = s_procs, .kind = CONFIG_ALARM_PROCESS_DOWN,
        .source = CONFIG_ALARM_ON_PROCESSES, .raise = 1, .clear = 1,
        .interval_s = 60, .resend_s = 0, .severity = CONFIG_SEVERITY_WARNING,
    };
    conf->alarms = alarm_conf;
    conf->n_alarms = 3;
    engine = alarm_engine_new(conf, ignore_event, NULL);
    UT_REQUIRE(engine);
    /* "café": the index has the bytes of its UTF-8, 195.169. */
    const struct alarm_sample disk0[] = {{"var", 52.25, 0, 0}, {"spool", 20, 0, 0},
                                         {"caf\xc3\xa9", 30, 0, 0}};
    const struct alarm_sample disk1[] = {{"var", 51, 0, 0}, {"spool", 4.7, 0, 0},
                                         {"caf\xc3\xa9", 12.25, 0, 0}};
    const struct alarm_sample segment[] = {{"", 700, 0, 0}};
    struct alarm_clock t0 = alarm_at(0), t30 = alarm_at(30), t60 = alarm_at(60);
    CU_ASSERT_EQUAL(alarm_engine_update(engine, 0, &t0, disk0, 3), 0);
    CU_ASSERT_EQUAL(alarm_engine_update(engine, 0, &t30, disk1, 3), 0);
    CU_ASSERT_EQUAL(alarm_engine_update(engine, 1, &t60, segment, 1), 0);
    /* The raise of spool: confirmed by the master. */
    struct alarm_row *const *rows;
    size_t n = alarm_engine_rows(engine, &rows);
    UT_REQUIRE(n == 4);
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i]->object, "spool") == 0)
            alarm_engine_delivered(engine, rows[i], 1);
    mib_mtamon_set_alarms(engine);
    mib_mtamon_set_alarm_pending(three_pending, NULL);
}

/* Known traffic on three channels (ims-ms is pinned to index 7 by the
 * fixture; tcp_local and tcp_intranet get 8 and 9), with two associations
 * left open and status codes in every direction. */
static void make_view(mtamon_assoc open[2])
{
    const char *seg = ut_name();
    mtamon_t *m = ut_create(seg, 16, 16);
    mtamon_channel_t tl = ut_channel(m, "tcp_local");
    mtamon_channel_t ims = ut_channel(m, "ims-ms");
    mtamon_channel_t ti = ut_channel(m, "tcp_intranet");
    fixture_traffic(m, tl, ims, ti);
    CU_ASSERT_EQUAL(mtamon_reject(m, tl, 3, 200, 5007001, "relaying denied"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_reject(m, tl, 5007001, "blocked"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, ti, 4004001, "timeout"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_loop(m, ims), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_convert(m, ims, 0), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_convert(m, ims, 1), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, ti, MTAMON_OUTBOUND, "198.51.100.7",
                                      &open[0]), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_open(m, tl, MTAMON_INBOUND, "192.0.2.1",
                                      &open[1]), MTAMON_OK);
    mtamon_close(m);   /* the associations stay: this process is alive */

    conf_init(&fixture.tc, seg, 3600000);
    make_probes();
    fixture.tc.conf.probes = probe_conf;
    fixture.tc.conf.n_probes = 2;
    fixture.tc.apps[1].probe = s_imap;
    make_alarms(&fixture.tc.conf);
    fixture_open(&fixture, NULL, &fixture.tc.conf);
    view_cache_set_collector(fixture.vc, fixed_collect, NULL);
    /* The master has been up 1000 s. */
    struct view_clock now = {0, 100000};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now.wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    the_view = view_cache_get(fixture.vc, &now, 1);
    UT_REQUIRE(the_view && the_view->segment_up);
}

/* ------------------------------------------------------------------------ */
/* Cells as text                                                             */

static void format_oid(char *buf, size_t len, const oid *o, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, ".%lu",
                                 (unsigned long)o[i]);
}

/* mtaGroupTable's TimeInterval columns (RFC 2789). */
static int is_time_interval(const struct oid_table *t, unsigned column)
{
    if (t->entry != mib_group_table.entry)   /* t may be a copy */
        return 0;
    return column == 12 || column == 17 || column == 18 || column == 23 ||
           column == 30 || column == 34;
}

/* MTAMON-MIB's scalars that differ from run to run: the segment's name
 * (per process), its random generation, its creation time, the
 * snapshot's age. */
static int is_volatile(const struct oid_table *t, unsigned column)
{
    return t->entry == mib_mtamon_scalars.entry &&
           (column == 2 || column == 3 || column == 4 || column == 6);
}

/* TYPE and VALUE of a cell as snmpget prints them; *value NULL for a
 * time (or another value that changes from run to run).  @p vbuf holds
 * the value text. */
static void format_cell(const struct oid_table *t, unsigned column,
                        const struct oid_table_value *v, const char **type,
                        const char **value, char *vbuf, size_t vlen)
{
    *value = vbuf;
    switch (v->type) {
    case ASN_INTEGER:
        *type = "INTEGER";
        snprintf(vbuf, vlen, "%ld", v->v.integer);
        if (is_time_interval(t, column))
            *value = NULL;
        break;
    case ASN_COUNTER:
        *type = "Counter32";
        snprintf(vbuf, vlen, "%lu", v->v.unsigned32);
        break;
    case ASN_GAUGE:
        *type = "Gauge32";
        snprintf(vbuf, vlen, "%lu", v->v.unsigned32);
        break;
    case ASN_TIMETICKS:
        *type = "Timeticks";
        *value = NULL;
        break;
    case ASN_COUNTER64:
        *type = "Counter64";
        snprintf(vbuf, vlen, "%" PRIu64, v->v.counter64);
        break;
    case ASN_OCTET_STR:
        *type = "STRING";
        snprintf(vbuf, vlen, "\"%.*s\"", (int)v->v.string.len, v->v.string.ptr);
        break;
    case ASN_OBJECT_ID:
        *type = "OID";
        format_oid(vbuf, vlen, v->v.object_id.ptr, v->v.object_id.len);
        break;
    default:
        *type = "?";
        snprintf(vbuf, vlen, "type %u", v->type);
    }
    if (is_volatile(t, column))
        *value = NULL;
}

/* One served cell: its OID and text. */
struct cell_text {
    char oid[160];
    const char *type;
    const char *value;
    char vbuf[160];
};

/* What table @p t serves now: the view, or the alarm engine's figures. */
static const void *data_of(const struct oid_table *t)
{
    return t->ops.fetch(t->ctx);
}

static int cell_at(const struct oid_table *t, size_t row, unsigned column,
                   struct cell_text *c, oid *name, size_t *name_len)
{
    struct oid_table_value v;
    if (t->ops.cell(data_of(t), row, column, &v) != 0)
        return -1;
    memcpy(name, t->entry, t->entry_len * sizeof(oid));
    name[t->entry_len] = column;
    *name_len = t->entry_len + 1 +
                t->ops.row_index(data_of(t), row, name + t->entry_len + 1);
    format_oid(c->oid, sizeof c->oid, name, *name_len);
    format_cell(t, column, &v, &c->type, &c->value, c->vbuf, sizeof c->vbuf);
    return 0;
}

/* The table of mib_tables[] serving the fixed view (the alarm tables
 * keep their own fetch: the engine). */
static struct oid_table fixed(const struct oid_table *t)
{
    struct oid_table copy = *t;
    if (copy.ops.fetch == mib_fetch_view)
        copy.ops.fetch = fixed_view;
    copy.ctx = NULL;
    return copy;
}

/* Compare served cell @p c with golden row @p i; complain with @p how. */
static void expect_row(size_t i, const struct cell_text *c, const char *how)
{
    if (i >= n_golden) {
        CU_FAIL("served more cells than the golden table has");
        fprintf(stderr, "\n    %s: extra %s = %s: %s\n", how, c->oid, c->type,
                c->value ? c->value : "(time)");
        return;
    }
    const struct golden_row *g = &golden[i];
    int ok = strcmp(g->oid, c->oid) == 0 && strcmp(g->type, c->type) == 0 &&
             ((!g->value && !c->value) ||
              (g->value && c->value && strcmp(g->value, c->value) == 0));
    CU_ASSERT(ok);
    if (!ok)
        fprintf(stderr, "\n    %s, row %zu:\n    want %s = %s: %s\n"
                        "    got  %s = %s: %s\n", how, i, g->oid, g->type,
                g->value ? g->value : "(time)", c->oid, c->type,
                c->value ? c->value : "(time)");
}

/* ------------------------------------------------------------------------ */

/* GETNEXT from each table's entry OID to its end, table after table. */
static void test_walk(void)
{
    UT_REQUIRE(the_view);
    size_t i = 0;
    for (struct oid_table *const *tp = mib_tables; *tp; tp++) {
        struct oid_table t = fixed(*tp);
        oid name[MAX_OID_LEN];
        size_t name_len = t.entry_len;
        memcpy(name, t.entry, t.entry_len * sizeof(oid));
        size_t row;
        unsigned col;
        while (oid_table_find_next(&t, t.ops.fetch(NULL), name, name_len,
                                   &row, &col) == 0) {
            struct cell_text c;
            CU_ASSERT_EQUAL_FATAL(cell_at(&t, row, col, &c, name, &name_len), 0);
            expect_row(i++, &c, t.name);
        }
    }
    CU_ASSERT_EQUAL(i, n_golden);
}

/* The same cells, column by column, as the per-column registrations
 * answer them. */
static void test_walk_by_column(void)
{
    UT_REQUIRE(the_view);
    size_t i = 0;
    for (struct oid_table *const *tp = mib_tables; *tp; tp++) {
        struct oid_table t = fixed(*tp);
        for (unsigned col = t.first_column; col <= t.last_column; col++) {
            oid name[MAX_OID_LEN];
            size_t name_len = t.entry_len + 1, row;
            memcpy(name, t.entry, t.entry_len * sizeof(oid));
            name[t.entry_len] = col;
            while (oid_table_find_next_in_column(&t, data_of(&t), name, name_len,
                                                 col, &row) == 0) {
                struct cell_text c;
                CU_ASSERT_EQUAL_FATAL(cell_at(&t, row, col, &c, name, &name_len), 0);
                expect_row(i++, &c, t.name);
            }
        }
    }
    CU_ASSERT_EQUAL(i, n_golden);
}

/* ".1.3.6..." into @p out (room for MAX_OID_LEN - 1); the length, or
 * 0 when it is no such text. */
static size_t parse_oid(const char *text, oid *out)
{
    size_t n = 0;
    while (*text == '.' && n < MAX_OID_LEN - 1) {
        char *end;
        out[n++] = strtoul(text + 1, &end, 10);
        if (end == text + 1)
            return 0;
        text = end;
    }
    return *text ? 0 : n;
}

/* GET of every golden OID gives its row; one past an index, none. */
static void test_get(void)
{
    UT_REQUIRE(the_view);
    for (size_t i = 0; i < n_golden; i++) {
        oid name[MAX_OID_LEN];
        size_t name_len = parse_oid(golden[i].oid, name);
        CU_ASSERT_FATAL(name_len > 0);
        int found = 0;
        for (struct oid_table *const *tp = mib_tables; *tp && !found; tp++) {
            struct oid_table t = fixed(*tp);
            size_t row;
            unsigned col;
            if (oid_table_find_exact(&t, data_of(&t), name, name_len, &row, &col) != 0)
                continue;
            found = 1;
            struct cell_text c;
            oid back[MAX_OID_LEN];
            size_t back_len;
            CU_ASSERT_EQUAL_FATAL(cell_at(&t, row, col, &c, back, &back_len), 0);
            expect_row(i, &c, "GET");
            /* The index with one more sub-identifier is no instance. */
            name[name_len] = 0;
            CU_ASSERT_EQUAL(oid_table_find_exact(&t, data_of(&t), name,
                                                 name_len + 1, &row, &col), -1);
        }
        CU_ASSERT(found);
        if (!found)
            fprintf(stderr, "\n    GET %s: no table answers\n", golden[i].oid);
    }
}

/* mtamon.so sets no engine: the alarm table has no rows, its scalars
 * are absent, GETNEXT passes over both. */
static void test_no_alarm_engine(void)
{
    UT_REQUIRE(engine);
    mib_mtamon_set_alarms(NULL);
    static const oid sent0[] = {MIB_MTAMON_ROOT, 1, 9, 1, 0};
    static const oid arc[] = {MIB_MTAMON_ROOT, 1, 9};
    const struct oid_table *tables[] = {&mib_mtamon_alarm_scalars, &mib_mtamon_alarm_table};
    for (size_t i = 0; i < 2; i++) {
        struct oid_table t = fixed(tables[i]);
        size_t row;
        unsigned col;
        CU_ASSERT_PTR_NULL(data_of(&t));
        CU_ASSERT_EQUAL(oid_table_find_exact(&t, data_of(&t), sent0, OID_LENGTH(sent0),
                                             &row, &col), -1);
        CU_ASSERT_EQUAL(oid_table_find_next(&t, data_of(&t), arc, OID_LENGTH(arc), &row,
                                            &col), -1);
    }
    /* Back, with no pending callback: 0. */
    mib_mtamon_set_alarms(engine);
    mib_mtamon_set_alarm_pending(NULL, NULL);
    struct oid_table t = fixed(&mib_mtamon_alarm_scalars);
    struct oid_table_value v;
    CU_ASSERT_EQUAL(t.ops.cell(data_of(&t), 0, 4, &v), 0);
    CU_ASSERT_EQUAL(v.type, ASN_GAUGE);
    CU_ASSERT_EQUAL(v.v.unsigned32, 0);
    mib_mtamon_set_alarm_pending(three_pending, NULL);
}

static mtamon_assoc open_assocs[2];

static void test_load_golden(void)
{
    CU_ASSERT_EQUAL_FATAL(load_golden(), 0);
    CU_ASSERT(n_golden > 0);
}

static void test_setup(void)
{
    make_view(open_assocs);
}

/* --dump: the rows in mib_golden.txt's format, on stderr (CUnit writes
 * to stdout). */
static void test_dump(void)
{
    UT_REQUIRE(the_view);
    for (struct oid_table *const *tp = mib_tables; *tp; tp++) {
        struct oid_table t = fixed(*tp);
        oid name[MAX_OID_LEN];
        size_t name_len = t.entry_len, row;
        unsigned col;
        memcpy(name, t.entry, t.entry_len * sizeof(oid));
        fprintf(stderr, "# %s\n", t.name);
        while (oid_table_find_next(&t, data_of(&t), name, name_len, &row, &col) == 0) {
            struct cell_text c;
            CU_ASSERT_EQUAL_FATAL(cell_at(&t, row, col, &c, name, &name_len), 0);
            if (c.value)
                fprintf(stderr, "%s = %s: %s\n", c.oid, c.type, c.value);
            else
                fprintf(stderr, "%s = %s\n", c.oid, c.type);
        }
    }
}

int main(int argc, char **argv)
{
    static const struct unit_test tests[] = {
        {"the golden cells (mib_golden.txt)", test_load_golden},
        {"a segment with known events", test_setup},
        {"GETNEXT walk of every table", test_walk},
        {"GETNEXT column by column", test_walk_by_column},
        {"GET of every cell", test_get},
        {"no alarm engine: no alarm rows or scalars", test_no_alarm_engine},
        {NULL, NULL},
    };
    static const struct unit_test dump_tests[] = {
        {"a segment with known events", test_setup},
        {"dump", test_dump},
        {NULL, NULL},
    };
    int want_dump = argc > 1 && strcmp(argv[1], "--dump") == 0;
    int rc = unit_main("mib_golden", want_dump ? dump_tests : tests);
    if (the_view)
        fixture_close(&fixture);
    mib_mtamon_set_alarms(NULL);
    mib_mtamon_set_alarm_pending(NULL, NULL);
    alarm_engine_free(engine);
    free(golden);
    free(golden_text);
    return rc;
}
