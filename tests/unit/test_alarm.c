/*
 * test_alarm.c - the alarm engine: thresholds, hysteresis, for, re-sends,
 * the rate limit and its summary, sequence numbers, windows, row order.
 * Time is passed in: no clock, no sleeping.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm.h"
#include "unit_util.h"

#define MAX_EVENTS 64

static struct alarm_event events[MAX_EVENTS];
static char event_objects[MAX_EVENTS][ALARM_OBJECT_MAX + 1];
static size_t n_events;

static void record(void *ctx, const struct alarm_event *ev)
{
    (void)ctx;
    if (n_events < MAX_EVENTS) {
        snprintf(event_objects[n_events], sizeof event_objects[0], "%s",
                 ev->row ? ev->row->object : "");
        events[n_events++] = *ev;
    }
}

static struct config conf;
static struct config_alarm alarms[3];

/* One above alarm (queue_length, raise 100, clear 80) unless changed. */
static void setup(enum config_alarm_kind kind, double raise, double clear)
{
    memset(&conf, 0, sizeof conf);
    memset(alarms, 0, sizeof alarms);
    for (size_t i = 0; i < 3; i++) {
        alarms[i] = (struct config_alarm){
            .name = (char *)"a",
            .kind = kind,
            .raise = raise,
            .clear = clear,
            .interval_s = 10,
            .resend_s = 3600,
            .window_s = 60,
            .min_messages = 20,
            .severity = CONFIG_SEVERITY_MAJOR,
        };
    }
    conf.alarms = alarms;
    conf.n_alarms = 1;
    conf.alarm_options.max_per_second = 0;
    n_events = 0;
}

/* Time t seconds into the test (wall = 1e9 s + t). */
static struct alarm_clock at(double t)
{
    int64_t ms = (int64_t)(t * 1000);
    return (struct alarm_clock){.mono_ms = 5000 + ms, .wall_ms = 1000000000000LL + ms};
}

static void check(alarm_engine *e, double t, const char *obj, double value)
{
    struct alarm_clock now = at(t);
    struct alarm_sample s = {.object = obj, .value = value};
    CU_ASSERT_EQUAL(alarm_engine_update(e, 0, &now, &s, 1), 0);
}

static struct alarm_row *only_row(alarm_engine *e)
{
    struct alarm_row *const *rows;
    size_t n = alarm_engine_rows(e, &rows);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    return rows[0];
}

static void test_raise_resend_clear(void)
{
    setup(CONFIG_ALARM_QUEUE_LENGTH, 100, 80);
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    check(e, 0, "active", 50);
    CU_ASSERT_EQUAL(n_events, 0);
    CU_ASSERT_EQUAL(only_row(e)->state, ALARM_CLEAR);
    check(e, 10, "active", 100);          /* at the threshold: raised */
    CU_ASSERT_EQUAL_FATAL(n_events, 1);
    CU_ASSERT_EQUAL(events[0].type, ALARM_EVENT_RAISE);
    CU_ASSERT_EQUAL(events[0].resend, 0);
    CU_ASSERT_EQUAL(events[0].value, 100);
    CU_ASSERT_EQUAL(events[0].threshold, 100);
    CU_ASSERT_EQUAL(events[0].sequence, 1);
    CU_ASSERT_STRING_EQUAL(event_objects[0], "active");
    for (int t = 20; t < 3610; t += 10)   /* still crossed: nothing */
        check(e, t, "active", 150);
    CU_ASSERT_EQUAL(n_events, 1);
    check(e, 3610, "active", 150);        /* resend_s after the raise */
    CU_ASSERT_EQUAL_FATAL(n_events, 2);
    CU_ASSERT_EQUAL(events[1].type, ALARM_EVENT_RAISE);
    CU_ASSERT_EQUAL(events[1].resend, 1);
    CU_ASSERT_EQUAL(events[1].sequence, 2);
    check(e, 3620, "active", 80);         /* at clear: not past it */
    CU_ASSERT_EQUAL(n_events, 2);
    check(e, 3630, "active", 79);
    CU_ASSERT_EQUAL_FATAL(n_events, 3);
    CU_ASSERT_EQUAL(events[2].type, ALARM_EVENT_CLEAR);
    CU_ASSERT_EQUAL(events[2].threshold, 80);
    CU_ASSERT_EQUAL(events[2].value, 79);
    CU_ASSERT_EQUAL(events[2].sequence, 3);
    struct alarm_row *r = only_row(e);
    CU_ASSERT_EQUAL(r->state, ALARM_CLEAR);
    CU_ASSERT_EQUAL(r->raises, 1);
    CU_ASSERT_EQUAL(r->resends, 1);
    CU_ASSERT_EQUAL(r->clears, 1);
    CU_ASSERT_EQUAL(r->last_value, 79);
    CU_ASSERT_EQUAL(r->raised_ms, at(10).wall_ms);
    CU_ASSERT_EQUAL(r->cleared_ms, at(3630).wall_ms);
    CU_ASSERT_EQUAL(alarm_engine_totals(e).last_sequence, 3);
    alarm_engine_free(e);
}

