/*
 * alarm.c - the alarm engine (see alarm.h): rows, the state machine,
 * windows and the rate limit.
 */
#include "alarm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm_file.h"

/* A check may come a little early: the caller's timer and the clock
 * drift apart by a few milliseconds. */
#define DUE_SLACK_MS 250

/* Most samples a window keeps; past it the oldest go first (a 7-day
 * window checked every second keeps the last 4096 s). */
#define WINDOW_MAX 4096

struct window_sample {
    int64_t mono_ms;
    uint64_t num, den;
};

struct alarm_window {
    struct window_sample *s;   /* ring */
    size_t cap, head, n;       /* oldest at head */
    size_t max_cap;            /* what the window needs at most: the ring
                                  grows to it as samples come */
};

/* A window starts this small: 10,000 rows of a 900 s window checked
 * every second would otherwise take 200 MB before they hold anything. */
#define WINDOW_INITIAL 8

struct alarm_engine {
    const struct config *conf;
    alarm_emit_fn *emit;
    void *ctx;

    struct alarm_row **rows;   /* sorted by row_cmp() */
    size_t n_rows, cap_rows;

    int64_t *checked_mono_ms;  /* per alarm: last check, or INT64_MIN */

    /* The rate limit: notifications emitted in wall-clock second
     * rl_second, and how many were suppressed in it. */
    int64_t rl_second;
    uint32_t rl_count, rl_suppressed;

    uint32_t sequence;
    struct alarm_totals totals;
};

/* --- rows ---------------------------------------------------------------- */

/* mtamonAlarmTable's order: alarm, then object length, then bytes. */
static int key_cmp(size_t alarm_a, const char *obj_a, size_t len_a,
                   size_t alarm_b, const char *obj_b, size_t len_b)
{
    if (alarm_a != alarm_b)
        return alarm_a < alarm_b ? -1 : 1;
    if (len_a != len_b)
        return len_a < len_b ? -1 : 1;
    return memcmp(obj_a, obj_b, len_a);
}

static int row_cmp(const void *a, const void *b)
{
    const struct alarm_row *ra = *(const struct alarm_row *const *)a;
    const struct alarm_row *rb = *(const struct alarm_row *const *)b;
    return key_cmp(ra->alarm, ra->object, strlen(ra->object), rb->alarm,
                   rb->object, strlen(rb->object));
}

/* First row of @p alarm with a key >= (alarm, obj), among the n_sorted
 * first rows. */
