/*
 * oid_table.c - a read-only table handler over rows sorted by index OID:
 * binary search for GET and GETNEXT, notWritable for SET.
 */
#include <string.h>

#include "oid_table.h"

/* Where a request OID stands relative to the table's xxxEntry subtree. */
enum oid_position {
    OID_BEFORE,   /* before the subtree, or a prefix of the entry OID */
    OID_INSIDE,   /* entry.column[.index...] */
    OID_AFTER,    /* after the whole subtree */
};

static enum oid_position position_of(const struct oid_table *t,
                                     const oid *name, size_t name_len)
{
    size_t n = name_len < t->entry_len ? name_len : t->entry_len;
    for (size_t i = 0; i < n; i++) {
        if (name[i] < t->entry[i])
            return OID_BEFORE;
        if (name[i] > t->entry[i])
            return OID_AFTER;
    }
    /* Equal over n: the entry OID itself or a prefix of it comes before
     * every cell. */
    return name_len > t->entry_len ? OID_INSIDE : OID_BEFORE;
}

static int column_valid(const struct oid_table *t, oid column)
{
    return column >= t->first_column && column <= t->last_column &&
           (!t->column_exists || t->column_exists((unsigned)column));
}

/* Row @p row's index into @p idx; a length beyond the buffer (a callback
 * bug) is cut rather than trusted. */
static size_t index_of(const struct oid_table *t, const void *data,
                       size_t row, oid idx[OID_TABLE_INDEX_MAX])
{
    size_t len = t->ops.row_index(data, row, idx);
    return len > OID_TABLE_INDEX_MAX ? OID_TABLE_INDEX_MAX : len;
}

/*
 * First row whose index is >= (strict = 0) or > (strict = 1) @p suffix,
 * in O(log N) row_index calls; row_count() when there is none.  The
 * suffix may be longer than any row index: snmp_oid_compare() orders by
 * sub-identifier as oid values, then a prefix before what extends it.
 */
