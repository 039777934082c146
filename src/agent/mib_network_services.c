/*
 * mib_network_services.c - NETWORK-SERVICES-MIB (RFC 2788): applTable, one
 * row per configured application, and assocTable, the MTA's current
 * associations.
 */
#include "mib_tables.h"

/* ------------------------------------------------------------------------ */
/* applTable: applEntry.COLUMN.applIndex                                     */

/* applEntry */
static const oid appl_entry[] = {1, 3, 6, 1, 2, 1, 27, 1, 1};

enum appl_column {
    APPL_NAME = 2,                               /* applName */
    APPL_DIRECTORY_NAME = 3,                     /* applDirectoryName */
    APPL_VERSION = 4,                            /* applVersion */
    APPL_UPTIME = 5,                             /* applUptime */
    APPL_OPER_STATUS = 6,                        /* applOperStatus */
    APPL_LAST_CHANGE = 7,                        /* applLastChange */
    APPL_INBOUND_ASSOCS = 8,                     /* applInboundAssociations */
    APPL_OUTBOUND_ASSOCS = 9,                    /* applOutboundAssociations */
    APPL_ACC_INBOUND_ASSOCS = 10,   /* applAccumulatedInboundAssociations */
    APPL_ACC_OUTBOUND_ASSOCS = 11,  /* applAccumulatedOutboundAssociations */
    APPL_LAST_INBOUND = 12,                      /* applLastInboundActivity */
    APPL_LAST_OUTBOUND = 13,                     /* applLastOutboundActivity */
    APPL_REJECTED_INBOUND = 14,     /* applRejectedInboundAssociations */
    APPL_FAILED_OUTBOUND = 15,      /* applFailedOutboundAssociations */
    APPL_DESCRIPTION = 16,                       /* applDescription */
    APPL_URL = 17,                               /* applURL */
};

static size_t appl_rows(const void *data)
{
    const struct view *v = data;
    return v->n_apps;
}

static size_t appl_index(const void *data, size_t row,
                         oid idx[OID_TABLE_INDEX_MAX])
{
    const struct view *v = data;
    idx[0] = v->apps[row].conf->index;
    return 1;
}

/* The MTA row's association columns (8-15): sums over every channel,
 * zero while the segment is down. */
static int appl_mta_cell(const struct view *v, unsigned column,
                         struct oid_table_value *out)
{
    const struct view_totals *t = &v->totals;

    switch (column) {
    case APPL_INBOUND_ASSOCS:
        return mib_set_unsigned(out, ASN_GAUGE,
                                view_gauge32(t->in_assocs_current));
    case APPL_OUTBOUND_ASSOCS:
        return mib_set_unsigned(out, ASN_GAUGE,
                                view_gauge32(t->out_assocs_current));
    case APPL_ACC_INBOUND_ASSOCS:
        return mib_set_unsigned(out, ASN_COUNTER,
                                view_counter32(t->c[MTAMON_IN_ASSOCS]));
    case APPL_ACC_OUTBOUND_ASSOCS:
        return mib_set_unsigned(out, ASN_COUNTER,
                                view_counter32(t->c[MTAMON_OUT_ASSOCS]));
    case APPL_LAST_INBOUND:
        return mib_set_unsigned(out, ASN_TIMETICKS,
                                view_timestamp(&v->clock, t->last_inbound_ms));
    case APPL_LAST_OUTBOUND:
        return mib_set_unsigned(out, ASN_TIMETICKS,
                                view_timestamp(&v->clock, t->last_outbound_ms));
    case APPL_REJECTED_INBOUND:
        return mib_set_unsigned(
            out, ASN_COUNTER, view_counter32(t->c[MTAMON_IN_ASSOCS_REJECTED]));
    case APPL_FAILED_OUTBOUND:
        return mib_set_unsigned(
            out, ASN_COUNTER, view_counter32(t->c[MTAMON_OUT_ASSOCS_FAILED]));
    default:
        return -1;
    }
}

static int appl_cell(const void *data, size_t row, unsigned column,
                     struct oid_table_value *out)
{
    const struct view *v = data;
    const struct view_app *app = &v->apps[row];