static void test_hysteresis_flapping(void)
{
    setup(CONFIG_ALARM_QUEUE_LENGTH, 100, 80);
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    /* Between the thresholds, never active: nothing. */
    for (int t = 0; t < 100; t += 10)
        check(e, t, "q", t % 20 ? 99 : 81);
    CU_ASSERT_EQUAL(n_events, 0);
    check(e, 100, "q", 120);
    CU_ASSERT_EQUAL(n_events, 1);
    /* Active, flapping between clear and raise: nothing either. */
    for (int t = 110; t < 300; t += 10)
        check(e, t, "q", t % 20 ? 101 : 81);
    CU_ASSERT_EQUAL(n_events, 1);
    CU_ASSERT_EQUAL(only_row(e)->state, ALARM_ACTIVE);
    alarm_engine_free(e);
}

static void test_for_duration(void)
{
    setup(CONFIG_ALARM_QUEUE_LENGTH, 100, 100);
    alarms[0].for_s = 30;
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    check(e, 0, "q", 200);
    CU_ASSERT_EQUAL(only_row(e)->state, ALARM_PENDING);
    check(e, 10, "q", 200);
    check(e, 20, "q", 50);               /* back before 30 s: forgotten */
    CU_ASSERT_EQUAL(only_row(e)->state, ALARM_CLEAR);
    check(e, 30, "q", 200);
    check(e, 50, "q", 200);
    CU_ASSERT_EQUAL(n_events, 0);
    check(e, 60, "q", 200);              /* crossed since 30: 30 s */
    CU_ASSERT_EQUAL_FATAL(n_events, 1);
    CU_ASSERT_EQUAL(events[0].type, ALARM_EVENT_RAISE);
    CU_ASSERT_EQUAL(only_row(e)->raises, 1);
    alarm_engine_free(e);
}

static void test_below_kind(void)
{
    setup(CONFIG_ALARM_DISK_FREE, 10, 15);
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    check(e, 0, "spool", 10.5);
    CU_ASSERT_EQUAL(n_events, 0);
    check(e, 10, "spool", 4.7);
    CU_ASSERT_EQUAL_FATAL(n_events, 1);
    CU_ASSERT_EQUAL(events[0].threshold, 10);
    check(e, 20, "spool", 15);           /* at clear: not past it */
    CU_ASSERT_EQUAL(n_events, 1);
    check(e, 30, "spool", 15.1);
    CU_ASSERT_EQUAL_FATAL(n_events, 2);
    CU_ASSERT_EQUAL(events[1].type, ALARM_EVENT_CLEAR);
    CU_ASSERT_EQUAL(events[1].threshold, 15);
    alarm_engine_free(e);
}

