/*
 * test_alarm_state.c - mtamond's alarm state file (src/agent/alarm_state.c):
 * a real engine, fed samples at known times (raises, a clear, a pending
 * row, the rate limit and its summary, delivered and failed
 * notifications, a row gone from the samples, hostile object names), is
 * written and read back with the reader `mtamon alarms` uses
 * (alarm_file.h), and every figure of every row compared; the file's
 * mode, and a target that cannot be replaced.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_util.h"
#include "alarm.h"
#include "alarm_file.h"
#include "alarm_state.h"
#include "whole_file.h"

static char tmpdir[64];
static char path[128];

static void remove_tmpdir(void)
{
    char p[192];
    const char *names[] = {"alarms.json", "link", "target"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    if (tmpdir[0])
        rmdir(tmpdir);
}

static void make_tmpdir(void)
{
    if (tmpdir[0])
        return;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mtamon-ut-astate.XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
    atexit(remove_tmpdir);
    snprintf(path, sizeof path, "%s/alarms.json", tmpdir);
}

/* ------------------------------------------------------------------------ */
/* An engine with a known history                                            */

#define MAX_EVENTS 32

static struct config conf;
static struct config_alarm alarms[4];
static struct alarm_event events[MAX_EVENTS];
static size_t n_events;

static void record(void *ctx, const struct alarm_event *ev)
{
    (void)ctx;
    if (n_events < MAX_EVENTS)
        events[n_events++] = *ev;
}

/* t seconds after 2025-12-05T01:00:00Z. */
static struct alarm_clock at(int t)
{
    return (struct alarm_clock){.mono_ms = 7000 + (int64_t)t * 1000,
                                .wall_ms = 1764896400000LL + (int64_t)t * 1000};
}

/* Object names from the counter segment are outside input. */
static const char obj_quotes[] = "a\"b\\c";
static const char obj_controls[] = "x\001y\037z\177\n";
static const char obj_utf8[] = "caf\xc3\xa9-\xe2\x82\xac\xc2\x85";
static const char obj_latin1[] = "b\xffz";
static const char obj_latin1_read[] = "b\xc3\xbfz";   /* U+00FF */

static void setup(void)
{
    memset(&conf, 0, sizeof conf);
    alarms[0] = (struct config_alarm){
        .name = (char *)"spool-space", .kind = CONFIG_ALARM_DISK_FREE,
        .source = CONFIG_ALARM_ON_PARTITIONS, .raise = 10, .clear = 15.5, .interval_s = 30,
        .resend_s = 3600, .severity = CONFIG_SEVERITY_MAJOR,
    };
    alarms[1] = (struct config_alarm){
        .name = (char *)"queue-long", .kind = CONFIG_ALARM_QUEUE_LENGTH,
        .source = CONFIG_ALARM_ON_CHANNELS, .raise = 1000, .clear = 800, .for_s = 120,
        .interval_s = 60, .resend_s = 0, .severity = CONFIG_SEVERITY_WARNING,
    };
    alarms[2] = (struct config_alarm){
        .name = (char *)"stale", .kind = CONFIG_ALARM_SEGMENT_STALE,
        .source = CONFIG_ALARM_ON_SEGMENT, .raise = 600, .clear = 300, .interval_s = 10,
        .resend_s = 3600, .severity = CONFIG_SEVERITY_CRITICAL,
    };
    alarms[3] = (struct config_alarm){
        .name = (char *)"never", .kind = CONFIG_ALARM_PROCESS_DOWN,
        .source = CONFIG_ALARM_ON_PROCESSES, .raise = 1, .clear = 1, .interval_s = 60,
        .resend_s = 3600, .severity = CONFIG_SEVERITY_MINOR,
    };
    conf.alarms = alarms;
    conf.n_alarms = 4;
    conf.alarm_options.max_per_second = 3;
    n_events = 0;
}

static void update(alarm_engine *e, size_t alarm, int t, const struct alarm_sample *s,
                   size_t n)
{
    struct alarm_clock now = at(t);
    CU_ASSERT_EQUAL(alarm_engine_update(e, alarm, &now, s, n), 0);
}

