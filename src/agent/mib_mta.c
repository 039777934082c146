/*
 * mib_mta.c - MTA-MIB (RFC 2789): mtaTable (the MTA's totals),
 * mtaGroupTable (one row per channel), mtaGroupAssociationTable and
 * mtaGroupErrorTable.  Every index starts with the MTA's applIndex.
 *
 * Counters are the view's lifetime counters (a CLI clear never makes a
 * Counter32 go back), reduced modulo 2^32; gauges are clamped; volumes
 * are K-octets, rounded up.
 */
#include "mib_tables.h"

static int set_counter(struct oid_table_value *out, uint64_t v)
{
    return mib_set_unsigned(out, ASN_COUNTER, view_counter32(v));
}

static int set_gauge(struct oid_table_value *out, int64_t v)
{
    return mib_set_unsigned(out, ASN_GAUGE, view_gauge32(v));
}

static int set_kvolume_counter(struct oid_table_value *out, uint64_t octets)
{
    return set_counter(out, view_koctets(octets));
}

static int set_kvolume_gauge(struct oid_table_value *out, int64_t octets)
{
    uint64_t k = view_koctets(octets > 0 ? (uint64_t)octets : 0);
    return mib_set_unsigned(out, ASN_GAUGE,
                            k > UINT32_MAX ? UINT32_MAX : (uint32_t)k);
}

/* TimeInterval (INTEGER, hundredths of a second) since @p since_ms. */
static int set_interval(struct oid_table_value *out, const struct view *v,
                        int64_t since_ms)
{
    return mib_set_integer(out, view_interval(&v->clock, since_ms));
}

/* ------------------------------------------------------------------------ */
/* mtaTable: mtaEntry.COLUMN.applIndex                                       */

/* mtaEntry */
static const oid mta_entry[] = {1, 3, 6, 1, 2, 1, 28, 1, 1};

enum mta_column {
    MTA_RECEIVED_MESSAGES = 1,                   /* mtaReceivedMessages */
    MTA_STORED_MESSAGES = 2,                     /* mtaStoredMessages */
    MTA_TRANSMITTED_MESSAGES = 3,                /* mtaTransmittedMessages */
    MTA_RECEIVED_VOLUME = 4,                     /* mtaReceivedVolume */
    MTA_STORED_VOLUME = 5,                       /* mtaStoredVolume */
    MTA_TRANSMITTED_VOLUME = 6,                  /* mtaTransmittedVolume */
    MTA_RECEIVED_RECIPIENTS = 7,                 /* mtaReceivedRecipients */
    MTA_STORED_RECIPIENTS = 8,                   /* mtaStoredRecipients */
    MTA_TRANSMITTED_RECIPIENTS = 9,              /* mtaTransmittedRecipients */
    MTA_SUCCESSFUL_CONVERTED = 10,       /* mtaSuccessfulConvertedMessages */
    MTA_FAILED_CONVERTED = 11,           /* mtaFailedConvertedMessages */
    MTA_LOOPS_DETECTED = 12,                     /* mtaLoopsDetected */
};

/* One row while the segment is up, none while it is down. */
static size_t mta_rows(const void *data)
{
    const struct view *v = data;
    return v->segment_up ? 1 : 0;
}

static size_t mta_index(const void *data, size_t row,
                        oid idx[OID_TABLE_INDEX_MAX])
{
    (void)row;
    idx[0] = mib_mta_index(data);
    return 1;
}

static int mta_cell(const void *data, size_t row, unsigned column,
                    struct oid_table_value *out)
{
    const struct view *v = data;
    const struct view_totals *t = &v->totals;
    (void)row;