static void test_rate_limit_summary(void)
{
    setup(CONFIG_ALARM_QUEUE_LENGTH, 1, 1);
    conf.alarm_options.max_per_second = 2;
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    struct alarm_sample s[5];
    char names[5][4];
    for (int i = 0; i < 5; i++) {
        snprintf(names[i], sizeof names[i], "c%d", i);
        s[i] = (struct alarm_sample){.object = names[i], .value = 5};
    }
    struct alarm_clock now = at(0.2);
    CU_ASSERT_EQUAL(alarm_engine_update(e, 0, &now, s, 5), 0);
    CU_ASSERT_EQUAL(n_events, 2);
    struct alarm_totals t = alarm_engine_totals(e);
    CU_ASSERT_EQUAL(t.suppressed, 3);
    CU_ASSERT_EQUAL(t.active, 5);       /* their state changed all the same */
    now = at(0.9);                       /* same second: no summary yet */
    alarm_engine_tick(e, &now);
    CU_ASSERT_EQUAL(n_events, 2);
    now = at(1.0);
    alarm_engine_tick(e, &now);
    CU_ASSERT_EQUAL_FATAL(n_events, 3);
    CU_ASSERT_EQUAL(events[2].type, ALARM_EVENT_SUMMARY);
    CU_ASSERT_PTR_NULL(events[2].row);
    CU_ASSERT_EQUAL(events[2].suppressed, 3);
    CU_ASSERT_EQUAL(events[2].sequence, 3);
    alarm_engine_tick(e, &now);
    now = at(2.5);
    alarm_engine_tick(e, &now);          /* nothing suppressed since */
    CU_ASSERT_EQUAL(n_events, 3);
    CU_ASSERT_EQUAL(alarm_engine_totals(e).summaries, 1);
    /* Sequence numbers have no gap: 1, 2, 3. */
    for (size_t i = 0; i < n_events; i++)
        CU_ASSERT_EQUAL(events[i].sequence, i + 1);
    struct alarm_row *const *rows;
    size_t n = alarm_engine_rows(e, &rows);
    uint64_t suppressed = 0;
    for (size_t i = 0; i < n; i++)
        suppressed += rows[i]->suppressed;
    CU_ASSERT_EQUAL(suppressed, 3);
    alarm_engine_free(e);
}

static void windowed(alarm_engine *e, double t, uint64_t num, uint64_t den)
{
    struct alarm_clock now = at(t);
    struct alarm_sample s = {.object = "tcp_local", .num = num, .den = den};
    CU_ASSERT_EQUAL(alarm_engine_update(e, 0, &now, &s, 1), 0);
}

static void test_failure_rate_window(void)
{
    setup(CONFIG_ALARM_FAILURE_RATE, 20, 10);
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);   /* window 60 s */
    windowed(e, 0, 1000, 5000);
    CU_ASSERT_EQUAL(only_row(e)->value, 0);       /* no difference yet */
    windowed(e, 10, 1001, 5002);                  /* 1 of 2: too few */
    CU_ASSERT_EQUAL(only_row(e)->value, 0);
    CU_ASSERT_EQUAL(n_events, 0);
    windowed(e, 20, 1031, 5100);                  /* 31 of 100: 31 % */
    CU_ASSERT_DOUBLE_EQUAL(only_row(e)->value, 31.0, 1e-9);
    CU_ASSERT_EQUAL_FATAL(n_events, 1);
    /* 70 s later the failures are out of the window. */
    windowed(e, 40, 1031, 5300);
    windowed(e, 60, 1031, 5500);
    windowed(e, 80, 1031, 5700);
    windowed(e, 90, 1031, 5800);
    CU_ASSERT_DOUBLE_EQUAL(only_row(e)->value, 0.0, 1e-9);
    CU_ASSERT_EQUAL_FATAL(n_events, 2);
    CU_ASSERT_EQUAL(events[1].type, ALARM_EVENT_CLEAR);
    /* Counters restarted (segment re-created): history too, no negative. */
    windowed(e, 100, 3, 10);
    CU_ASSERT_EQUAL(only_row(e)->value, 0);
    windowed(e, 110, 13, 40);                     /* 10 of 30 */
    CU_ASSERT_DOUBLE_EQUAL(only_row(e)->value, 100.0 * 10 / 30, 1e-9);
    alarm_engine_free(e);
}