static size_t lower_bound(const alarm_engine *e, size_t n_sorted, size_t alarm,
                          const char *obj, size_t len)
{
    size_t lo = 0, hi = n_sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct alarm_row *r = e->rows[mid];
        if (key_cmp(r->alarm, r->object, strlen(r->object), alarm, obj, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void window_free(struct alarm_window *w)
{
    if (w) {
        free(w->s);
        free(w);
    }
}

static void row_free(struct alarm_row *r)
{
    if (r) {
        window_free(r->window);
        free(r);
    }
}

static int windowed(enum config_alarm_kind kind)
{
    return kind == CONFIG_ALARM_FAILURE_RATE || kind == CONFIG_ALARM_DELIVERY_TIME;
}

static struct alarm_row *row_new(const alarm_engine *e, size_t alarm,
                                 const char *obj, size_t len)
{
    struct alarm_row *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->alarm = alarm;
    r->conf = &e->conf->alarms[alarm];
    memcpy(r->object, obj, len);
    r->object[len] = '\0';
    r->state = ALARM_CLEAR;
    if (windowed(r->conf->kind)) {
        const struct config_alarm *a = r->conf;
        size_t cap = (a->interval_s ? a->window_s / a->interval_s : a->window_s) + 2;
        if (cap > WINDOW_MAX)
            cap = WINDOW_MAX;
        r->window = calloc(1, sizeof *r->window);
        size_t first = cap < WINDOW_INITIAL ? cap : WINDOW_INITIAL;
        if (r->window)
            r->window->s = calloc(first, sizeof *r->window->s);
        if (!r->window || !r->window->s) {
            row_free(r);
            return NULL;
        }
        r->window->cap = first;
        r->window->max_cap = cap;
    }
    return r;
}

static int rows_reserve(alarm_engine *e, size_t more)
{
    if (e->n_rows + more <= e->cap_rows)
        return 0;
    size_t cap = e->cap_rows ? e->cap_rows : 64;
    while (cap < e->n_rows + more)
        cap *= 2;
    struct alarm_row **p = realloc(e->rows, cap * sizeof *p);
    if (!p)
        return -1;
    e->rows = p;
    e->cap_rows = cap;
    return 0;
}

/* Sort rows appended after the first @p n_sorted; a key present twice
 * (a sampler that named an object twice) keeps its first row. */
static void rows_merge(alarm_engine *e, size_t n_sorted)
{
    if (n_sorted == e->n_rows)
        return;
    qsort(e->rows, e->n_rows, sizeof *e->rows, row_cmp);
    size_t out = 0;
    for (size_t i = 0; i < e->n_rows; i++) {
        if (out > 0 && row_cmp(&e->rows[out - 1], &e->rows[i]) == 0) {
            row_free(e->rows[i]);
            continue;
        }
        e->rows[out++] = e->rows[i];
    }
    e->n_rows = out;
}

/* --- windows ------------------------------------------------------------- */

static const struct window_sample *window_at(const struct alarm_window *w, size_t i)
{
    return &w->s[(w->head + i) % w->cap];
}

/* Room for one more sample: grow the ring (in order, oldest first) up to
 * max_cap; when it is that big, or memory is short, the oldest goes. */
static void window_make_room(struct alarm_window *w)
{
    if (w->n < w->cap)
        return;
    if (w->cap < w->max_cap) {
        size_t cap = w->cap * 2 < w->max_cap ? w->cap * 2 : w->max_cap;
        struct window_sample *s = malloc(cap * sizeof *s);
        if (s) {
            for (size_t i = 0; i < w->n; i++)
                s[i] = *window_at(w, i);
            free(w->s);
            w->s = s;
            w->cap = cap;
            w->head = 0;
            return;
        }
    }
    w->head = (w->head + 1) % w->cap;
    w->n--;
}

/* The windowed value after adding (num, den) at @p mono_ms: the ratio of
 * the differences since the oldest sample not older than the window. */
static double window_value(const struct config_alarm *a, struct alarm_window *w,
                           int64_t mono_ms, uint64_t num, uint64_t den)
{
    if (w->n > 0) {
        const struct window_sample *last = window_at(w, w->n - 1);
        if (num < last->num || den < last->den)
            w->n = 0;   /* counters restarted: so does the history */
    }
    /* Keep the samples within the window; half an interval of slack so
     * that a check a little late does not lose the window's start. */
    int64_t oldest_ok = mono_ms - (int64_t)a->window_s * 1000 -
                        (int64_t)a->interval_s * 500;
    while (w->n > 0 && window_at(w, 0)->mono_ms < oldest_ok) {
        w->head = (w->head + 1) % w->cap;
        w->n--;
    }
    window_make_room(w);
    w->s[(w->head + w->n) % w->cap] = (struct window_sample){mono_ms, num, den};
    w->n++;

    const struct window_sample *base = window_at(w, 0);
    uint64_t dnum = num - base->num, dden = den - base->den;
    if (dden == 0 || dden < a->min_messages)
        return 0;
    if (a->kind == CONFIG_ALARM_FAILURE_RATE)
        return 100.0 * (double)dnum / (double)dden;
    return (double)dnum / (double)dden / 1000.0;   /* ms per message -> s */
}

/* --- notifications ------------------------------------------------------- */

static uint32_t next_sequence(alarm_engine *e)
{
    if (++e->sequence == 0)
        e->sequence = 1;
    e->totals.last_sequence = e->sequence;
    return e->sequence;
}

static int64_t wall_second(int64_t wall_ms)
{
    return wall_ms >= 0 ? wall_ms / 1000 : -((-wall_ms + 999) / 1000);
}

void alarm_engine_tick(alarm_engine *e, const struct alarm_clock *now)
{
    int64_t sec = wall_second(now->wall_ms);
    if (sec == e->rl_second)
        return;
    uint32_t suppressed = e->rl_suppressed;
    e->rl_second = sec;
    e->rl_count = 0;
    e->rl_suppressed = 0;
    if (suppressed == 0)
        return;
    struct alarm_event ev = {
        .type = ALARM_EVENT_SUMMARY,
        .sequence = next_sequence(e),
        .wall_ms = now->wall_ms,
        .suppressed = suppressed,
    };
    e->totals.summaries++;
    e->emit(e->ctx, &ev);
}

static void emit_event(alarm_engine *e, struct alarm_event *ev)
{
    unsigned max = e->conf->alarm_options.max_per_second;
    if (max && e->rl_count >= max) {
        ev->row->suppressed++;
        e->totals.suppressed++;
        e->rl_suppressed++;
        return;
    }
    e->rl_count++;
    ev->sequence = next_sequence(e);
    e->emit(e->ctx, ev);
}

static void notify(alarm_engine *e, struct alarm_row *r, enum alarm_event_type type,
                   int resend, const struct alarm_clock *now)
{
    struct alarm_event ev = {
        .type = type,
        .row = r,
        .resend = resend,
        .value = r->value,
        .threshold = type == ALARM_EVENT_CLEAR ? r->conf->clear : r->conf->raise,
        .wall_ms = now->wall_ms,
    };
    r->last_value = r->value;
    emit_event(e, &ev);
}

/* --- the state machine --------------------------------------------------- */

static void raise_row(alarm_engine *e, struct alarm_row *r,
                      const struct alarm_clock *now)
{
    r->state = ALARM_ACTIVE;
    r->raises++;
    r->raised_ms = now->wall_ms;
    r->notified_mono_ms = now->mono_ms;
    e->totals.active++;
    notify(e, r, ALARM_EVENT_RAISE, 0, now);
}

static void clear_row(alarm_engine *e, struct alarm_row *r,
                      const struct alarm_clock *now)
{
    r->state = ALARM_CLEAR;
    r->clears++;
    r->cleared_ms = now->wall_ms;
    e->totals.active--;
    notify(e, r, ALARM_EVENT_CLEAR, 0, now);
}

static void row_update(alarm_engine *e, struct alarm_row *r, double value,
                       const struct alarm_clock *now)
{
    const struct config_alarm *a = r->conf;
    int below = config_alarm_kind_below(a->kind);
    int crossed = below ? value <= a->raise : value >= a->raise;
    int past_clear = below ? value > a->clear : value < a->clear;
    int64_t for_ms = (int64_t)a->for_s * 1000;

    r->value = value;
    r->has_value = 1;
    r->last_check_ms = now->wall_ms;

    switch (r->state) {
    case ALARM_CLEAR:
        if (!crossed)
            return;
        r->crossed_mono_ms = now->mono_ms;
        if (for_ms > 0)
            r->state = ALARM_PENDING;
        else
            raise_row(e, r, now);
        return;
    case ALARM_PENDING:
        if (!crossed)   /* back before for_s was over: nothing sent */
            r->state = ALARM_CLEAR;
        else if (now->mono_ms - r->crossed_mono_ms >= for_ms)
            raise_row(e, r, now);
        return;
    case ALARM_ACTIVE:
        if (past_clear) {
            clear_row(e, r, now);
        } else if (a->resend_s && now->mono_ms - r->notified_mono_ms >=
                                      (int64_t)a->resend_s * 1000) {
            r->resends++;
            r->notified_mono_ms = now->mono_ms;
            notify(e, r, ALARM_EVENT_RAISE, 1, now);
        }
        return;
    }
}

/* --- API ----------------------------------------------------------------- */

alarm_engine *alarm_engine_new(const struct config *conf, alarm_emit_fn *emit,
                               void *ctx)
{
    alarm_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->conf = conf;
    e->emit = emit;
    e->ctx = ctx;
    e->rl_second = INT64_MIN;
    if (conf->n_alarms) {
        e->checked_mono_ms = malloc(conf->n_alarms * sizeof *e->checked_mono_ms);
        if (!e->checked_mono_ms) {
            free(e);
            return NULL;
        }
        for (size_t i = 0; i < conf->n_alarms; i++)
            e->checked_mono_ms[i] = INT64_MIN;
    }
    return e;
}

int alarm_engine_due(const alarm_engine *e, size_t alarm,
                     const struct alarm_clock *now)
{
    if (alarm >= e->conf->n_alarms)
        return 0;
    int64_t last = e->checked_mono_ms[alarm];
    if (last == INT64_MIN)
        return 1;
    int64_t interval = (int64_t)e->conf->alarms[alarm].interval_s * 1000;
    return now->mono_ms - last >= interval - DUE_SLACK_MS;
}

int alarm_engine_update(alarm_engine *e, size_t alarm,
                        const struct alarm_clock *now,
                        const struct alarm_sample *samples, size_t n)
{
    if (alarm >= e->conf->n_alarms)
        return 0;
    alarm_engine_tick(e, now);
    e->checked_mono_ms[alarm] = now->mono_ms;
    const struct config_alarm *a = &e->conf->alarms[alarm];

    /* Rows of this alarm are contiguous: mark them absent first. */
    size_t first = lower_bound(e, e->n_rows, alarm, "", 0);
    size_t end = first;
    while (end < e->n_rows && e->rows[end]->alarm == alarm)
        e->rows[end++]->present = 0;

    int rc = 0;
    size_t n_sorted = e->n_rows;
    for (size_t i = 0; i < n; i++) {
        const char *obj = samples[i].object ? samples[i].object : "";
        size_t len = strnlen(obj, ALARM_OBJECT_MAX);
        size_t at = lower_bound(e, n_sorted, alarm, obj, len);
        struct alarm_row *r = NULL;
        if (at < n_sorted &&
            key_cmp(e->rows[at]->alarm, e->rows[at]->object,
                    strlen(e->rows[at]->object), alarm, obj, len) == 0) {
            r = e->rows[at];
        } else {
            if (rows_reserve(e, 1) != 0 || !(r = row_new(e, alarm, obj, len))) {
                rc = -1;
                continue;
            }
            e->rows[e->n_rows++] = r;
        }
        r->present = 1;
        double value = samples[i].value;
        if (r->window)
            value = window_value(a, r->window, now->mono_ms, samples[i].num,
                                 samples[i].den);
        row_update(e, r, value, now);
    }
    /* A remote address that left the busiest list of its port has fewer
     * connections than any listed: it counts as none (else its alarm
     * would never clear).  Other objects keep their state when absent. */
    if (a->kind == CONFIG_ALARM_CONNECTIONS)
        for (size_t i = first; i < end; i++)
            if (!e->rows[i]->present)
                row_update(e, e->rows[i], 0, now);
    rows_merge(e, n_sorted);
    return rc;
}

void alarm_engine_delivered(alarm_engine *e, struct alarm_row *row, int ok)
{
    if (ok)
        e->totals.sent++;
    else
        e->totals.failed++;
    if (row) {
        if (ok)
            row->sent++;
        else
            row->failed++;
    }
}

size_t alarm_engine_rows(const alarm_engine *e, struct alarm_row *const **rows)
{
    *rows = e->rows;
    return e->n_rows;
}

struct alarm_totals alarm_engine_totals(const alarm_engine *e)
{
    return e->totals;
}

void alarm_engine_free(alarm_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_rows; i++)
        row_free(e->rows[i]);
    free(e->rows);
    free(e->checked_mono_ms);
    free(e);
}

const char *alarm_format_value(double v, char buf[ALARM_VALUE_MAX])
{
    if (v != v || v > 1e300 || v < -1e300) {   /* NaN, infinite: no figure */
        snprintf(buf, ALARM_VALUE_MAX, "0");
        return buf;
    }
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
        snprintf(buf, ALARM_VALUE_MAX, "%lld", (long long)v);
        return buf;
    }
    snprintf(buf, ALARM_VALUE_MAX, "%.2f", v);
    char *end = buf + strlen(buf);
    while (end > buf && end[-1] == '0')
        *--end = '\0';
    if (end > buf && end[-1] == '.')
        *--end = '\0';
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, ALARM_VALUE_MAX, "0");
    return buf;
}

/* The state file names the states as the engine does: alarm_state.c
 * writes them as they are. */
const char *alarm_state_name(enum alarm_state s)
{
    return alarm_file_state_name((enum alarm_file_state)s);
}
