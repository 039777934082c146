/*
 * alarms.c - mtamond's alarms: the timer, the samples, and the
 * notifications to the AgentX master (see alarms.h).
 */
#include "alarms.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agentx.h"
#include "alarm_mail.h"
#include "alarm_sample.h"
#include "alarm_state.h"
#include "log.h"
#include "mib.h"
#include "mib_tables.h"
#include "monotonic.h"

/* RFC 2741's Notify-PDU (h.type 12): Net-SNMP's agentx/protocol.h, which
 * names it, is not installed. */
#define AGENTX_NOTIFY_PDU 12

/* Notifications sent and not answered yet, at most: past it they wait in
 * the pending queue. */
#define IN_FLIGHT_MAX 256

/* MTAMON-MIB (mibs/MTAMON-MIB.txt): the objects a notification carries. */
static const oid alarm_entry_oid[] = {MIB_MTAMON_ALARM_ENTRY};
static const oid sequence_oid[] = {MIB_MTAMON_ALARM_SEQUENCE};
static const oid summary_count_oid[] = {MIB_MTAMON_ALARM_SUMMARY_COUNT};
static const oid notification_oid[] = {MIB_MTAMON_ROOT, 0, 0 /* type */};
static const oid snmptrap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

/* One notification sent, waiting for the master's Response. */
struct in_flight {
    alarms *owner;
    struct alarm_row *row;   /* NULL: a summary */
    int used;
};

struct alarms {
    const struct config *conf;
    view_cache *vc;
    alarm_engine *engine;
    struct alarm_sampler *samplers;   /* one per alarm */
    struct alarm_samples samples;
    unsigned timer;                   /* snmp_alarm registration, 0 = none */

    /* Emitted while the master was away (a ring, oldest at head). */
    struct alarm_event *pending;
    size_t p_head, p_n, p_cap;

    struct in_flight flight[IN_FLIGHT_MAX];
    int refused_logged;               /* one log line per master session */

    alarm_mail *mail;                 /* NULL: mail off */
    char host[256];                   /* for the mail */

    /* The state file: rewritten after a round that emitted something,
     * else at most every STATE_WRITE_MS. */
    int changed;                      /* emitted since the last write */
    int64_t written_mono_ms;          /* INT64_MIN: never */
    int state_failing;                /* the last write failed (logged) */
};

/* The state file's figures may lag this much when nothing changes. */
#define STATE_WRITE_MS 10000

/* --- sending ------------------------------------------------------------- */

static int on_response(int op, netsnmp_session *sess, int reqid,
                       netsnmp_pdu *pdu, void *magic)
{
    (void)sess;
    (void)reqid;
    struct in_flight *f = magic;
    if (!f->used)
        return 1;
    int ok = op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu && pdu->errstat == 0;
    if (!ok && !f->owner->refused_logged) {
        f->owner->refused_logged = 1;
        if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu)
            log_msg(LOG_WARNING, "the AgentX master refused an alarm notification "
                                 "(AgentX error %ld)", pdu->errstat);
        else
            log_msg(LOG_WARNING, "the AgentX master did not confirm an alarm "
                                 "notification (%s)",
                    op == NETSNMP_CALLBACK_OP_TIMED_OUT ? "timed out" : "connection lost");
    }
    alarm_engine_delivered(f->owner->engine, f->row, ok);
    f->owner->changed = 1;   /* the state file shows the outcome too */
    f->used = 0;
    return 1;
}

static struct in_flight *flight_slot(alarms *a)
{
    for (size_t i = 0; i < IN_FLIGHT_MAX; i++)
        if (!a->flight[i].used)
            return &a->flight[i];
    return NULL;
}