/* A window of many checks grows as samples come, and covers all of it. */
static void test_window_grows(void)
{
    setup(CONFIG_ALARM_FAILURE_RATE, 50, 40);
    alarms[0].interval_s = 1;
    alarms[0].window_s = 100;
    alarms[0].min_messages = 1;
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    /* 100 s of 10 messages a second, 6 of them failed until t = 50, then
     * none: over the last 100 s, 300 failed of 1000. */
    uint64_t num = 0, den = 0;
    for (int t = 0; t <= 100; t++) {
        windowed(e, t, num, den);
        den += 10;
        num += t < 50 ? 6 : 0;
    }
    CU_ASSERT_DOUBLE_EQUAL(only_row(e)->value, 30.0, 1e-9);
    /* At t = 120 the window starts at t = 20: 180 failed of 1000. */
    for (int t = 101; t <= 120; t++) {
        windowed(e, t, num, den);
        den += 10;
    }
    CU_ASSERT_DOUBLE_EQUAL(only_row(e)->value, 18.0, 1e-9);
    alarm_engine_free(e);
}

static void test_delivery_time(void)
{
    setup(CONFIG_ALARM_DELIVERY_TIME, 600, 300);
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    windowed(e, 0, 0, 0);
    windowed(e, 10, 25 * 700000ULL, 25);          /* 25 messages, 700 s each */
    CU_ASSERT_DOUBLE_EQUAL(only_row(e)->value, 700.0, 1e-9);
    CU_ASSERT_EQUAL(n_events, 1);
    alarm_engine_free(e);
}

static void test_connections_absent_is_zero(void)
{
    setup(CONFIG_ALARM_CONNECTIONS, 50, 40);
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    check(e, 0, "25/192.0.2.7", 60);
    CU_ASSERT_EQUAL(n_events, 1);
    struct alarm_clock now = at(10);
    CU_ASSERT_EQUAL(alarm_engine_update(e, 0, &now, NULL, 0), 0);
    CU_ASSERT_EQUAL_FATAL(n_events, 2);
    CU_ASSERT_EQUAL(events[1].type, ALARM_EVENT_CLEAR);
    CU_ASSERT_EQUAL(only_row(e)->present, 0);
    alarm_engine_free(e);

    /* Any other kind keeps its state when the object is not sampled. */
    setup(CONFIG_ALARM_QUEUE_LENGTH, 100, 80);
    e = alarm_engine_new(&conf, record, NULL);
    check(e, 0, "deferred", 500);
    now = at(10);
    CU_ASSERT_EQUAL(alarm_engine_update(e, 0, &now, NULL, 0), 0);
    CU_ASSERT_EQUAL(n_events, 1);
    CU_ASSERT_EQUAL(only_row(e)->state, ALARM_ACTIVE);
    alarm_engine_free(e);
}

