/*
 * oid_table.h - a read-only conceptual table served by a plain Net-SNMP
 * handler, over rows kept sorted by their index.
 *
 * Net-SNMP's table_iterator walks every row for every GETNEXT (O(N) per
 * request, O(N^2) per walk).  Here the table describes its rows through
 * three callbacks over an array already sorted by index OID, and GET and
 * GETNEXT find the row by binary search: O(log N) per varbind.  The
 * handler does not depend on being in a subagent; it would run unchanged
 * inside snmpd.
 *
 *   GET      exact column and index, else noSuchObject/noSuchInstance
 *   GETNEXT  first (column, row) after the requested OID in column-major
 *   GETBULK  order, skipping cells the row does not have; past the last
 *            column the varbind is left for the next registration
 *   SET      notWritable for every varbind (the MIBs are read-only)
 *
 * Every column is registered on its own, at OID_TABLE_PRIORITY: an
 * in-process module of the master that registers single columns of the
 * same table (Net-SNMP's mibII/mta_sendmail does, for MTA-MIB) would
 * otherwise be the more specific registration and answer those columns
 * in our place.
 */
#ifndef MTAMON_OID_TABLE_H
#define MTAMON_OID_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

/**
 * Registration priority of every column.  Net-SNMP's master orders
 * overlapping registrations by registered OID length, then by priority
 * (lower wins); its own modules and other subagents use 127
 * (DEFAULT_MIB_PRIORITY).  Same length and a lower value: ours answer.
 */
#define OID_TABLE_PRIORITY 100

/** Longest index suffix of a row: mtamonAlarmTable's, an Unsigned32 and
 * a length-prefixed OCTET STRING of up to 80 bytes (ALARM_OBJECT_MAX). */
#define OID_TABLE_INDEX_MAX 82

/** One cell's value, as the callbacks return it. */
struct oid_table_value {
    u_char type;          /**< ASN_INTEGER, ASN_COUNTER, ASN_GAUGE,
                               ASN_TIMETICKS, ASN_COUNTER64, ASN_OCTET_STR,
                               ASN_OBJECT_ID */
    union {
        long integer;     /**< ASN_INTEGER */
        u_long unsigned32;/**< ASN_COUNTER, ASN_GAUGE, ASN_TIMETICKS */
        uint64_t counter64; /**< ASN_COUNTER64 */
        struct { const char *ptr; size_t len; } string;     /**< ASN_OCTET_STR */
        struct { const oid *ptr; size_t len; } object_id;   /**< ASN_OBJECT_ID */
    } v;
};

/** What a table serves.  @p data is what fetch() returned for the request. */
struct oid_table_ops {
    /**
     * The data of the current request (a view), fetched once per handler
     * call.  May return NULL: the table is then empty.
     */
    const void *(*fetch)(void *ctx);

    /** Number of rows. */
    size_t (*row_count)(const void *data);

    /** Write row @p row's index OID into @p idx; return its length. */
    size_t (*row_index)(const void *data, size_t row,
                        oid idx[OID_TABLE_INDEX_MAX]);

    /**
     * Fill @p out with column @p column of row @p row.  Return 0, or -1
     * when the row has no such cell (noSuchInstance; skipped by GETNEXT).
     */
    int (*cell)(const void *data, size_t row, unsigned column,
                struct oid_table_value *out);
};

/** A table: where it lives, its columns and its rows. */
struct oid_table {
    const char *name;            /**< handler name, e.g. "mtaGroupTable" */
    const oid *entry;            /**< OID of the xxxEntry object */
    size_t entry_len;
    unsigned first_column;       /**< lowest accessible column number */
    unsigned last_column;        /**< highest accessible column number */
    /** Optional: columns in [first, last] that do not exist at all
     * (not-accessible index columns); NULL = all exist. */
    int (*column_exists)(unsigned column);
    struct oid_table_ops ops;
    void *ctx;                   /**< passed to ops.fetch */
};

/**
 * Register @p table (which must outlive the registration) as read-only
 * handlers, one per existing column (xxxEntry.column), each at
 * OID_TABLE_PRIORITY.  Returns MIB_REGISTERED_OK or the first Net-SNMP
 * registration error, after removing the columns it had registered.
 */
int oid_table_register(struct oid_table *table);

/**
 * Remove every column registration of @p table made by
 * oid_table_register() (those at OID_TABLE_PRIORITY; a column that is not
 * registered is skipped).  For mtamon.so, whose registrations must be
 * gone before snmpd unloads it.
 */
void oid_table_unregister(struct oid_table *table);

/* The search itself, exposed for the unit tests. */

/**
 * Find the cell for a GET of @p name: sets *@p row and *@p column and
 * returns 0, or returns -1 (no such object or instance).
 */
int oid_table_find_exact(const struct oid_table *table, const void *data,
                         const oid *name, size_t name_len,
                         size_t *row, unsigned *column);

/**
 * Find the first existing cell strictly after @p name in this table:
 * sets *@p row and *@p column and returns 0, or returns -1 when there is
 * none (the request moves on to the next registration).
 */
int oid_table_find_next(const struct oid_table *table, const void *data,
                        const oid *name, size_t name_len,
                        size_t *row, unsigned *column);

/**
 * As oid_table_find_next(), but only cells of column @p column qualify:
 * sets *@p row and returns 0, or returns -1 when the column has no cell
 * after @p name (or is not a column of the table).  What one column's
 * registration answers to a GETNEXT.
 */
int oid_table_find_next_in_column(const struct oid_table *table,
                                  const void *data, const oid *name,
                                  size_t name_len, unsigned column,
                                  size_t *row);

/**
 * GET and GETNEXT varbinds the handlers of every table were asked so far
 * (GETBULK repetitions included): a figure for status reports.
 */
unsigned long long oid_table_varbinds_asked(void);

#endif /* MTAMON_OID_TABLE_H */