/* A column of the event's row: mtamonAlarmEntry.COLUMN.INDEX */
static int add_cell(netsnmp_variable_list **vars, const struct alarm_row *r,
                    unsigned column, u_char type, const void *val, size_t len)
{
    oid name[OID_LENGTH(alarm_entry_oid) + 1 + OID_TABLE_INDEX_MAX];
    size_t n = OID_LENGTH(alarm_entry_oid);
    memcpy(name, alarm_entry_oid, sizeof alarm_entry_oid);
    name[n++] = column;
    n += mib_alarm_row_index(r, name + n);
    return snmp_varlist_add_variable(vars, name, n, type, val, len) ? 0 : -1;
}

static int add_string(netsnmp_variable_list **vars, const struct alarm_row *r,
                      unsigned column, const char *s)
{
    return add_cell(vars, r, column, ASN_OCTET_STR, s, strlen(s));
}

static int add_integer(netsnmp_variable_list **vars, const struct alarm_row *r,
                       unsigned column, long v)
{
    return add_cell(vars, r, column, ASN_INTEGER, &v, sizeof v);
}

/* The varbinds after snmpTrapOID.0 (the master puts sysUpTime.0 first). */
static int event_varbinds(netsnmp_variable_list **vars, const struct alarm_event *ev)
{
    u_long seq = ev->sequence;
    if (ev->type == ALARM_EVENT_SUMMARY) {
        u_long count = ev->suppressed;
        if (!snmp_varlist_add_variable(vars, summary_count_oid,
                                       OID_LENGTH(summary_count_oid), ASN_UNSIGNED,
                                       &count, sizeof count))
            return -1;
    } else {
        const struct alarm_row *r = ev->row;
        char value[ALARM_VALUE_MAX], threshold[ALARM_VALUE_MAX];
        alarm_format_value(ev->value, value);
        alarm_format_value(ev->threshold, threshold);
        if (add_string(vars, r, MIB_ALARM_NAME, r->conf->name) != 0 ||
            add_integer(vars, r, MIB_ALARM_KIND, (long)r->conf->kind + 1) != 0 ||
            add_string(vars, r, MIB_ALARM_OBJECT_NAME, r->object) != 0 ||
            add_string(vars, r, MIB_ALARM_VALUE, value) != 0 ||
            add_string(vars, r,
                       ev->type == ALARM_EVENT_CLEAR ? MIB_ALARM_CLEAR_THRESHOLD : MIB_ALARM_THRESHOLD,
                       threshold) != 0 ||
            add_integer(vars, r, MIB_ALARM_SEVERITY, (long)r->conf->severity) != 0)
            return -1;
    }
    return snmp_varlist_add_variable(vars, sequence_oid, OID_LENGTH(sequence_oid),
                                     ASN_UNSIGNED, &seq, sizeof seq)
               ? 0
               : -1;
}

/* Send @p ev on @p sess.  1 when sent (the Response will count it), 0
 * when no slot is free (it stays pending), -1 when it cannot be sent. */
static int send_event(alarms *a, netsnmp_session *sess, const struct alarm_event *ev)
{
    struct in_flight *f = flight_slot(a);
    if (!f)
        return 0;
    netsnmp_pdu *pdu = snmp_pdu_create(AGENTX_NOTIFY_PDU);
    if (!pdu)
        return -1;
    pdu->sessid = sess->sessid;
    oid trap[OID_LENGTH(notification_oid)];
    memcpy(trap, notification_oid, sizeof trap);
    trap[OID_LENGTH(trap) - 1] = (oid)ev->type;
    if (!snmp_pdu_add_variable(pdu, snmptrap_oid, OID_LENGTH(snmptrap_oid),
                               ASN_OBJECT_ID, trap, sizeof trap) ||
        event_varbinds(&pdu->variables, ev) != 0) {
        snmp_free_pdu(pdu);
        return -1;
    }
    *f = (struct in_flight){.owner = a, .row = ev->row, .used = 1};
    if (snmp_async_send(sess, pdu, on_response, f) == 0) {
        f->used = 0;
        snmp_free_pdu(pdu);
        return -1;
    }
    return 1;
}

/* --- the pending queue --------------------------------------------------- */

