/*
 * alarm.h - the alarm engine: each configured alarm (alarms: in
 * mtamon.yaml) compares samples of its objects with a raise and a clear
 * threshold, and says when to notify.
 *
 * Per (alarm, object) the engine keeps a row, which is an
 * mtamonAlarmTable row and a line of `mtamon alarms`:
 *
 *   clear   --crossed-->  pending  --crossed for for_s-->  active
 *     ^                      |                               |
 *     +----- not crossed ----+       +--- past clear --------+
 *
 * "Crossed" is value >= raise for the kinds that raise above, value <=
 * raise for those that raise below; an active row clears once the value
 * is past the clear threshold (value < clear, or value > clear below):
 * between the two thresholds nothing changes (hysteresis).  Going active
 * emits a raise, going back to clear a clear, and an active row emits
 * the raise again every resend_s.
 *
 * Every notification handed to the emitter has the next sequence number
 * (from 1), so a receiver sees a lost one as a gap.  At most
 * max_per_second notifications are emitted in one second (by the wall
 * clock's second); the others are counted on their rows as suppressed
 * (their state changes all the same), and the first call in a later
 * second emits one summary giving their number.
 *
 * The windowed kinds (failure_rate, delivery_time) get cumulative
 * counters in their samples; the engine keeps each row's history over
 * window_s and computes the value from the differences (a counter that
 * goes down -- segment re-created, counters cleared -- restarts the
 * history).
 *
 * No SNMP, no clock and no I/O here: the caller samples (alarm_sample.h),
 * passes the time, and sends what is emitted (alarms.h).  Not thread-safe:
 * one thread calls everything.
 */
#ifndef MTAMON_ALARM_H
#define MTAMON_ALARM_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"

/** Longest object name of a row (bytes): a queue row ("NAME/SUBQUEUE",
 * QUEUE_SCAN_NAME_MAX), a channel name or "PORT/ADDRESS". */
#define ALARM_OBJECT_MAX 80

/** Room for alarm_format_value()'s text. */
#define ALARM_VALUE_MAX 32

/** A row's state (mtamonAlarmState). */
enum alarm_state {
    ALARM_CLEAR = 1,     /**< not crossed (or never sampled) */
    ALARM_PENDING = 2,   /**< crossed, for less than for_s */
    ALARM_ACTIVE = 3,    /**< raised and not cleared yet */
};

/** Two times for one instant: durations use the first, stamps the second. */
struct alarm_clock {
    int64_t mono_ms;     /**< CLOCK_MONOTONIC */
    int64_t wall_ms;     /**< CLOCK_REALTIME, ms since the epoch */
};

struct alarm_window;     /* a windowed row's history (alarm.c) */

/** One watched object of one alarm. */
struct alarm_row {
    size_t alarm;                      /**< index into conf->alarms */
    const struct config_alarm *conf;
    char object[ALARM_OBJECT_MAX + 1]; /**< "" for the segment kinds */
    enum alarm_state state;
    int has_value;                     /**< sampled at least once */
    int present;                       /**< in the alarm's last sample set */
    double value;                      /**< latest value */
    double last_value;                 /**< carried by the last raise or clear */
    int64_t last_check_ms;             /**< wall clock of the latest sample */
    int64_t raised_ms, cleared_ms;     /**< last raise / clear (wall), 0 = never */
    uint64_t raises, clears, resends;  /**< state changes; re-sent raises */
    /** Notifications of this row: handed to the master and confirmed,
     * refused or lost (never confirmed, or dropped while the master was
     * away), and not emitted because of the rate limit. */
    uint64_t sent, failed, suppressed;
    /* private */
    int64_t crossed_mono_ms;           /**< pending since */
    int64_t notified_mono_ms;          /**< last raise emitted or suppressed */
    struct alarm_window *window;
};

/** What the engine asks to send. */
enum alarm_event_type {
    ALARM_EVENT_RAISE = 1,     /**< mtamonAlarmRaised (also a re-send) */
    ALARM_EVENT_CLEAR = 2,     /**< mtamonAlarmCleared */
    ALARM_EVENT_SUMMARY = 3,   /**< mtamonAlarmSummary: some were not sent */
};