    switch (column) {
    case APPL_NAME:
        return mib_set_string(out, app->conf->name);
    case APPL_DIRECTORY_NAME:
        return mib_set_string(out, app->conf->directory_name);
    case APPL_VERSION:
        return mib_set_string(out, app->conf->version);
    case APPL_DESCRIPTION:
        return mib_set_string(out, app->conf->description);
    case APPL_URL:
        return mib_set_string(out, app->conf->url);
    default:
        break;
    }
    /* applInboundAssociations from the kernel's table, where the row
     * names its port (applications[].port). */
    if (column == APPL_INBOUND_ASSOCS && app->has_inbound)
        return mib_set_unsigned(out, ASN_GAUGE, app->inbound_assocs);
    /* A service row has status columns once its process watch or its
     * probe has an answer (view.h, struct view_app); the MTA row always
     * has them (down while the segment is). */
    if (app != v->mta && !app->has_status)
        return -1;
    switch (column) {
    case APPL_UPTIME:
        return mib_set_unsigned(out, ASN_TIMETICKS, app->uptime_ticks);
    case APPL_OPER_STATUS:
        return mib_set_integer(out, app->oper_status);
    case APPL_LAST_CHANGE:
        return mib_set_unsigned(out, ASN_TIMETICKS, app->last_change_ticks);
    default:
        /* Associations are counted for the MTA only. */
        return app == v->mta ? appl_mta_cell(v, column, out) : -1;
    }
}

struct oid_table mib_appl_table = {
    .name = "applTable",
    .entry = appl_entry,
    .entry_len = OID_LENGTH(appl_entry),
    .first_column = APPL_NAME,
    .last_column = APPL_URL,
    .column_exists = NULL,
    .ops = {mib_fetch_view, appl_rows, appl_index, appl_cell},
};

/* ------------------------------------------------------------------------ */
/* assocTable: assocEntry.COLUMN.applIndex.assocIndex                        */

/* assocEntry */
static const oid assoc_entry[] = {1, 3, 6, 1, 2, 1, 27, 2, 1};

enum assoc_column {
    ASSOC_REMOTE_APPLICATION = 2,                /* assocRemoteApplication */
    ASSOC_APPLICATION_PROTOCOL = 3,              /* assocApplicationProtocol */
    ASSOC_APPLICATION_TYPE = 4,                  /* assocApplicationType */
    ASSOC_DURATION = 5,                          /* assocDuration */
};

static size_t assoc_rows(const void *data)
{
    const struct view *v = data;
    return v->n_assocs;
}

static size_t assoc_index(const void *data, size_t row,
                          oid idx[OID_TABLE_INDEX_MAX])
{
    const struct view *v = data;
    idx[0] = mib_mta_index(v);
    idx[1] = v->assocs[row].entry;
    return 2;
}

static int assoc_cell(const void *data, size_t row, unsigned column,
                      struct oid_table_value *out)
{
    /* Holds the protocol OID until the handler copies it. */
    static oid protocol[CONFIG_OID_MAX];
    const struct view *v = data;
    const struct view_assoc *a = &v->assocs[row];
    const struct config_channel *conf = a->group ? a->group->conf : NULL;

    switch (column) {
    case ASSOC_REMOTE_APPLICATION:
        return mib_set_string(out, a->a->remote);
    case ASSOC_APPLICATION_PROTOCOL:
        return conf ? mib_set_oid(out, conf->protocol, conf->protocol_len,
                                  protocol)
                    : mib_set_oid(out, NULL, 0, protocol);
    case ASSOC_APPLICATION_TYPE:
        return mib_set_integer(out, a->a->direction == MTAMON_INBOUND
                                        ? VIEW_ASSOC_PEER_INITIATOR
                                        : VIEW_ASSOC_PEER_RESPONDER);
    case ASSOC_DURATION:
        return mib_set_unsigned(out, ASN_TIMETICKS,
                                view_timestamp(&v->clock, a->a->start_ms));
    default:
        return -1;
    }
}

struct oid_table mib_assoc_table = {
    .name = "assocTable",
    .entry = assoc_entry,
    .entry_len = OID_LENGTH(assoc_entry),
    .first_column = ASSOC_REMOTE_APPLICATION,
    .last_column = ASSOC_DURATION,
    .column_exists = NULL,
    .ops = {mib_fetch_view, assoc_rows, assoc_index, assoc_cell},
};
