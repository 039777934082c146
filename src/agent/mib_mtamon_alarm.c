/*
 * mib_mtamon_alarm.c - MTAMON-MIB's mtamonAlarms (MIB_MTAMON_ROOT .1.9),
 * served from mtamond's alarm engine (alarm.h):
 *
 *   .1.9.1-6  scalars: notifications sent, failed, suppressed, pending,
 *             the last sequence number, the rows active now
 *   .1.9.7    mtamonAlarmTable: one row per (alarm, object), INDEX
 *             { mtamonAlarmIndex, mtamonAlarmObject } as the engine sorts
 *             its rows (alarm_engine_rows())
 *   .1.9.8-9  mtamonAlarmSequence, mtamonAlarmSummaryCount:
 *             accessible-for-notify, only in the notifications (alarms.c)
 *
 * Unlike the other tables these read no view: the engine is set by
 * mib_mtamon_set_alarms() (mib.h) and read on the request path, the one
 * thread that also runs the engine.  Without one (mtamon.so) the table
 * has no rows and the scalars are absent.
 */
#include <string.h>

#include "alarm.h"
#include "mib_tables.h"

/* An index is the alarm's position, the object's length, its bytes. */
_Static_assert(2 + ALARM_OBJECT_MAX <= OID_TABLE_INDEX_MAX,
               "mtamonAlarmTable's index must fit OID_TABLE_INDEX_MAX");

static struct {
    const alarm_engine *engine;
    unsigned (*pending)(const void *ctx);
    const void *pending_ctx;
} served;

void mib_mtamon_set_alarms(const alarm_engine *e)
{
    served.engine = e;
}

void mib_mtamon_set_alarm_pending(unsigned (*fn)(const void *ctx), const void *ctx)
{
    served.pending = fn;
    served.pending_ctx = ctx;
}

/* What one request reads: the engine's rows and totals, taken once. */
struct alarm_data {
    struct alarm_row *const *rows;
    size_t n_rows;
    struct alarm_totals totals;
    unsigned pending;
};

/* ops.fetch: ctx (the view cache every table gets) is not used. */
static const void *alarm_fetch(void *ctx)
{
    static struct alarm_data data;
    (void)ctx;
    if (!served.engine)
        return NULL;
    data.n_rows = alarm_engine_rows(served.engine, &data.rows);
    data.totals = alarm_engine_totals(served.engine);
    data.pending = served.pending ? served.pending(served.pending_ctx) : 0;
    return &data;
}

static int set_counter(struct oid_table_value *out, uint64_t v)
{
    return mib_set_unsigned(out, ASN_COUNTER, view_counter32(v));
}

/* ------------------------------------------------------------------------ */
/* The scalars (object.0)                                                    */

static const oid alarms_arc[] = {MIB_MTAMON_ALARMS};

enum scalar {
    NOTIFICATIONS_SENT = 1,     /* mtamonAlarmNotificationsSent */
    NOTIFICATIONS_FAILED,       /* mtamonAlarmNotificationsFailed */
    NOTIFICATIONS_SUPPRESSED,   /* mtamonAlarmNotificationsSuppressed */
    NOTIFICATIONS_PENDING,      /* mtamonAlarmNotificationsPending */
    LAST_SEQUENCE,              /* mtamonAlarmLastSequence */
    ACTIVE,                     /* mtamonAlarmActive */
};

static int scalar_cell(const void *data, size_t row, unsigned column,
                       struct oid_table_value *out)
{
    const struct alarm_data *d = data;
    (void)row;
    switch (column) {
    case NOTIFICATIONS_SENT:
        return set_counter(out, d->totals.sent);
    case NOTIFICATIONS_FAILED:
        return set_counter(out, d->totals.failed);
    case NOTIFICATIONS_SUPPRESSED:
        return set_counter(out, d->totals.suppressed);
    case NOTIFICATIONS_PENDING:
        return mib_set_unsigned(out, ASN_GAUGE, d->pending);
    case LAST_SEQUENCE:
        return mib_set_unsigned(out, ASN_UNSIGNED, d->totals.last_sequence);
    case ACTIVE:
        return mib_set_unsigned(out, ASN_GAUGE, d->totals.active);
    default:
        return -1;
    }
}

