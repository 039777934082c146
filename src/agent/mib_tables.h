/*
 * mib_tables.h - what the MIB modules (mib_*.c) share: their registration
 * functions, the fetch callback and small helpers that fill a cell value.
 * Private to mib_common.c, mib_network_services.c and mib_mta.c.
 */
#ifndef MTAMON_MIB_TABLES_H
#define MTAMON_MIB_TABLES_H

#include <stdint.h>

#include "mtamon_config.h"
#include "mib.h"
#include "oid_table.h"

/* The tables of mib_network_services.c (NETWORK-SERVICES-MIB) and
 * mib_mta.c (MTA-MIB); mib_tables[] (mib.h) lists them in OID order. */
extern struct oid_table mib_appl_table, mib_assoc_table;
extern struct oid_table mib_mta_table, mib_group_table,
    mib_group_assoc_table, mib_group_error_table;

/** ops.fetch of every table: mib_current_view(ctx) (ctx is the cache). */
const void *mib_fetch_view(void *ctx);

/** applIndex of the MTA (the first index part of the MTA-MIB tables). */
uint32_t mib_mta_index(const struct view *v);

/** Cell setters; each returns 0 so a cell() can end with one of them. */
int mib_set_integer(struct oid_table_value *out, long value);
/** ASN_COUNTER, ASN_GAUGE or ASN_TIMETICKS. */
int mib_set_unsigned(struct oid_table_value *out, unsigned char type,
                     uint32_t value);
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