    switch (column) {
    case MTA_RECEIVED_MESSAGES:
        return set_counter(out, t->c[MTAMON_RECEIVED_MSGS]);
    case MTA_STORED_MESSAGES:
        return set_gauge(out, t->stored_msgs);
    case MTA_TRANSMITTED_MESSAGES:
        return set_counter(out, t->c[MTAMON_DELIVERED_MSGS]);
    case MTA_RECEIVED_VOLUME:
        return set_kvolume_counter(out, t->c[MTAMON_RECEIVED_VOLUME]);
    case MTA_STORED_VOLUME:
        return set_kvolume_gauge(out, t->stored_volume);
    case MTA_TRANSMITTED_VOLUME:
        return set_kvolume_counter(out, t->c[MTAMON_DELIVERED_VOLUME]);
    case MTA_RECEIVED_RECIPIENTS:
        return set_counter(out, t->c[MTAMON_RECEIVED_RCPTS]);
    case MTA_STORED_RECIPIENTS:
        return set_gauge(out, t->stored_rcpts);
    case MTA_TRANSMITTED_RECIPIENTS:
        return set_counter(out, t->c[MTAMON_DELIVERED_RCPTS]);
    case MTA_SUCCESSFUL_CONVERTED:
        return set_counter(out, t->c[MTAMON_CONVERTED_OK]);
    case MTA_FAILED_CONVERTED:
        return set_counter(out, t->c[MTAMON_CONVERTED_FAILED]);
    case MTA_LOOPS_DETECTED:
        return set_counter(out, t->c[MTAMON_LOOPS]);
    default:
        return -1;
    }
}

struct oid_table mib_mta_table = {
    .name = "mtaTable",
    .entry = mta_entry,
    .entry_len = OID_LENGTH(mta_entry),
    .first_column = MTA_RECEIVED_MESSAGES,
    .last_column = MTA_LOOPS_DETECTED,
    .column_exists = NULL,
    .ops = {mib_fetch_view, mta_rows, mta_index, mta_cell},
};

/* ------------------------------------------------------------------------ */
/* mtaGroupTable: mtaGroupEntry.COLUMN.applIndex.mtaGroupIndex               */

/* mtaGroupEntry */
static const oid group_entry[] = {1, 3, 6, 1, 2, 1, 28, 2, 1};

enum group_column {
    GROUP_RECEIVED_MESSAGES = 2,            /* mtaGroupReceivedMessages */
    GROUP_REJECTED_MESSAGES = 3,            /* mtaGroupRejectedMessages */
    GROUP_STORED_MESSAGES = 4,              /* mtaGroupStoredMessages */
    GROUP_TRANSMITTED_MESSAGES = 5,         /* mtaGroupTransmittedMessages */
    GROUP_RECEIVED_VOLUME = 6,              /* mtaGroupReceivedVolume */
    GROUP_STORED_VOLUME = 7,                /* mtaGroupStoredVolume */
    GROUP_TRANSMITTED_VOLUME = 8,           /* mtaGroupTransmittedVolume */
    GROUP_RECEIVED_RECIPIENTS = 9,          /* mtaGroupReceivedRecipients */
    GROUP_STORED_RECIPIENTS = 10,           /* mtaGroupStoredRecipients */
    GROUP_TRANSMITTED_RECIPIENTS = 11,      /* mtaGroupTransmittedRecipients */
    GROUP_OLDEST_MESSAGE_STORED = 12,       /* mtaGroupOldestMessageStored */
    GROUP_INBOUND_ASSOCS = 13,              /* mtaGroupInboundAssociations */
    GROUP_OUTBOUND_ASSOCS = 14,             /* mtaGroupOutboundAssociations */
    GROUP_ACC_INBOUND_ASSOCS = 15,  /* mtaGroupAccumulatedInboundAssociations */
    GROUP_ACC_OUTBOUND_ASSOCS = 16, /* mtaGroupAccumulatedOutboundAssociations */
    GROUP_LAST_INBOUND = 17,                /* mtaGroupLastInboundActivity */
    GROUP_LAST_OUTBOUND = 18,               /* mtaGroupLastOutboundActivity */
    GROUP_REJECTED_INBOUND = 19,    /* mtaGroupRejectedInboundAssociations */
    GROUP_FAILED_OUTBOUND = 20,     /* mtaGroupFailedOutboundAssociations */
    GROUP_INBOUND_REJECTION_REASON = 21,  /* mtaGroupInboundRejectionReason */
    GROUP_OUTBOUND_FAILURE_REASON = 22,
                                    /* mtaGroupOutboundConnectFailureReason */
    GROUP_SCHEDULED_RETRY = 23,             /* mtaGroupScheduledRetry */
    GROUP_MAIL_PROTOCOL = 24,               /* mtaGroupMailProtocol */
    GROUP_NAME = 25,                        /* mtaGroupName */
    GROUP_SUCCESSFUL_CONVERTED = 26,
                                    /* mtaGroupSuccessfulConvertedMessages */
    GROUP_FAILED_CONVERTED = 27,            /* mtaGroupFailedConvertedMessages */
    GROUP_DESCRIPTION = 28,                 /* mtaGroupDescription */
    GROUP_URL = 29,                         /* mtaGroupURL */
    GROUP_CREATION_TIME = 30,               /* mtaGroupCreationTime */
    GROUP_HIERARCHY = 31,                   /* mtaGroupHierarchy */
    GROUP_OLDEST_MESSAGE_ID = 32,           /* mtaGroupOldestMessageId */
    GROUP_LOOPS_DETECTED = 33,              /* mtaGroupLoopsDetected */
    GROUP_LAST_OUTBOUND_ATTEMPT = 34,
                                /* mtaGroupLastOutboundAssociationAttempt */
};