struct oid_table mib_mtamon_alarm_scalars = {
    .name = "mtamonAlarms",
    .entry = alarms_arc,
    .entry_len = OID_LENGTH(alarms_arc),
    .first_column = NOTIFICATIONS_SENT,
    .last_column = ACTIVE,
    .ops = {alarm_fetch, mib_one_row, mib_scalar_index, scalar_cell},
};

/* ------------------------------------------------------------------------ */
/* mtamonAlarmTable                                                          */

static const oid alarm_entry[] = {MIB_MTAMON_ALARM_ENTRY};

static size_t alarm_rows(const void *data)
{
    const struct alarm_data *d = data;
    return d->n_rows;
}

static size_t alarm_index(const void *data, size_t row, oid idx[OID_TABLE_INDEX_MAX])
{
    return mib_alarm_row_index(((const struct alarm_data *)data)->rows[row], idx);
}

size_t mib_alarm_row_index(const struct alarm_row *r, oid idx[OID_TABLE_INDEX_MAX])
{
    size_t len = strnlen(r->object, ALARM_OBJECT_MAX);
    idx[0] = (oid)r->alarm + 1;
    idx[1] = len;
    for (size_t i = 0; i < len; i++)
        idx[2 + i] = (unsigned char)r->object[i];
    return 2 + len;
}

/* A value as mtamonAlarmValue writes it, into @p buf. */
static int set_value(struct oid_table_value *out, double v, char buf[ALARM_VALUE_MAX])
{
    return mib_set_string(out, alarm_format_value(v, buf));
}

static int alarm_cell(const void *data, size_t row, unsigned column,
                      struct oid_table_value *out)
{
    /* Holds a value's text until the handler copies it. */
    static char text[ALARM_VALUE_MAX];
    const struct alarm_row *r = ((const struct alarm_data *)data)->rows[row];
    const struct config_alarm *c = r->conf;
    switch (column) {
    case MIB_ALARM_NAME:
        return mib_set_string(out, c->name);
    case MIB_ALARM_OBJECT_NAME:
        return mib_set_bytes(out, r->object, strnlen(r->object, ALARM_OBJECT_MAX));
    case MIB_ALARM_KIND:
        return mib_set_integer(out, (long)c->kind + 1);
    case MIB_ALARM_SEVERITY:
        return mib_set_integer(out, (long)c->severity);
    case MIB_ALARM_STATE:
        return mib_set_integer(out, (long)r->state);
    case MIB_ALARM_VALUE:
        return r->has_value ? set_value(out, r->value, text) : mib_set_string(out, "");
    case MIB_ALARM_THRESHOLD:
        return set_value(out, c->raise, text);
    case MIB_ALARM_CLEAR_THRESHOLD:
        return set_value(out, c->clear, text);
    case MIB_ALARM_RAISES:
        return set_counter(out, r->raises);
    case MIB_ALARM_CLEARS:
        return set_counter(out, r->clears);
    case MIB_ALARM_LAST_RAISE:
        return mib_set_unsigned(out, ASN_UNSIGNED, mib_epoch_s(r->raised_ms));
    case MIB_ALARM_LAST_CLEAR:
        return mib_set_unsigned(out, ASN_UNSIGNED, mib_epoch_s(r->cleared_ms));
    case MIB_ALARM_LAST_VALUE:
        return r->raised_ms || r->cleared_ms ? set_value(out, r->last_value, text)
                                             : mib_set_string(out, "");
    case MIB_ALARM_SENT:
        return set_counter(out, r->sent);
    case MIB_ALARM_FAILED:
        return set_counter(out, r->failed);
    case MIB_ALARM_SUPPRESSED:
        return set_counter(out, r->suppressed);
    case MIB_ALARM_LAST_CHECK:
        return mib_set_unsigned(out, ASN_UNSIGNED, mib_epoch_s(r->last_check_ms));
    default:
        return -1;
    }
}

struct oid_table mib_mtamon_alarm_table = {
    .name = "mtamonAlarmTable",
    .entry = alarm_entry,
    .entry_len = OID_LENGTH(alarm_entry),
    .first_column = MIB_ALARM_NAME,
    .last_column = MIB_ALARM_LAST_CHECK,
    .ops = {alarm_fetch, alarm_rows, alarm_index, alarm_cell},
};