/* Confirm or refuse what was emitted since event @p from. */
static void deliver(alarm_engine *e, size_t from, int ok)
{
    for (size_t i = from; i < n_events; i++)
        alarm_engine_delivered(e, events[i].row, ok);
}

static alarm_engine *history(void)
{
    setup();
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    /* t = 0: four raises in one second, limit 3: one suppressed. */
    const struct alarm_sample disk0[] = {
        {"spool", 4.7, 0, 0}, {obj_quotes, 3, 0, 0}, {obj_controls, 2, 0, 0},
        {obj_utf8, 1, 0, 0}, {obj_latin1, 52.25, 0, 0}, {"var", 20, 0, 0},
    };
    update(e, 0, 0, disk0, 6);
    CU_ASSERT_EQUAL(n_events, 3);
    deliver(e, 0, 1);
    /* t = 1: the summary of the one not sent; refused. */
    struct alarm_clock t1 = at(1);
    alarm_engine_tick(e, &t1);
    CU_ASSERT_EQUAL_FATAL(n_events, 4);
    CU_ASSERT_EQUAL(events[3].type, ALARM_EVENT_SUMMARY);
    deliver(e, 3, 0);
    /* t = 5: the segment stale, raised; t = 15: cleared. */
    const struct alarm_sample seg_hi = {"", 700, 0, 0}, seg_lo = {"", 10, 0, 0};
    update(e, 2, 5, &seg_hi, 1);
    update(e, 2, 15, &seg_lo, 1);
    CU_ASSERT_EQUAL_FATAL(n_events, 6);
    deliver(e, 4, 1);
    /* t = 30: spool recovers past its clear threshold (the last sample
     * of the others again). */
    const struct alarm_sample disk30[] = {
        {"spool", 16, 0, 0}, {obj_quotes, 3, 0, 0}, {obj_controls, 2, 0, 0},
        {obj_utf8, 1, 0, 0}, {obj_latin1, 52.25, 0, 0}, {"var", 12.5, 0, 0},
    };
    update(e, 0, 30, disk30, 6);
    CU_ASSERT_EQUAL_FATAL(n_events, 7);
    deliver(e, 6, 0);
    /* A queue above its threshold, for less than its 120 s: pending;
     * then a check without it: not present. */
    const struct alarm_sample q = {"tcp_local", 1200, 0, 0};
    update(e, 1, 31, &q, 1);
    update(e, 1, 91, NULL, 0);
    return e;
}

/* ------------------------------------------------------------------------ */

static struct alarm_file *read_back(void)
{
    char *text = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(whole_file_read(path, ALARM_FILE_MAX, &text, &len), 0);
    struct alarm_file *doc = NULL;
    char err[512] = "";
    int rc = alarm_file_parse(path, text, len, &doc, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "\n    %s\n    %s\n", err, text);
    free(text);
    return doc;
}

/* The file's row @p fr is engine row @p r. */
static void assert_row(const struct alarm_file_row *fr, const struct alarm_row *r,
                       const char *object)
{
    CU_ASSERT_STRING_EQUAL(fr->object, object);
    CU_ASSERT_EQUAL((int)fr->state, (int)r->state);
    CU_ASSERT_EQUAL(fr->has_value, r->has_value);
    CU_ASSERT(fr->value == r->value);
    CU_ASSERT_EQUAL(fr->has_last_value, r->raised_ms != 0 || r->cleared_ms != 0);
    CU_ASSERT(!fr->has_last_value || fr->last_value == r->last_value);
    CU_ASSERT_EQUAL(fr->raises, r->raises);
    CU_ASSERT_EQUAL(fr->clears, r->clears);
    CU_ASSERT_EQUAL(fr->resends, r->resends);
    CU_ASSERT_EQUAL(fr->last_raise_ms, r->raised_ms);
    CU_ASSERT_EQUAL(fr->last_clear_ms, r->cleared_ms);
    CU_ASSERT_EQUAL(fr->last_check_ms, r->last_check_ms);
    CU_ASSERT_EQUAL(fr->sent, r->sent);
    CU_ASSERT_EQUAL(fr->failed, r->failed);
    CU_ASSERT_EQUAL(fr->suppressed, r->suppressed);
    CU_ASSERT_EQUAL(fr->present, r->present != 0);
}

