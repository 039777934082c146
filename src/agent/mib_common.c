/*
 * mib_common.c - registration of every MIB table and what the tables
 * share: the current view and the cell setters.
 */
#include <string.h>
#include <time.h>

#include "log.h"
#include "mib_tables.h"

const struct view *mib_current_view(view_cache *vc)
{
    struct timespec ts;
    struct view_clock now;

    clock_gettime(CLOCK_REALTIME, &ts);
    now.wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    /* A subagent's copy of the master's sysUpTime, kept in step by every
     * AgentX response. */
    now.uptime_ticks = (uint32_t)netsnmp_get_agent_uptime();
    return view_cache_get(vc, &now, 0);
}

const void *mib_fetch_view(void *ctx)
{
    return mib_current_view(ctx);
}

uint32_t mib_epoch_s(int64_t ms)
{
    if (ms <= 0)
        return 0;
    return ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ms / 1000);
}

size_t mib_one_row(const void *data)
{
    (void)data;
    return 1;
}

size_t mib_scalar_index(const void *data, size_t row, oid idx[OID_TABLE_INDEX_MAX])
{
    (void)data;
    (void)row;
    idx[0] = 0;
    return 1;
}

uint32_t mib_mta_index(const struct view *v)
{
    if (v->mta && v->mta->conf)
        return v->mta->conf->index;
    return config_mta_app(v->conf)->index;
}

struct oid_table *const mib_tables[] = {
    &mib_appl_table,        /* 1.3.6.1.2.1.27.1 */
    &mib_assoc_table,       /* 1.3.6.1.2.1.27.2 */
    &mib_mta_table,         /* 1.3.6.1.2.1.28.1 */
    &mib_group_table,       /* 1.3.6.1.2.1.28.2 */
    &mib_group_assoc_table, /* 1.3.6.1.2.1.28.3 */
    &mib_group_error_table, /* 1.3.6.1.2.1.28.5 */
    &mib_mtamon_scalars,         /* MTAMON-MIB: mtamonAgent (.1.1) */
    &mib_mtamon_queue_table,     /* .1.2 */
    &mib_mtamon_partition_table, /* .1.3 */
    &mib_mtamon_connection_table,/* .1.4 */
    &mib_mtamon_remote_table,    /* .1.5 */
    &mib_mtamon_process_table,   /* .1.6 */
    &mib_mtamon_group_hc_table,  /* .1.7 */
    &mib_mtamon_probe_table,     /* .1.8 */
    &mib_mtamon_alarm_scalars,   /* .1.9.1-6 */
    &mib_mtamon_alarm_table,     /* .1.9.7 */
    NULL,
};

int mib_register_all(view_cache *vc)
{
    for (struct oid_table *const *t = mib_tables; *t; t++) {
        (*t)->ctx = vc;
        int rc = oid_table_register(*t);
        if (rc != MIB_REGISTERED_OK) {
            log_msg(LOG_ERR, "cannot register %s (Net-SNMP error %d%s)",
                    (*t)->name, rc,
                    rc == MIB_DUPLICATE_REGISTRATION
                        ? ": another agent serves it already" : "");
            while (t-- != mib_tables)
                oid_table_unregister(*t);
            return -1;
        }
    }
    return 0;
}

void mib_unregister_all(void)
{
    for (struct oid_table *const *t = mib_tables; *t; t++)
        oid_table_unregister(*t);
}

int mib_set_integer(struct oid_table_value *out, long value)
{
    out->type = ASN_INTEGER;
    out->v.integer = value;
    return 0;
}

int mib_set_unsigned(struct oid_table_value *out, unsigned char type,
                     uint32_t value)
{
    out->type = type;
    out->v.unsigned32 = value;
    return 0;
}

int mib_set_counter64(struct oid_table_value *out, uint64_t value)
{
    out->type = ASN_COUNTER64;
    out->v.counter64 = value;
    return 0;
}

int mib_set_bytes(struct oid_table_value *out, const void *p, size_t len)
{
    out->type = ASN_OCTET_STR;
    out->v.string.ptr = p;
    out->v.string.len = len;
    return 0;
}

int mib_set_string(struct oid_table_value *out, const char *s)
{
    out->type = ASN_OCTET_STR;
    out->v.string.ptr = s ? s : "";
    out->v.string.len = s ? strlen(s) : 0;
    return 0;
}

int mib_set_oid(struct oid_table_value *out, const uint32_t *ids, size_t len,
                oid buf[CONFIG_OID_MAX])
{
    if (len == 0 || len > CONFIG_OID_MAX) {
        buf[0] = 0;     /* zeroDotZero */
        buf[1] = 0;
        len = 2;
    } else {
        for (size_t i = 0; i < len; i++)
            buf[i] = ids[i];
    }
    out->type = ASN_OBJECT_ID;
    out->v.object_id.ptr = buf;
    out->v.object_id.len = len;
    return 0;
}