/*
 * The columns only a queue scan knows (channels[].queue): no instance for
 * a channel without one, or whose queue could not be read.
 */
static int group_queue_cell(const struct view *v, const struct view_group *g,
                            unsigned column, struct oid_table_value *out)
{
    const struct queue_scan_stats *q = g->queue;
    if (!q)
        return -1;
    switch (column) {
    case GROUP_OLDEST_MESSAGE_STORED:
        return set_interval(out, v, q->oldest_ms ? q->oldest_ms : v->clock.wall_ms);
    case GROUP_SCHEDULED_RETRY: {
        /* Time until the next attempt: 0 when one is due or none known. */
        int64_t ms = q->next_retry_ms ? q->next_retry_ms - v->clock.wall_ms : 0;
        return mib_set_integer(out, ms <= 0 ? 0 : ms / 10 > INT32_MAX ? INT32_MAX
                                                                       : (long)(ms / 10));
    }
    default: /* GROUP_OLDEST_MESSAGE_ID */
        return mib_set_string(out, q->oldest_id);
    }
}

static size_t group_rows(const void *data)
{
    const struct view *v = data;
    return v->n_groups;
}

static size_t group_index(const void *data, size_t row,
                          oid idx[OID_TABLE_INDEX_MAX])
{
    const struct view *v = data;
    idx[0] = mib_mta_index(v);
    idx[1] = v->groups[row].index;
    return 2;
}

/* A last-reason text; RFC 2789 wants "never" when no association was
 * ever tried, and an empty string when one was but no reason is known. */
static int set_reason(struct oid_table_value *out, const char *reason,
                      uint64_t tried)
{
    return mib_set_string(out, reason[0] ? reason : tried ? "" : "never");
}

/* TimeInterval since the last activity, or since the group was created
 * when there was none. */
static int set_since_activity(struct oid_table_value *out,
                              const struct view *v,
                              const struct mtamon_channel_stats *ch,
                              int64_t last_ms)
{
    return set_interval(out, v, last_ms ? last_ms : ch->created_ms);
}

/* The columns described by the configuration (NULL: not configured). */
static int group_conf_cell(const struct view_group *g, unsigned column,
                           struct oid_table_value *out)
{
    /* Holds the protocol OID until the handler copies it. */
    static oid protocol[CONFIG_OID_MAX];
    const struct config_channel *conf = g->conf;

    switch (column) {
    case GROUP_MAIL_PROTOCOL:
        return conf ? mib_set_oid(out, conf->protocol, conf->protocol_len,
                                  protocol)
                    : mib_set_oid(out, NULL, 0, protocol);
    case GROUP_NAME:
        return mib_set_string(out, conf && conf->group_name &&
                                           conf->group_name[0]
                                       ? conf->group_name
                                       : g->ch->name);
    case GROUP_DESCRIPTION:
        return mib_set_string(out, conf ? conf->description : "");
    case GROUP_URL:
        return mib_set_string(out, conf ? conf->url : "");
    case GROUP_HIERARCHY:
        return mib_set_integer(out, conf ? conf->hierarchy : 0);
    default:
        return -1;
    }
}