struct alarm_event {
    enum alarm_event_type type;
    struct alarm_row *row;     /**< NULL for a summary; lives as long as the engine */
    int resend;                /**< a raise repeated while active */
    double value;              /**< the row's value */
    double threshold;          /**< raise threshold (raise), clear threshold (clear) */
    uint32_t sequence;         /**< 1, 2, ... (wraps after 2^32 - 1 to 1) */
    int64_t wall_ms;           /**< when */
    uint32_t suppressed;       /**< summary: notifications not sent */
};

/** Receives each notification as it is decided (alarms.c: AgentX + mail). */
typedef void alarm_emit_fn(void *ctx, const struct alarm_event *ev);

/** One object's measurement, as alarm_sample.h takes it. */
struct alarm_sample {
    const char *object;        /**< copied when a row is made; cut at ALARM_OBJECT_MAX */
    double value;              /**< the value (not windowed kinds) */
    /** Windowed kinds: cumulative counters since the segment started.
     * failure_rate: num = Failed + Attempted messages, den = Delivered +
     * Failed + Attempted; delivery_time: num = queue time sum (ms),
     * den = messages dequeued. */
    uint64_t num, den;
};

/** Totals over every row, for the MTAMON-MIB scalars. */
struct alarm_totals {
    uint64_t sent, failed, suppressed, summaries;
    uint32_t last_sequence;    /**< 0 before the first notification */
    uint32_t active;           /**< rows active now */
};

typedef struct alarm_engine alarm_engine;

/**
 * An engine for @p conf's alarms and alarm_options (@p conf must outlive
 * it), emitting through @p emit(@p ctx).  No rows yet.  NULL on ENOMEM.
 */
alarm_engine *alarm_engine_new(const struct config *conf, alarm_emit_fn *emit,
                               void *ctx);

/** 1 when alarm @p alarm is to be checked at @p now (its first check, or
 * interval_s after the previous one), else 0. */
int alarm_engine_due(const alarm_engine *e, size_t alarm,
                     const struct alarm_clock *now);

/**
 * Check alarm @p alarm with @p n samples taken at @p now: rows are made
 * for new objects, every row of the alarm is updated (rows not in the
 * samples keep their state and are marked not present), and raises,
 * re-sends and clears are emitted, rate limit permitting.  Returns 0, or
 * -1 on ENOMEM (the samples whose rows could not be made are skipped).
 */
int alarm_engine_update(alarm_engine *e, size_t alarm,
                        const struct alarm_clock *now,
                        const struct alarm_sample *samples, size_t n);

/**
 * Emit the summary of the notifications suppressed in a second that is
 * over.  Call about once a second (every call of alarm_engine_update()
 * does it too).
 */
void alarm_engine_tick(alarm_engine *e, const struct alarm_clock *now);

/**
 * Count the outcome of a notification emitted for @p row (NULL for a
 * summary): @p ok 1 when the master confirmed it, 0 when it was refused,
 * timed out or dropped.
 */
void alarm_engine_delivered(alarm_engine *e, struct alarm_row *row, int ok);

/**
 * Every row, sorted as mtamonAlarmTable's index (alarm position, then
 * object as a length-prefixed OCTET STRING: by length, then bytes).
 * The pointers stay valid until the next update; the rows themselves
 * live as long as the engine.
 */
size_t alarm_engine_rows(const alarm_engine *e, struct alarm_row *const **rows);

/** The totals. */
struct alarm_totals alarm_engine_totals(const alarm_engine *e);

/** Free the engine and its rows (NULL is fine). */
void alarm_engine_free(alarm_engine *e);

/**
 * @p v as the MIB and the CLI print it: a whole number as such
 * ("1234567"), else with at most two decimals ("4.7", "33.33"); never an
 * exponent.
 */
const char *alarm_format_value(double v, char buf[ALARM_VALUE_MAX]);

/** "clear", "pending" or "active". */
const char *alarm_state_name(enum alarm_state s);

#endif /* MTAMON_ALARM_H */