static size_t lower_row(const struct oid_table *t, const void *data, size_t n,
                        const oid *suffix, size_t suffix_len, int strict)
{
    size_t lo = 0, hi = n;
    oid idx[OID_TABLE_INDEX_MAX];

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t len = index_of(t, data, mid, idx);
        int cmp = snmp_oid_compare(idx, len, suffix, suffix_len);
        if (cmp < 0 || (strict && cmp == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cell_exists(const struct oid_table *t, const void *data,
                       size_t row, unsigned column)
{
    struct oid_table_value v;
    return t->ops.cell(data, row, column, &v) == 0;
}

int oid_table_find_exact(const struct oid_table *t, const void *data,
                         const oid *name, size_t name_len,
                         size_t *row, unsigned *column)
{
    if (!data || position_of(t, name, name_len) != OID_INSIDE)
        return -1;
    oid col = name[t->entry_len];
    if (!column_valid(t, col))
        return -1;

    const oid *suffix = name + t->entry_len + 1;
    size_t suffix_len = name_len - t->entry_len - 1;
    size_t n = t->ops.row_count(data);
    size_t r = lower_row(t, data, n, suffix, suffix_len, 0);
    if (r >= n)
        return -1;
    oid idx[OID_TABLE_INDEX_MAX];
    size_t len = index_of(t, data, r, idx);
    if (snmp_oid_compare(idx, len, suffix, suffix_len) != 0 ||
        !cell_exists(t, data, r, (unsigned)col))
        return -1;
    *row = r;
    *column = (unsigned)col;
    return 0;
}

/*
 * The first existing cell strictly after @p name whose column is in
 * [@p col_lo, @p col_hi] (valid columns of @p t), in column-major order.
 */
static int find_next_between(const struct oid_table *t, const void *data,
                             const oid *name, size_t name_len,
                             unsigned col_lo, unsigned col_hi,
                             size_t *row, unsigned *column)
{
    if (!data)
        return -1;
    size_t n = t->ops.row_count(data);
    if (n == 0)
        return -1;

    oid col = col_lo;
    size_t r = 0;
    switch (position_of(t, name, name_len)) {
    case OID_AFTER:
        return -1;
    case OID_BEFORE:
        break;
    case OID_INSIDE:
        if (name[t->entry_len] > col_hi)
            return -1;
        if (name[t->entry_len] >= col_lo) {
            col = name[t->entry_len];
            /* A column that does not exist has no rows to skip into. */
            if (column_valid(t, col))
                r = lower_row(t, data, n, name + t->entry_len + 1,
                              name_len - t->entry_len - 1, 1);
            else
                r = n;
        }
        break;
    }

    for (; col <= col_hi; col++, r = 0) {
        if (!column_valid(t, col))
            continue;   /* O(1): whole absent columns cost no row scan */
        /* Absent cells are skipped one by one: they are expected only in
         * tiny tables (applTable's service rows), so this stays cheap. */
        for (; r < n; r++) {
            if (cell_exists(t, data, r, (unsigned)col)) {
                *row = r;
                *column = (unsigned)col;
                return 0;
            }
        }
    }
    return -1;
}

int oid_table_find_next(const struct oid_table *t, const void *data,
                        const oid *name, size_t name_len,
                        size_t *row, unsigned *column)
{
    return find_next_between(t, data, name, name_len, t->first_column,
                             t->last_column, row, column);
}

int oid_table_find_next_in_column(const struct oid_table *t,
                                  const void *data, const oid *name,
                                  size_t name_len, unsigned column,
                                  size_t *row)
{
    unsigned found_column;
    if (!column_valid(t, column))
        return -1;
    return find_next_between(t, data, name, name_len, column, column, row,
                             &found_column);
}

/* ------------------------------------------------------------------------ */
/* The Net-SNMP handler                                                      */

/* Store @p v in @p vb; -1 (nothing stored) for a type it does not know. */
static int set_value(netsnmp_variable_list *vb,
                     const struct oid_table_value *v)
{
    switch (v->type) {
    case ASN_INTEGER:
        return snmp_set_var_typed_integer(vb, ASN_INTEGER, v->v.integer);
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS: {
        u_long u = v->v.unsigned32 & 0xffffffffUL;
        return snmp_set_var_typed_value(vb, v->type, &u, sizeof u);
    }
    case ASN_COUNTER64: {
        struct counter64 c = {.high = (u_long)(v->v.counter64 >> 32),
                              .low = (u_long)(v->v.counter64 & 0xffffffffu)};
        return snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof c);
    }
    case ASN_OCTET_STR:
        return snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->v.string.ptr,
                                        v->v.string.len);
    case ASN_OBJECT_ID:
        return snmp_set_var_typed_value(vb, ASN_OBJECT_ID, v->v.object_id.ptr,
                                        v->v.object_id.len * sizeof(oid));
    default:
        snmp_log(LOG_ERR, "oid_table: cell of unknown type %u\n", v->type);
        return -1;
    }
}

static void handle_get(const struct oid_table *t, const void *data,
                       netsnmp_agent_request_info *reqinfo,
                       netsnmp_request_info *req)
{
    const netsnmp_variable_list *vb = req->requestvb;
    size_t row;
    unsigned col;
    struct oid_table_value v;

    if (position_of(t, vb->name, vb->name_length) != OID_INSIDE ||
        !column_valid(t, vb->name[t->entry_len])) {
        netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
        return;
    }
    if (oid_table_find_exact(t, data, vb->name, vb->name_length,
                             &row, &col) != 0 ||
        t->ops.cell(data, row, col, &v) != 0) {
        netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
        return;
    }
    if (set_value(req->requestvb, &v) != 0)
        netsnmp_set_request_error(reqinfo, req, SNMP_ERR_GENERR);
}

static void handle_getnext(const struct oid_table *t, unsigned column,
                           const void *data, netsnmp_request_info *req)
{
    netsnmp_variable_list *vb = req->requestvb;
    size_t row;
    struct oid_table_value v;
    oid found[MAX_OID_LEN];

    /* Nothing found in this column: the varbind stays untouched and
     * Net-SNMP carries on with the next registration (the next column). */
    if (oid_table_find_next_in_column(t, data, vb->name, vb->name_length,
                                      column, &row) != 0)
        return;
    if (t->entry_len + 1 + OID_TABLE_INDEX_MAX > MAX_OID_LEN)
        return;
    memcpy(found, t->entry, t->entry_len * sizeof(oid));
    found[t->entry_len] = column;
    size_t idx_len = index_of(t, data, row, found + t->entry_len + 1);
    if (t->ops.cell(data, row, column, &v) != 0)
        return;
    if (snmp_set_var_objid(vb, found, t->entry_len + 1 + idx_len) != 0 ||
        set_value(vb, &v) != 0)
        snmp_set_var_typed_value(vb, ASN_NULL, NULL, 0);  /* try further */
}

/* The agent is single-threaded: a plain counter. */
static unsigned long long varbinds_asked;

unsigned long long oid_table_varbinds_asked(void)
{
    return varbinds_asked;
}

static int oid_table_handler(netsnmp_mib_handler *handler,
                             netsnmp_handler_registration *reginfo,
                             netsnmp_agent_request_info *reqinfo,
                             netsnmp_request_info *requests)
{
    const struct oid_table *t = handler->myvoid;
    /* Each column is a registration of its own (oid_table_register). */
    unsigned column = (unsigned)reginfo->rootoid[t->entry_len];

    switch (reqinfo->mode) {
    case MODE_GET:
    case MODE_GETNEXT: {
        const void *data = t->ops.fetch(t->ctx);   /* once per call */
        for (netsnmp_request_info *req = requests; req; req = req->next) {
            if (req->processed)
                continue;
            varbinds_asked++;
            if (reqinfo->mode == MODE_GET)
                handle_get(t, data, reqinfo, req);
            else
                handle_getnext(t, column, data, req);
        }
        break;
    }
#ifndef NETSNMP_NO_WRITE_SUPPORT
    case MODE_SET_RESERVE1:
    case MODE_SET_RESERVE2:
    case MODE_SET_ACTION:
    case MODE_SET_COMMIT:
    case MODE_SET_FREE:
    case MODE_SET_UNDO:
        /* The tables are read-only.  Net-SNMP already answers notWritable
         * for HANDLER_CAN_RONLY registrations before calling us; this keeps
         * the answer the same should the handler be registered otherwise. */
        for (netsnmp_request_info *req = requests; req; req = req->next)
            netsnmp_set_request_error(reqinfo, req, SNMP_ERR_NOTWRITABLE);
        break;
#endif
    default:
        /* GETBULK arrives as GETNEXT (bulk_to_next); nothing else exists. */
        snmp_log(LOG_ERR, "oid_table %s: unexpected mode %d\n", t->name,
                 reqinfo->mode);
        return SNMP_ERR_GENERR;
    }
    return SNMP_ERR_NOERROR;
}

/* Unregister the columns of @p table below @p end (at our priority: a
 * registration there is ours, since a second one would have failed). */
static void unregister_columns(struct oid_table *table, unsigned end)
{
    oid root[MAX_OID_LEN];
    if (table->entry_len + 1 > MAX_OID_LEN)
        return;
    memcpy(root, table->entry, table->entry_len * sizeof(oid));
    for (unsigned col = table->first_column; col < end; col++) {
        if (!column_valid(table, col))
            continue;
        root[table->entry_len] = col;
        (void)unregister_mib_priority(root, table->entry_len + 1,
                                      OID_TABLE_PRIORITY);
    }
}

void oid_table_unregister(struct oid_table *table)
{
    unregister_columns(table, table->last_column + 1);
}

int oid_table_register(struct oid_table *table)
{
    oid root[MAX_OID_LEN];
    if (table->entry_len + 1 > MAX_OID_LEN)
        return MIB_REGISTRATION_FAILED;
    memcpy(root, table->entry, table->entry_len * sizeof(oid));

    /* One registration per column, at a priority better than the
     * default: the master prefers the longer registered OID, then the
     * lower priority value, so this is what wins over an in-process
     * module that registers single columns of the same table. */
    for (unsigned col = table->first_column; col <= table->last_column;
         col++) {
        if (!column_valid(table, col))
            continue;
        root[table->entry_len] = col;
        netsnmp_handler_registration *reg =
            netsnmp_create_handler_registration(
                table->name, oid_table_handler, root, table->entry_len + 1,
                HANDLER_CAN_RONLY);
        if (!reg) {
            unregister_columns(table, col);
            return MIB_REGISTRATION_FAILED;
        }
        reg->handler->myvoid = table;
        reg->priority = OID_TABLE_PRIORITY;
        /* netsnmp_register_handler() adds bulk_to_next: GETBULK arrives
         * here as repeated GETNEXTs.  On failure it frees reg. */
        int rc = netsnmp_register_handler(reg);
        if (rc != MIB_REGISTERED_OK) {
            unregister_columns(table, col);
            return rc;
        }
    }
    return MIB_REGISTERED_OK;
}