static int group_cell(const void *data, size_t row, unsigned column,
                      struct oid_table_value *out)
{
    const struct view *v = data;
    const struct view_group *g = &v->groups[row];
    const struct mtamon_channel_stats *ch = g->ch;
    const uint64_t *c = ch->c;

    switch (column) {
    case GROUP_RECEIVED_MESSAGES:
        return set_counter(out, c[MTAMON_RECEIVED_MSGS]);
    case GROUP_REJECTED_MESSAGES:
        return set_counter(out, c[MTAMON_REJECTED_MSGS]);
    case GROUP_STORED_MESSAGES:
        return set_gauge(out, g->stored_msgs);
    case GROUP_TRANSMITTED_MESSAGES:
        return set_counter(out, c[MTAMON_DELIVERED_MSGS]);
    case GROUP_RECEIVED_VOLUME:
        return set_kvolume_counter(out, c[MTAMON_RECEIVED_VOLUME]);
    case GROUP_STORED_VOLUME:
        return set_kvolume_gauge(out, g->stored_volume);
    case GROUP_TRANSMITTED_VOLUME:
        return set_kvolume_counter(out, c[MTAMON_DELIVERED_VOLUME]);
    case GROUP_RECEIVED_RECIPIENTS:
        return set_counter(out, c[MTAMON_RECEIVED_RCPTS]);
    case GROUP_STORED_RECIPIENTS:
        return set_gauge(out, ch->stored_rcpts);
    case GROUP_TRANSMITTED_RECIPIENTS:
        return set_counter(out, c[MTAMON_DELIVERED_RCPTS]);
    case GROUP_INBOUND_ASSOCS:
        return set_gauge(out, ch->in_assocs_current);
    case GROUP_OUTBOUND_ASSOCS:
        return set_gauge(out, ch->out_assocs_current);
    case GROUP_ACC_INBOUND_ASSOCS:
        return set_counter(out, c[MTAMON_IN_ASSOCS]);
    case GROUP_ACC_OUTBOUND_ASSOCS:
        return set_counter(out, c[MTAMON_OUT_ASSOCS]);
    case GROUP_LAST_INBOUND:
        return set_since_activity(out, v, ch, ch->last_inbound_ms);
    case GROUP_LAST_OUTBOUND:
        return set_since_activity(out, v, ch, ch->last_outbound_ms);
    case GROUP_REJECTED_INBOUND:
        return set_counter(out, c[MTAMON_IN_ASSOCS_REJECTED]);
    case GROUP_FAILED_OUTBOUND:
        return set_counter(out, c[MTAMON_OUT_ASSOCS_FAILED]);
    case GROUP_INBOUND_REJECTION_REASON:
        return set_reason(out, ch->last_rejection_reason,
                          c[MTAMON_IN_ASSOCS] + c[MTAMON_IN_ASSOCS_REJECTED]);
    case GROUP_OUTBOUND_FAILURE_REASON:
        return set_reason(out, ch->last_connect_failure,
                          c[MTAMON_OUT_ASSOCS] + c[MTAMON_OUT_ASSOCS_FAILED]);
    case GROUP_SUCCESSFUL_CONVERTED:
        return set_counter(out, c[MTAMON_CONVERTED_OK]);
    case GROUP_FAILED_CONVERTED:
        return set_counter(out, c[MTAMON_CONVERTED_FAILED]);
    case GROUP_CREATION_TIME:
        return set_interval(out, v, ch->created_ms);
    case GROUP_LOOPS_DETECTED:
        return set_counter(out, c[MTAMON_LOOPS]);
    case GROUP_LAST_OUTBOUND_ATTEMPT:
        return set_since_activity(out, v, ch, ch->last_outbound_attempt_ms);
    case GROUP_OLDEST_MESSAGE_STORED:
    case GROUP_SCHEDULED_RETRY:
    case GROUP_OLDEST_MESSAGE_ID:
        return group_queue_cell(v, g, column, out);
    default:
        return group_conf_cell(g, column, out);
    }
}