/* Written, read back: every alarm, every row, every figure. */
static void test_round_trip(void)
{
    make_tmpdir();
    alarm_engine *e = history();
    char err[512] = "";
    int64_t written = at(92).wall_ms;
    int rc = alarm_state_write(path, e, &conf, written, 7, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "\n    %s\n", err);
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);

    struct alarm_file *doc = read_back();
    UT_REQUIRE(doc);
    char host[ALARM_FILE_NAME_MAX + 1] = "";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    CU_ASSERT_STRING_EQUAL(doc->host, host);
    CU_ASSERT_EQUAL(doc->written_ms, written);
    struct alarm_totals t = alarm_engine_totals(e);
    CU_ASSERT_EQUAL(doc->sent, t.sent);
    CU_ASSERT_EQUAL(doc->failed, t.failed);
    CU_ASSERT_EQUAL(doc->suppressed, t.suppressed);
    CU_ASSERT_EQUAL(doc->summaries, t.summaries);
    CU_ASSERT_EQUAL(doc->last_sequence, t.last_sequence);
    CU_ASSERT_EQUAL(doc->pending, 7);
    /* What the history made, as figures: 3 raises sent, the summary
     * refused, the stale raise and clear sent, the spool clear refused. */
    CU_ASSERT_EQUAL(doc->sent, 5);
    CU_ASSERT_EQUAL(doc->failed, 2);
    CU_ASSERT_EQUAL(doc->suppressed, 1);
    CU_ASSERT_EQUAL(doc->summaries, 1);
    CU_ASSERT_EQUAL(doc->last_sequence, 7);

    UT_REQUIRE(doc->n_alarms == 4);
    static const char *const kinds[] = {"disk_free", "queue_length", "segment_stale",
                                        "process_down"};
    static const char *const severities[] = {"major", "warning", "critical", "minor"};
    for (size_t i = 0; i < 4; i++) {
        const struct alarm_file_alarm *a = &doc->alarms[i];
        CU_ASSERT_EQUAL(a->index, i + 1);
        CU_ASSERT_STRING_EQUAL(a->name, alarms[i].name);
        CU_ASSERT_STRING_EQUAL(a->kind, kinds[i]);
        CU_ASSERT_STRING_EQUAL(a->severity, severities[i]);
        CU_ASSERT(a->raise == alarms[i].raise && a->clear == alarms[i].clear);
        CU_ASSERT_EQUAL(a->interval_s, alarms[i].interval_s);
        CU_ASSERT_EQUAL(a->for_s, alarms[i].for_s);
        CU_ASSERT_EQUAL(a->resend_s, alarms[i].resend_s);
    }
    /* The rows, alarm by alarm in the engine's order. */
    struct alarm_row *const *rows;
    size_t n = alarm_engine_rows(e, &rows);
    CU_ASSERT_EQUAL(n, 8);
    size_t k = 0;
    for (size_t i = 0; i < 4; i++) {
        const struct alarm_file_alarm *a = &doc->alarms[i];
        for (size_t j = 0; j < a->n_rows && k < n; j++, k++) {
            CU_ASSERT_EQUAL(rows[k]->alarm, i);
            const char *want = strcmp(rows[k]->object, obj_latin1) == 0 ? obj_latin1_read
                                                                        : rows[k]->object;
            assert_row(&a->rows[j], rows[k], want);
        }
    }
    CU_ASSERT_EQUAL(k, n);
    CU_ASSERT_EQUAL(doc->alarms[0].n_rows, 6);
    CU_ASSERT_EQUAL(doc->alarms[1].n_rows, 1);
    CU_ASSERT_EQUAL(doc->alarms[2].n_rows, 1);
    CU_ASSERT_EQUAL(doc->alarms[3].n_rows, 0);

    /* Spot checks against the history, not only against the engine. */
    const struct alarm_file_row *q = &doc->alarms[1].rows[0];
    CU_ASSERT_STRING_EQUAL(q->object, "tcp_local");
    CU_ASSERT_EQUAL(q->state, ALARM_FILE_PENDING);
    CU_ASSERT_EQUAL(q->present, 0);
    CU_ASSERT_EQUAL(q->has_last_value, 0);
    const struct alarm_file_row *s = &doc->alarms[2].rows[0];
    CU_ASSERT_STRING_EQUAL(s->object, "");
    CU_ASSERT_EQUAL(s->state, ALARM_FILE_CLEAR);
    CU_ASSERT_EQUAL(s->raises, 1);
    CU_ASSERT_EQUAL(s->clears, 1);
    CU_ASSERT_EQUAL(s->last_raise_ms, at(5).wall_ms);
    CU_ASSERT_EQUAL(s->last_clear_ms, at(15).wall_ms);
    CU_ASSERT(s->has_last_value && s->last_value == 10);
    CU_ASSERT_EQUAL(s->sent, 2);
    int found = 0;
    for (size_t j = 0; j < doc->alarms[0].n_rows; j++) {
        const struct alarm_file_row *r = &doc->alarms[0].rows[j];
        if (strcmp(r->object, "spool") == 0) {
            found = 1;
            CU_ASSERT_EQUAL(r->state, ALARM_FILE_CLEAR);
            CU_ASSERT(r->value == 16 && r->last_value == 16);
            CU_ASSERT_EQUAL(r->sent, 1);
            CU_ASSERT_EQUAL(r->failed, 1);
        }
    }
    CU_ASSERT(found);
    alarm_file_free(doc);

    /* Written again over the old file: the new state. */
    rc = alarm_state_write(path, e, &conf, written + 1000, 0, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    doc = read_back();
    if (doc) {
        CU_ASSERT_EQUAL(doc->written_ms, written + 1000);
        CU_ASSERT_EQUAL(doc->pending, 0);
    }
    alarm_file_free(doc);
    alarm_engine_free(e);
}