static void pending_push(alarms *a, const struct alarm_event *ev)
{
    if (a->p_cap == 0)
        return;
    if (a->p_n == a->p_cap) {   /* full: the oldest is lost */
        alarm_engine_delivered(a->engine, a->pending[a->p_head].row, 0);
        a->p_head = (a->p_head + 1) % a->p_cap;
        a->p_n--;
    }
    a->pending[(a->p_head + a->p_n) % a->p_cap] = *ev;
    a->p_n++;
}

/* Send what waits, in order, while the master is there. */
static void pending_flush(alarms *a)
{
    netsnmp_session *sess;
    while (a->p_n > 0 && (sess = agentx_master_session()) != NULL) {
        const struct alarm_event *ev = &a->pending[a->p_head];
        int rc = send_event(a, sess, ev);
        if (rc == 0)
            return;   /* every slot in flight: next second */
        if (rc < 0)
            alarm_engine_delivered(a->engine, ev->row, 0);
        a->p_head = (a->p_head + 1) % a->p_cap;
        a->p_n--;
    }
}

/* --- what the engine emits ----------------------------------------------- */

static void log_event(const struct alarm_event *ev)
{
    if (ev->type == ALARM_EVENT_SUMMARY) {
        log_msg(LOG_WARNING, "alarms: %" PRIu32 " notifications not sent in the "
                             "last second (alarm_options.max_notifications_per_second); "
                             "summary notification #%" PRIu32,
                ev->suppressed, ev->sequence);
        return;
    }
    const struct alarm_row *r = ev->row;
    const struct config_alarm *c = r->conf;
    char value[ALARM_VALUE_MAX], threshold[ALARM_VALUE_MAX];
    alarm_format_value(ev->value, value);
    alarm_format_value(ev->threshold, threshold);
    int below = config_alarm_kind_below(c->kind);
    const char *op = ev->type == ALARM_EVENT_CLEAR ? (below ? ">" : "<") : (below ? "<=" : ">=");
    log_msg(ev->type == ALARM_EVENT_CLEAR ? LOG_NOTICE : LOG_WARNING,
            "alarm %s%s%s %s: %s %s %s %s (%s, notification #%" PRIu32 ")", c->name,
            r->object[0] ? " " : "", r->object,
            ev->type == ALARM_EVENT_CLEAR ? "cleared" : ev->resend ? "still raised" : "raised",
            config_alarm_kind_name(c->kind), value, op, threshold,
            config_alarm_severity_name(c->severity), ev->sequence);
}

static void on_emit(void *ctx, const struct alarm_event *ev)
{
    alarms *a = ctx;
    a->changed = 1;
    log_event(ev);
    alarm_mail_event(a->mail, ev, a->host);
    netsnmp_session *sess = a->p_n == 0 ? agentx_master_session() : NULL;
    if (sess) {
        int rc = send_event(a, sess, ev);
        if (rc > 0)
            return;
        if (rc < 0) {
            alarm_engine_delivered(a->engine, ev->row, 0);
            return;
        }
    }
    pending_push(a, ev);
}

/* --- the timer ----------------------------------------------------------- */

static void write_state(alarms *a, const struct alarm_clock *now)
{
    const char *path = a->conf->alarm_options.state_file;
    if (!path[0])
        return;
    if (!a->changed && a->written_mono_ms != INT64_MIN &&
        now->mono_ms - a->written_mono_ms < STATE_WRITE_MS)
        return;
    char err[512];
    a->changed = 0;
    a->written_mono_ms = now->mono_ms;
    if (alarm_state_write(path, a->engine, a->conf, now->wall_ms, alarms_pending(a),
                          err, sizeof err) != 0) {
        if (!a->state_failing)
            log_msg(LOG_WARNING, "alarms: cannot write the state file: %s "
                                 "(mtamon alarms shows old figures until it can)", err);
        a->state_failing = 1;
    } else if (a->state_failing) {
        log_msg(LOG_NOTICE, "alarms: the state file %s is written again", path);
        a->state_failing = 0;
    }
}

