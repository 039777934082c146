/*
 * mib_tables.h - what the MIB modules (mib_*.c) share: their registration
 * functions, the fetch callback and small helpers that fill a cell value.
 * Private to mib_common.c, mib_network_services.c, mib_mta.c,
 * mib_mtamon.c and mib_mtamon_alarm.c (and alarms.c, for the OIDs of the
 * notifications).
 */
#ifndef MTAMON_MIB_TABLES_H
#define MTAMON_MIB_TABLES_H

#include <stdint.h>

#include "mtamon_config.h"
#include "mib.h"
#include "oid_table.h"

/*
 * MTAMON-MIB's root, mtamonMIB: Net-SNMP's playpen arc
 * (NET-SNMP-MIB::netSnmpPlaypen, 1.3.6.1.4.1.8072.9999.9999) .25, until
 * the project has an enterprise number of its own.  The one place the
 * code writes it (mibs/MTAMON-MIB.txt is the other).
 */
#define MIB_MTAMON_ROOT 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 25

/* The tables of mib_network_services.c (NETWORK-SERVICES-MIB) and
 * mib_mta.c (MTA-MIB); mib_tables[] (mib.h) lists them in OID order. */
extern struct oid_table mib_appl_table, mib_assoc_table;
extern struct oid_table mib_mta_table, mib_group_table,
    mib_group_assoc_table, mib_group_error_table;
/* mib_mtamon.c (MTAMON-MIB): scalars, then the tables. */
extern struct oid_table mib_mtamon_scalars, mib_mtamon_queue_table,
    mib_mtamon_partition_table, mib_mtamon_connection_table,
    mib_mtamon_remote_table, mib_mtamon_process_table, mib_mtamon_group_hc_table,
    mib_mtamon_probe_table;
/* mib_mtamon_alarm.c (MTAMON-MIB's mtamonAlarms): its scalars, its table;
 * their ops.fetch reads the engine of mib_mtamon_set_alarms(), not a view. */
extern struct oid_table mib_mtamon_alarm_scalars, mib_mtamon_alarm_table;

/* mtamonAlarms (.1.9), shared by mib_mtamon_alarm.c (the table) and
 * alarms.c (the notifications carry cells of the table). */
#define MIB_MTAMON_ALARMS MIB_MTAMON_ROOT, 1, 9
#define MIB_MTAMON_ALARM_ENTRY MIB_MTAMON_ALARMS, 7, 1
/** mtamonAlarmSequence.0 and mtamonAlarmSummaryCount.0 (notify only). */
#define MIB_MTAMON_ALARM_SEQUENCE MIB_MTAMON_ALARMS, 8, 0
#define MIB_MTAMON_ALARM_SUMMARY_COUNT MIB_MTAMON_ALARMS, 9, 0

/** mtamonAlarmTable's columns. */
enum mib_alarm_column {
    MIB_ALARM_NAME = 3, MIB_ALARM_OBJECT_NAME, MIB_ALARM_KIND, MIB_ALARM_SEVERITY, MIB_ALARM_STATE,
    MIB_ALARM_VALUE, MIB_ALARM_THRESHOLD, MIB_ALARM_CLEAR_THRESHOLD, MIB_ALARM_RAISES, MIB_ALARM_CLEARS,
    MIB_ALARM_LAST_RAISE, MIB_ALARM_LAST_CLEAR, MIB_ALARM_LAST_VALUE, MIB_ALARM_SENT, MIB_ALARM_FAILED,
    MIB_ALARM_SUPPRESSED, MIB_ALARM_LAST_CHECK,
};

struct alarm_row;

/** The index of @p r's mtamonAlarmTable row into @p idx: alarm + 1, then
 * the object as a length-prefixed OCTET STRING.  Returns its length. */
size_t mib_alarm_row_index(const struct alarm_row *r, oid idx[OID_TABLE_INDEX_MAX]);

/** ops.fetch of every table: mib_current_view(ctx) (ctx is the cache). */
const void *mib_fetch_view(void *ctx);

/** applIndex of the MTA (the first index part of the MTA-MIB tables). */
uint32_t mib_mta_index(const struct view *v);

/** Seconds since the epoch of @p ms (0 for 0: never), at most 2^32 - 1. */
uint32_t mib_epoch_s(int64_t ms);

/** ops.row_count of the scalars: one row. */
size_t mib_one_row(const void *data);

/** ops.row_index of the scalars: the instance .0. */
size_t mib_scalar_index(const void *data, size_t row, oid idx[OID_TABLE_INDEX_MAX]);

/** Cell setters; each returns 0 so a cell() can end with one of them. */
int mib_set_integer(struct oid_table_value *out, long value);
/** ASN_COUNTER, ASN_GAUGE or ASN_TIMETICKS. */
int mib_set_unsigned(struct oid_table_value *out, unsigned char type,
                     uint32_t value);
/** A Counter64 (or a gauge served as one: MtamonGauge64). */
int mib_set_counter64(struct oid_table_value *out, uint64_t value);

/** @p len bytes at @p p, not copied. */
int mib_set_bytes(struct oid_table_value *out, const void *p, size_t len);

/** A NUL-terminated string (NULL serves as ""); not copied. */
int mib_set_string(struct oid_table_value *out, const char *s);

/**
 * A configured OBJECT IDENTIFIER (@p len sub-ids of @p ids), or 0.0
 * (zeroDotZero) when @p len is 0.  Converted into @p buf, which must live
 * until the value is copied (the handler copies it at once).
 */
int mib_set_oid(struct oid_table_value *out, const uint32_t *ids, size_t len,
                oid buf[CONFIG_OID_MAX]);

#endif /* MTAMON_MIB_TABLES_H */
