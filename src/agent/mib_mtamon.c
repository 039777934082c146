/*
 * mib_mtamon.c - MTAMON-MIB (mibs/MTAMON-MIB.txt), the project's own
 * objects under MIB_MTAMON_ROOT:
 *
 *   .1.1  mtamonAgent           scalars: the segment and the snapshot
 *   .1.2  mtamonQueueTable      the queue scanner's rows
 *   .1.3  mtamonPartitionTable  statvfs of the partitions
 *   .1.4  mtamonConnectionTable TCP connections per port and state
 *   .1.5  mtamonConnRemoteTable the remotes with most connections per port
 *   .1.6  mtamonProcessTable    the process watch
 *   .1.7  mtamonGroupHCTable    a Counter64 of every channel counter
 *   .1.8  mtamonProbeTable      the server-response probes
 *   (.1.9 mtamonAlarms: mib_mtamon_alarm.c)
 *
 * The scalars are served as a one-row table whose index is 0 (object.0).
 * Times are seconds since the epoch (0 = unknown), ages whole seconds,
 * sizes octets (MtamonGauge64, a Counter64 on the wire).
 */
#include <inttypes.h>
#include <stdio.h>

#include "mib_tables.h"

/* Seconds from @p ms to the view's clock (0 when @p ms is 0 or later). */
static uint32_t age_s(const struct view *v, int64_t ms)
{
    if (ms <= 0 || ms >= v->clock.wall_ms)
        return 0;
    int64_t s = (v->clock.wall_ms - ms) / 1000;
    return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static int set_gauge(struct oid_table_value *out, uint64_t v)
{
    return mib_set_unsigned(out, ASN_GAUGE, v > UINT32_MAX ? UINT32_MAX : (uint32_t)v);
}

static const struct collector_snapshot *collect_of(const struct view *v)
{
    static const struct collector_snapshot none;
    return v->collect ? v->collect : &none;
}

/* Index = row + 1: the tables numbered by config position. */
static size_t position_index(const void *data, size_t row, oid idx[OID_TABLE_INDEX_MAX])
{
    (void)data;
    idx[0] = row + 1;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* mtamonAgent scalars                                                       */

static const oid agent_entry[] = {MIB_MTAMON_ROOT, 1, 1};

enum agent_column {
    AGENT_SEGMENT_STATUS = 1,   /* mtamonSegmentStatus */
    AGENT_SEGMENT_NAME,         /* mtamonSegmentName */
    AGENT_SEGMENT_GENERATION,   /* mtamonSegmentGeneration */
    AGENT_SEGMENT_CREATED,      /* mtamonSegmentCreated */
    AGENT_SEGMENT_LAST_CLEAR,   /* mtamonSegmentLastClear */
    AGENT_SNAPSHOT_AGE,         /* mtamonSnapshotAge */
    AGENT_SEGMENT_CHANNELS,     /* mtamonSegmentChannels */
};

static int agent_cell(const void *data, size_t row, unsigned column,
                      struct oid_table_value *out)
{
    /* Holds the generation's text until the handler copies it. */
    static char generation[17];
    const struct view *v = data;
    (void)row;
    switch (column) {
    case AGENT_SEGMENT_STATUS:
        return mib_set_integer(out, v->segment_up ? 1 : 2);
    case AGENT_SEGMENT_NAME:
        return mib_set_string(out, v->segment_name);
    case AGENT_SEGMENT_GENERATION:
        if (!v->segment_up)
            return mib_set_string(out, "");
        snprintf(generation, sizeof generation, "%016" PRIx64, v->generation);
        return mib_set_string(out, generation);
    case AGENT_SEGMENT_CREATED:
        return mib_set_unsigned(out, ASN_UNSIGNED,
                                v->segment_up ? mib_epoch_s(v->counters_since_ms) : 0);
    case AGENT_SEGMENT_LAST_CLEAR:
        return mib_set_unsigned(out, ASN_UNSIGNED,
                                v->segment_up ? mib_epoch_s(v->snap.cleared_ms) : 0);
    case AGENT_SNAPSHOT_AGE: {
        int64_t ms = v->segment_up ? v->clock.wall_ms - v->snap.taken_ms : 0;
        return mib_set_unsigned(out, ASN_UNSIGNED,
                                ms <= 0 ? 0 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
    }
    case AGENT_SEGMENT_CHANNELS:
        return set_gauge(out, v->n_groups);
    default:
        return -1;
    }
}

struct oid_table mib_mtamon_scalars = {
    .name = "mtamonAgent",
    .entry = agent_entry,
    .entry_len = OID_LENGTH(agent_entry),
    .first_column = AGENT_SEGMENT_STATUS,
    .last_column = AGENT_SEGMENT_CHANNELS,
    .ops = {mib_fetch_view, mib_one_row, mib_scalar_index, agent_cell},
};

/* ------------------------------------------------------------------------ */
/* mtamonQueueTable                                                          */

static const oid queue_entry[] = {MIB_MTAMON_ROOT, 1, 2, 1};

enum queue_column {
    QUEUE_NAME = 2, QUEUE_KIND, QUEUE_PATH, QUEUE_STATUS, QUEUE_MESSAGES, QUEUE_VOLUME,
    QUEUE_OLDEST_AGE, QUEUE_OLDEST_ID, QUEUE_NEXT_RETRY, QUEUE_SCAN_DURATION,
    QUEUE_SCAN_AGE, QUEUE_ERROR, QUEUE_SOURCE,
};

/* mtamonQueueStatus and mtamonPartitionStatus: ok(1), unavailable(2),
 * not yet read(3). */
static long read_status(int ok, int unavailable)
{
    return ok ? 1 : unavailable ? 2 : 3;
}

static size_t queue_rows(const void *data)
{
    return collect_of(data)->n_queues;
}

static int queue_cell(const void *data, size_t row, unsigned column,
                      struct oid_table_value *out)
{
    const struct view *v = data;
    const struct collector_snapshot *cs = collect_of(v);
    const struct queue_scan_stats *q = &cs->queues[row];
    switch (column) {
    case QUEUE_NAME:
        return mib_set_string(out, q->name);
    case QUEUE_KIND:
        return mib_set_integer(out, (long)cs->queue_conf[row]->kind + 1);
    case QUEUE_PATH:
        return mib_set_string(out, cs->queue_conf[row]->path);
    case QUEUE_STATUS:
        return mib_set_integer(out, read_status(q->status == QUEUE_SCAN_OK,
                                                q->status == QUEUE_SCAN_UNAVAILABLE));
    case QUEUE_MESSAGES:
        return set_gauge(out, q->messages);
    case QUEUE_VOLUME:
        return mib_set_counter64(out, q->volume);
    case QUEUE_OLDEST_AGE:
        return set_gauge(out, age_s(v, q->oldest_ms));
    case QUEUE_OLDEST_ID:
        return mib_set_string(out, q->oldest_id);
    case QUEUE_NEXT_RETRY: {
        int64_t ms = q->next_retry_ms - v->clock.wall_ms;
        return set_gauge(out, q->next_retry_ms && ms > 0 ? (uint64_t)(ms + 999) / 1000 : 0);
    }
    case QUEUE_SCAN_DURATION:
        return set_gauge(out, q->duration_ms);
    case QUEUE_SCAN_AGE:
        return set_gauge(out, age_s(v, q->scanned_ms));
    case QUEUE_ERROR:
        return mib_set_string(out, q->error);
    case QUEUE_SOURCE:
        return mib_set_integer(out, q->source == QUEUE_SCAN_POSTQUEUE ? 2 : 1);
    default:
        return -1;
    }
}

struct oid_table mib_mtamon_queue_table = {
    .name = "mtamonQueueTable",
    .entry = queue_entry,
    .entry_len = OID_LENGTH(queue_entry),
    .first_column = QUEUE_NAME,
    .last_column = QUEUE_SOURCE,
    .ops = {mib_fetch_view, queue_rows, position_index, queue_cell},
};

/* ------------------------------------------------------------------------ */
/* mtamonPartitionTable                                                      */

static const oid partition_entry[] = {MIB_MTAMON_ROOT, 1, 3, 1};

enum partition_column {
    PART_NAME = 2, PART_PATH, PART_STATUS, PART_SIZE, PART_USED, PART_AVAILABLE,
    PART_USED_PERCENT, PART_INODES_TOTAL, PART_INODES_FREE, PART_AGE, PART_ERROR,
};

static size_t partition_rows(const void *data)
{
    return collect_of(data)->n_partitions;
}

static int partition_cell(const void *data, size_t row, unsigned column,
                          struct oid_table_value *out)
{
    const struct view *v = data;
    const struct partition_stats *p = &collect_of(v)->partitions[row];
    const struct config_partition *conf = &v->conf->partitions[row];
    switch (column) {
    case PART_NAME:
        return mib_set_string(out, conf->name);
    case PART_PATH:
        return mib_set_string(out, conf->path);
    case PART_STATUS:
        return mib_set_integer(out, read_status(p->status == PARTITION_OK,
                                                p->status == PARTITION_UNAVAILABLE));
    case PART_SIZE:
        return mib_set_counter64(out, p->size);
    case PART_USED:
        return mib_set_counter64(out, p->used);
    case PART_AVAILABLE:
        return mib_set_counter64(out, p->available);
    case PART_USED_PERCENT:
        return set_gauge(out, p->used_percent);
    case PART_INODES_TOTAL:
        return mib_set_counter64(out, p->inodes_total);
    case PART_INODES_FREE:
        return mib_set_counter64(out, p->inodes_free);
    case PART_AGE:
        return set_gauge(out, age_s(v, p->read_ms));
    case PART_ERROR:
        return mib_set_string(out, p->error);
    default:
        return -1;
    }
}

struct oid_table mib_mtamon_partition_table = {
    .name = "mtamonPartitionTable",
    .entry = partition_entry,
    .entry_len = OID_LENGTH(partition_entry),
    .first_column = PART_NAME,
    .last_column = PART_ERROR,
    .ops = {mib_fetch_view, partition_rows, position_index, partition_cell},
};

/* ------------------------------------------------------------------------ */
/* mtamonConnectionTable: port x state, every state of every port            */

static const oid connection_entry[] = {MIB_MTAMON_ROOT, 1, 4, 1};

enum { CONNECTION_COUNT = 3 };   /* mtamonConnectionCount */

/* No rows before the first read or while the last one failed (MTAMON-MIB:
 * a failure must never read as zero connections). */
static size_t connection_rows(const void *data)
{
    const struct connections_stats *cs = &collect_of(data)->connections;
    return cs->ok ? cs->n_ports * CONN_STATE_MAX : 0;
}

static size_t connection_index(const void *data, size_t row,
                               oid idx[OID_TABLE_INDEX_MAX])
{
    idx[0] = collect_of(data)->connections.ports[row / CONN_STATE_MAX].port;
    idx[1] = row % CONN_STATE_MAX + 1;
    return 2;
}

static int connection_cell(const void *data, size_t row, unsigned column,
                           struct oid_table_value *out)
{
    if (column != CONNECTION_COUNT)
        return -1;
    const struct connections_port *p =
        &collect_of(data)->connections.ports[row / CONN_STATE_MAX];
    return set_gauge(out, p->by_state[row % CONN_STATE_MAX + 1]);
}

struct oid_table mib_mtamon_connection_table = {
    .name = "mtamonConnectionTable",
    .entry = connection_entry,
    .entry_len = OID_LENGTH(connection_entry),
    .first_column = CONNECTION_COUNT,
    .last_column = CONNECTION_COUNT,
    .ops = {mib_fetch_view, connection_rows, connection_index, connection_cell},
};

/* ------------------------------------------------------------------------ */
/* mtamonConnRemoteTable: (port, rank)                                       */

static const oid remote_entry[] = {MIB_MTAMON_ROOT, 1, 5, 1};

enum remote_column { REMOTE_ADDRESS_TYPE = 3, REMOTE_ADDRESS, REMOTE_COUNT };

/* Row @p row as (port, rank): the ports are sorted and few (at most
 * CONFIG_PORTS_MAX), so a linear pass over them is cheap. */
static const struct connections_port *remote_at(const void *data, size_t row, size_t *rank)
{
    const struct connections_stats *cs = &collect_of(data)->connections;
    for (size_t i = 0; i < cs->n_ports; i++) {
        if (row < cs->ports[i].n_top) {
            *rank = row;
            return &cs->ports[i];
        }
        row -= cs->ports[i].n_top;
    }
    return NULL;
}

static size_t remote_rows(const void *data)
{
    const struct connections_stats *cs = &collect_of(data)->connections;
    size_t n = 0;
    for (size_t i = 0; cs->ok && i < cs->n_ports; i++)
        n += cs->ports[i].n_top;
    return n;
}

static size_t remote_index(const void *data, size_t row, oid idx[OID_TABLE_INDEX_MAX])
{
    size_t rank = 0;
    const struct connections_port *p = remote_at(data, row, &rank);
    idx[0] = p ? p->port : 0;
    idx[1] = rank + 1;
    return 2;
}

static int remote_cell(const void *data, size_t row, unsigned column,
                       struct oid_table_value *out)
{
    size_t rank = 0;
    const struct connections_port *p = remote_at(data, row, &rank);
    if (!p)
        return -1;
    const struct connections_remote *r = &p->top[rank];
    int v6 = r->family == AF_INET6;
    switch (column) {
    case REMOTE_ADDRESS_TYPE:
        return mib_set_integer(out, v6 ? 2 : 1);   /* InetAddressType ipv6 / ipv4 */
    case REMOTE_ADDRESS:
        return mib_set_bytes(out, r->addr, v6 ? 16 : 4);
    case REMOTE_COUNT:
        return set_gauge(out, r->count);
    default:
        return -1;
    }
}

struct oid_table mib_mtamon_remote_table = {
    .name = "mtamonConnRemoteTable",
    .entry = remote_entry,
    .entry_len = OID_LENGTH(remote_entry),
    .first_column = REMOTE_ADDRESS_TYPE,
    .last_column = REMOTE_COUNT,
    .ops = {mib_fetch_view, remote_rows, remote_index, remote_cell},
};

/* ------------------------------------------------------------------------ */
/* mtamonProcessTable                                                        */

static const oid process_entry[] = {MIB_MTAMON_ROOT, 1, 6, 1};

enum process_column {
    PROC_NAME = 2, PROC_STATUS, PROC_COUNT, PROC_MIN, PROC_MAX, PROC_OLDEST_PID,
    PROC_OLDEST_START, PROC_SCAN_AGE,
};

static size_t process_rows(const void *data)
{
    return collect_of(data)->n_processes;
}

static int process_cell(const void *data, size_t row, unsigned column,
                        struct oid_table_value *out)
{
    const struct view *v = data;
    const struct process_watch_stats *p = &collect_of(v)->processes[row];
    const struct config_process *conf = &v->conf->processes[row];
    switch (column) {
    case PROC_NAME:
        return mib_set_string(out, conf->name);
    case PROC_STATUS:
        return mib_set_integer(out, p->status == PROCESS_WATCH_RUNNING ? 1
                                    : p->status == PROCESS_WATCH_NOT_RUNNING ? 2 : 3);
    case PROC_COUNT:
        return set_gauge(out, p->count);
    case PROC_MIN:
        return mib_set_unsigned(out, ASN_UNSIGNED, conf->min);
    case PROC_MAX:
        return mib_set_unsigned(out, ASN_UNSIGNED, conf->max);
    case PROC_OLDEST_PID:
        return mib_set_integer(out, p->oldest_pid > 0 ? p->oldest_pid : 0);
    case PROC_OLDEST_START:
        return mib_set_unsigned(out, ASN_UNSIGNED, mib_epoch_s(p->oldest_start_ms));
    case PROC_SCAN_AGE:
        return set_gauge(out, age_s(v, p->read_ms));
    default:
        return -1;
    }
}

struct oid_table mib_mtamon_process_table = {
    .name = "mtamonProcessTable",
    .entry = process_entry,
    .entry_len = OID_LENGTH(process_entry),
    .first_column = PROC_NAME,
    .last_column = PROC_SCAN_AGE,
    .ops = {mib_fetch_view, process_rows, position_index, process_cell},
};

/* ------------------------------------------------------------------------ */
/* mtamonGroupHCTable: column N is counter N-1 of enum mtamon_counter        */

static const oid group_hc_entry[] = {MIB_MTAMON_ROOT, 1, 7, 1};

static size_t group_hc_rows(const void *data)
{
    const struct view *v = data;
    return v->n_groups;
}

static size_t group_hc_index(const void *data, size_t row, oid idx[OID_TABLE_INDEX_MAX])
{
    const struct view *v = data;
    idx[0] = mib_mta_index(v);
    idx[1] = v->groups[row].index;
    return 2;
}

static int group_hc_cell(const void *data, size_t row, unsigned column,
                         struct oid_table_value *out)
{
    const struct view *v = data;
    if (column < 1 || column > MTAMON_COUNTER_COUNT)
        return -1;
    return mib_set_counter64(out, v->groups[row].ch->c[column - 1]);
}

struct oid_table mib_mtamon_group_hc_table = {
    .name = "mtamonGroupHCTable",
    .entry = group_hc_entry,
    .entry_len = OID_LENGTH(group_hc_entry),
    .first_column = 1,
    .last_column = MTAMON_COUNTER_COUNT,
    .ops = {mib_fetch_view, group_hc_rows, group_hc_index, group_hc_cell},
};

/* ------------------------------------------------------------------------ */
/* mtamonProbeTable                                                          */

static const oid probe_entry[] = {MIB_MTAMON_ROOT, 1, 8, 1};

enum probe_column {
    PROBE_NAME = 2, PROBE_KIND, PROBE_ADDRESS, PROBE_TLS, PROBE_STATE, PROBE_RESPONSE_TIME,
    PROBE_STEP_TIMES, PROBE_TIMEOUT, PROBE_SLOW_THRESHOLD, PROBE_INTERVAL,
    PROBE_LAST_CHECK, PROBE_LAST_SUCCESS, PROBE_LAST_FAILURE, PROBE_LAST_CHANGE,
    PROBE_LAST_ERROR, PROBE_REPLY_CODE, PROBE_CONSECUTIVE_FAILURES, PROBE_CHECKS,
    PROBE_FAILURES,
};

static size_t probe_rows(const void *data)
{
    return collect_of(data)->n_probes;
}

/* Seconds since the epoch of @p t, 0 for never (or before 1970). */
static uint32_t time_s(time_t t)
{
    return t <= 0 ? 0 : (uint64_t)t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* "connect=1 greeting=3 ehlo=2 quit=1" into @p buf. */
static const char *step_times(const struct probe_check *c, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->n_steps && i < PROBE_STEPS_MAX && at < len; i++) {
        int n = snprintf(buf + at, len - at, "%s%.*s=%" PRIu32, i ? " " : "",
                         PROBE_STEP_NAME_MAX, c->steps[i].name, c->steps[i].ms);
        if (n < 0)
            break;
        at += (size_t)n;
    }
    return buf;
}

static int probe_cell(const void *data, size_t row, unsigned column,
                      struct oid_table_value *out)
{
    /* Holds the step times' text until the handler copies it. */
    static char steps[PROBE_STEPS_MAX * (PROBE_STEP_NAME_MAX + 12)];
    const struct view *v = data;
    const struct probe_result *r = &collect_of(v)->probes[row];
    const struct config_probe *conf = &v->conf->probes[row];
    int checked = r->state != PROBE_NOT_YET;
    switch (column) {
    case PROBE_NAME:
        return mib_set_string(out, conf->name);
    case PROBE_KIND:
        return mib_set_integer(out, (long)conf->kind + 1);
    case PROBE_ADDRESS:
        return mib_set_string(out, conf->server.address);
    case PROBE_TLS:
        return mib_set_integer(out, (long)conf->server.tls + 1);
    case PROBE_STATE:
        /* up(1), slow(2), down(3) as enum probe_state; unknown(4). */
        return mib_set_integer(out, checked ? (long)r->state : 4);
    case PROBE_RESPONSE_TIME:
        return mib_set_unsigned(out, ASN_GAUGE, checked ? r->last.total_ms : 0);
    case PROBE_STEP_TIMES:
        return mib_set_string(out, checked ? step_times(&r->last, steps, sizeof steps) : "");
    case PROBE_TIMEOUT:
        return mib_set_unsigned(out, ASN_UNSIGNED, conf->timeout_ms);
    case PROBE_SLOW_THRESHOLD:
        return mib_set_unsigned(out, ASN_UNSIGNED, conf->slow_ms);
    case PROBE_INTERVAL:
        return mib_set_unsigned(out, ASN_UNSIGNED, conf->interval_s);
    case PROBE_LAST_CHECK:
        return mib_set_unsigned(out, ASN_UNSIGNED, time_s(r->last_check));
    case PROBE_LAST_SUCCESS:
        return mib_set_unsigned(out, ASN_UNSIGNED, time_s(r->last_success));
    case PROBE_LAST_FAILURE:
        return mib_set_unsigned(out, ASN_UNSIGNED, time_s(r->last_failure));
    case PROBE_LAST_CHANGE:
        return mib_set_unsigned(out, ASN_UNSIGNED, time_s(r->last_change));
    case PROBE_LAST_ERROR:
        return mib_set_string(out, r->last_error);
    case PROBE_REPLY_CODE:
        return mib_set_integer(out, checked && r->last.reply_code > 0 ? r->last.reply_code : 0);
    case PROBE_CONSECUTIVE_FAILURES:
        return mib_set_unsigned(out, ASN_GAUGE, r->consecutive_failures);
    case PROBE_CHECKS:
        return mib_set_unsigned(out, ASN_COUNTER, view_counter32(r->checks));
    case PROBE_FAILURES:
        return mib_set_unsigned(out, ASN_COUNTER, view_counter32(r->failures));
    default:
        return -1;
    }
}

struct oid_table mib_mtamon_probe_table = {
    .name = "mtamonProbeTable",
    .entry = probe_entry,
    .entry_len = OID_LENGTH(probe_entry),
    .first_column = PROBE_NAME,
    .last_column = PROBE_FAILURES,
    .ops = {mib_fetch_view, probe_rows, position_index, probe_cell},
};