struct oid_table mib_group_table = {
    .name = "mtaGroupTable",
    .entry = group_entry,
    .entry_len = OID_LENGTH(group_entry),
    .first_column = GROUP_RECEIVED_MESSAGES,
    .last_column = GROUP_LAST_OUTBOUND_ATTEMPT,
    .ops = {mib_fetch_view, group_rows, group_index, group_cell},
};

/* ------------------------------------------------------------------------ */
/* mtaGroupAssociationTable:                                                 */
/*   mtaGroupAssociationEntry.1.applIndex.mtaGroupIndex.assocIndex           */

/* mtaGroupAssociationEntry */
static const oid group_assoc_entry[] = {1, 3, 6, 1, 2, 1, 28, 3, 1};

enum group_assoc_column {
    GROUP_ASSOC_INDEX = 1,                  /* mtaGroupAssociationIndex */
};

static size_t group_assoc_rows(const void *data)
{
    const struct view *v = data;
    return v->n_group_assocs;
}

static size_t group_assoc_index(const void *data, size_t row,
                                oid idx[OID_TABLE_INDEX_MAX])
{
    const struct view *v = data;
    const struct view_assoc *a = &v->group_assocs[row];
    idx[0] = mib_mta_index(v);
    idx[1] = a->group_index;
    idx[2] = a->entry;
    return 3;
}

static int group_assoc_cell(const void *data, size_t row, unsigned column,
                            struct oid_table_value *out)
{
    const struct view *v = data;
    if (column != GROUP_ASSOC_INDEX)
        return -1;
    /* The association's assocIndex in assocTable. */
    return mib_set_integer(out, (long)v->group_assocs[row].entry);
}

struct oid_table mib_group_assoc_table = {
    .name = "mtaGroupAssociationTable",
    .entry = group_assoc_entry,
    .entry_len = OID_LENGTH(group_assoc_entry),
    .first_column = GROUP_ASSOC_INDEX,
    .last_column = GROUP_ASSOC_INDEX,
    .column_exists = NULL,
    .ops = {mib_fetch_view, group_assoc_rows, group_assoc_index,
            group_assoc_cell},
};

/* ------------------------------------------------------------------------ */
/* mtaGroupErrorTable:                                                       */
/*   mtaGroupErrorEntry.COLUMN.applIndex.mtaGroupIndex.mtaStatusCode         */

/* mtaGroupErrorEntry */
static const oid group_error_entry[] = {1, 3, 6, 1, 2, 1, 28, 5, 1};

enum group_error_column {
    GROUP_ERROR_INBOUND = 1,                /* mtaGroupInboundErrorCount */
    GROUP_ERROR_INTERNAL = 2,               /* mtaGroupInternalErrorCount */
    GROUP_ERROR_OUTBOUND = 3,               /* mtaGroupOutboundErrorCount */
};

static size_t group_error_rows(const void *data)
{
    const struct view *v = data;
    return v->n_errors;
}

static size_t group_error_index(const void *data, size_t row,
                                oid idx[OID_TABLE_INDEX_MAX])
{
    const struct view *v = data;
    const struct view_error *e = &v->errors[row];
    idx[0] = mib_mta_index(v);
    idx[1] = e->group_index;
    idx[2] = e->status_code;
    return 3;
}

static int group_error_cell(const void *data, size_t row, unsigned column,
                            struct oid_table_value *out)
{
    const struct view *v = data;
    const struct view_error *e = &v->errors[row];

    switch (column) {
    case GROUP_ERROR_INBOUND:
        return set_counter(out, e->inbound);
    case GROUP_ERROR_INTERNAL:
        return set_counter(out, e->internal);
    case GROUP_ERROR_OUTBOUND:
        return set_counter(out, e->outbound);
    default:
        return -1;
    }
}

struct oid_table mib_group_error_table = {
    .name = "mtaGroupErrorTable",
    .entry = group_error_entry,
    .entry_len = OID_LENGTH(group_error_entry),
    .first_column = GROUP_ERROR_INBOUND,
    .last_column = GROUP_ERROR_OUTBOUND,
    .column_exists = NULL,
    .ops = {mib_fetch_view, group_error_rows, group_error_index,
            group_error_cell},
};