/* No alarm configured: an empty array; still a valid file. */
static void test_no_alarms(void)
{
    make_tmpdir();
    memset(&conf, 0, sizeof conf);
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    UT_REQUIRE(e);
    char err[512] = "";
    CU_ASSERT_EQUAL(alarm_state_write(path, e, &conf, 1764896400000LL, 0, err, sizeof err), 0);
    struct alarm_file *doc = read_back();
    if (doc) {
        CU_ASSERT_EQUAL(doc->n_alarms, 0);
        CU_ASSERT_EQUAL(doc->sent, 0);
        CU_ASSERT_EQUAL(doc->last_sequence, 0);
    }
    alarm_file_free(doc);
    alarm_engine_free(e);
}

/* A symbolic link, a missing directory: refused with the reason. */
static void test_cannot_write(void)
{
    make_tmpdir();
    setup();
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    UT_REQUIRE(e);
    char link[160], target[160], err[512] = "";
    snprintf(link, sizeof link, "%s/link", tmpdir);
    snprintf(target, sizeof target, "%s/target", tmpdir);
    CU_ASSERT_EQUAL(symlink(target, link), 0);
    CU_ASSERT_EQUAL(alarm_state_write(link, e, &conf, 1, 0, err, sizeof err), -1);
    char want[256];
    snprintf(want, sizeof want, "%s: is a symbolic link: not replaced", link);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(access(target, F_OK), -1);   /* nothing written through it */

    char missing[192];
    snprintf(missing, sizeof missing, "%s/no/such/dir/alarms.json", tmpdir);
    CU_ASSERT_EQUAL(alarm_state_write(missing, e, &conf, 1, 0, err, sizeof err), -1);
    CU_ASSERT(strncmp(err, missing, strlen(missing)) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file or directory"));
    alarm_engine_free(e);
}

UT_MAIN("alarm_state",
        {"a real engine written and read back", test_round_trip},
        {"no alarms: a valid file", test_no_alarms},
        {"a link or a missing directory: refused", test_cannot_write})