static void test_row_order_and_duplicates(void)
{
    setup(CONFIG_ALARM_QUEUE_LENGTH, 100, 80);
    conf.n_alarms = 2;
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    struct alarm_clock now = at(0);
    struct alarm_sample b[] = {{.object = "zz"}, {.object = "b"}, {.object = "aaa"},
                               {.object = "b"}};
    struct alarm_sample a[] = {{.object = "x"}, {.object = ""}};
    CU_ASSERT_EQUAL(alarm_engine_update(e, 1, &now, b, 4), 0);
    CU_ASSERT_EQUAL(alarm_engine_update(e, 0, &now, a, 2), 0);
    struct alarm_row *const *rows;
    size_t n = alarm_engine_rows(e, &rows);
    CU_ASSERT_EQUAL_FATAL(n, 5);
    const char *want[] = {"", "x", "b", "zz", "aaa"};
    size_t want_alarm[] = {0, 0, 1, 1, 1};
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_STRING_EQUAL(rows[i]->object, want[i]);
        CU_ASSERT_EQUAL(rows[i]->alarm, want_alarm[i]);
    }
    /* A long name is cut, not overflowed. */
    char longname[200];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    struct alarm_sample l = {.object = longname};
    CU_ASSERT_EQUAL(alarm_engine_update(e, 1, &now, &l, 1), 0);
    n = alarm_engine_rows(e, &rows);
    CU_ASSERT_EQUAL(strlen(rows[n - 1]->object), ALARM_OBJECT_MAX);
    alarm_engine_free(e);
}

static void test_due_and_delivered(void)
{
    setup(CONFIG_ALARM_QUEUE_LENGTH, 100, 80);
    alarm_engine *e = alarm_engine_new(&conf, record, NULL);
    struct alarm_clock t0 = at(0), t9 = at(9.5), t10 = at(10);
    CU_ASSERT_TRUE(alarm_engine_due(e, 0, &t0));
    check(e, 0, "q", 500);
    CU_ASSERT_FALSE(alarm_engine_due(e, 0, &t9));
    CU_ASSERT_TRUE(alarm_engine_due(e, 0, &t10));
    CU_ASSERT_FALSE(alarm_engine_due(e, 5, &t10));  /* no such alarm */
    struct alarm_row *r = only_row(e);
    alarm_engine_delivered(e, r, 1);
    alarm_engine_delivered(e, r, 0);
    alarm_engine_delivered(e, NULL, 1);
    CU_ASSERT_EQUAL(r->sent, 1);
    CU_ASSERT_EQUAL(r->failed, 1);
    struct alarm_totals t = alarm_engine_totals(e);
    CU_ASSERT_EQUAL(t.sent, 2);
    CU_ASSERT_EQUAL(t.failed, 1);
    CU_ASSERT_EQUAL(t.active, 1);
    alarm_engine_free(e);
    alarm_engine_free(NULL);
}

static void test_format_value(void)
{
    char buf[ALARM_VALUE_MAX];
    CU_ASSERT_STRING_EQUAL(alarm_format_value(4.7, buf), "4.7");
    CU_ASSERT_STRING_EQUAL(alarm_format_value(1234567, buf), "1234567");
    CU_ASSERT_STRING_EQUAL(alarm_format_value(0, buf), "0");
    CU_ASSERT_STRING_EQUAL(alarm_format_value(100.0 / 3, buf), "33.33");
    CU_ASSERT_STRING_EQUAL(alarm_format_value(-0.001, buf), "0");
    CU_ASSERT_STRING_EQUAL(alarm_format_value(__builtin_nan(""), buf), "0");
    CU_ASSERT_STRING_EQUAL(alarm_state_name(ALARM_PENDING), "pending");
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"raise, re-send, clear", test_raise_resend_clear},
        {"hysteresis: flapping sends nothing", test_hysteresis_flapping},
        {"for: held before raising", test_for_duration},
        {"below kinds", test_below_kind},
        {"rate limit and summary", test_rate_limit_summary},
        {"failure rate over a window", test_failure_rate_window},
        {"delivery time over a window", test_delivery_time},
        {"a window grows to its length", test_window_grows},
        {"connections: absent is zero", test_connections_absent_is_zero},
        {"row order and duplicates", test_row_order_and_duplicates},
        {"due and delivered", test_due_and_delivered},
        {"format_value", test_format_value},
        {NULL, NULL},
    };
    return unit_main("alarm", tests);
}