/* Returns 1 when an alarm was checked. */
static int check_due(alarms *a, struct alarm_clock *out_now)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct alarm_clock now = {
        .mono_ms = monotonic_ms(),
        .wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
    };
    *out_now = now;
    const struct view *v = NULL;
    for (size_t i = 0; i < a->conf->n_alarms; i++) {
        if (!alarm_engine_due(a->engine, i, &now))
            continue;
        if (!v)
            v = mib_current_view(a->vc);
        const struct config_alarm *c = &a->conf->alarms[i];
        if (alarm_sample_take(c, v, &a->samplers[i], now.wall_ms, &a->samples) != 0)
            log_msg(LOG_ERR, "alarm %s: out of memory: some objects not checked", c->name);
        if (alarm_engine_update(a->engine, i, &now, a->samples.s, a->samples.n) != 0)
            log_msg(LOG_ERR, "alarm %s: out of memory: some objects not checked", c->name);
    }
    alarm_engine_tick(a->engine, &now);
    return v != NULL;
}

static void on_timer(unsigned int reg, void *arg)
{
    (void)reg;
    alarms *a = arg;
    if (!agentx_master_session())
        a->refused_logged = 0;
    struct alarm_clock now;
    int checked = check_due(a, &now);
    pending_flush(a);
    if (checked || a->changed)
        write_state(a, &now);
}

/* --- life ---------------------------------------------------------------- */

alarms *alarms_new(const struct config *conf, view_cache *vc, char *err,
                   size_t errlen)
{
    err[0] = '\0';
    alarms *a = calloc(1, sizeof *a);
    if (!a)
        goto nomem;
    a->conf = conf;
    a->vc = vc;
    a->written_mono_ms = INT64_MIN;
    a->engine = alarm_engine_new(conf, on_emit, a);
    a->samplers = calloc(conf->n_alarms ? conf->n_alarms : 1, sizeof *a->samplers);
    a->p_cap = conf->alarm_options.pending_max;
    a->pending = calloc(a->p_cap ? a->p_cap : 1, sizeof *a->pending);
    if (!a->engine || !a->samplers || !a->pending)
        goto nomem;
    if (gethostname(a->host, sizeof a->host - 1) != 0)
        snprintf(a->host, sizeof a->host, "localhost");
    a->mail = alarm_mail_new(&conf->alarm_options.mail, err, errlen);
    if (!a->mail && err[0]) {
        alarms_free(a);
        return NULL;
    }
    return a;
nomem:
    alarms_free(a);
    snprintf(err, errlen, "alarms: out of memory");
    return NULL;
}

const alarm_engine *alarms_engine(const alarms *a)
{
    return a->engine;
}

unsigned alarms_pending(const alarms *a)
{
    return (unsigned)a->p_n;
}

int alarms_start(alarms *a, char *err, size_t errlen)
{
    if (a->conf->n_alarms == 0)
        return 0;
    if (a->mail && alarm_mail_start(a->mail, err, errlen) != 0)
        return -1;
    a->timer = snmp_alarm_register(1, SA_REPEAT, on_timer, a);
    if (a->timer == 0) {
        snprintf(err, errlen, "alarms: cannot register the check timer");
        return -1;
    }
    log_msg(LOG_INFO, "alarms: %zu configured, checked every second when due; "
                      "mail to the postmaster %s",
            a->conf->n_alarms, a->mail ? "on" : "off");
    return 0;
}

void alarms_free(alarms *a)
{
    if (!a)
        return;
    if (a->timer)
        snmp_alarm_unregister(a->timer);
    alarm_mail_free(a->mail);
    alarm_engine_free(a->engine);
    alarm_samples_free(&a->samples);
    for (size_t i = 0; a->samplers && i < a->conf->n_alarms; i++)
        alarm_sampler_free(&a->samplers[i]);
    free(a->samplers);
    free(a->pending);
    free(a);
}
