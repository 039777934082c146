/*
 * agentx.c - Net-SNMP in the AgentX subagent role, and the main loop
 * (see agentx.h).
 */
#include "agentx.h"
#include "log.h"
#include "mib.h"
#include "oid_table.h"
#include "signals.h"
#include "view.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>
#include <net-snmp/library/fd_event_manager.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#define AGENT_NAME "mtamond"

static char socket_name[256];
static unsigned ping_interval_s;
static int connected;
static int ever_connected;        /* for agentx_link(): waiting or lost */
static int unreachable_reported;  /* "not reachable" logged since last up */
static int stopping;              /* snmp_shutdown() closes the session */
static view_cache *watched_cache;
static unsigned long sessions_opened;    /* for agentx_log_status() */
static netsnmp_session *master_session;  /* while connected */

/* The AgentX Close sent at exit waits this long at most (in microseconds):
 * a stalled master must not delay the stop by timeout x tries. */
#define CLOSE_TIMEOUT_US 500000L

/* --- Net-SNMP's messages into log_msg() ---------------------------------- */

/* Net-SNMP may log one line in several calls: collect up to the newline. */
static char nslog_line[1024];
static size_t nslog_len;

static int nslog_priority(int priority)
{
    /* Its informational messages ("AgentX subagent connected", "master
     * disconnected us, reconnecting in N") duplicate the state changes
     * this module logs itself: keep them for -d. */
    return priority >= LOG_INFO ? LOG_DEBUG : priority;
}

/* Set by on_session_open(): one explanation per connection is enough. */
static int duplicate_explained;

static void log_netsnmp_line(int priority, const char *line)
{
    /* AgentX error 263, duplicateRegistration: say what it means. */
    if (strncmp(line, "registering pdu failed: 263", 27) == 0) {
        if (!duplicate_explained)
            log_msg(LOG_ERR, "the AgentX master refused a registration: the "
                             "subtree is already served by another subagent "
                             "(another mtamond?)");
        duplicate_explained = 1;
        return;
    }
    log_msg(nslog_priority(priority), "net-snmp: %s", line);
}

static int on_netsnmp_log(int major, int minor, void *serverarg,
                          void *clientarg)
{
    (void)major;
    (void)minor;
    (void)clientarg;
    const struct snmp_log_message *m = serverarg;
    if (!m || !m->msg)
        return 0;
    for (const char *p = m->msg; *p; p++) {
        if (*p != '\n' && nslog_len < sizeof nslog_line - 1) {
            nslog_line[nslog_len++] = *p;
            continue;
        }
        if (*p != '\n')
            continue;   /* overlong: the rest of the line is dropped */
        nslog_line[nslog_len] = '\0';
        if (nslog_len > 0)
            log_netsnmp_line(m->priority, nslog_line);
        nslog_len = 0;
    }
    return 0;
}

/* --- connection state ---------------------------------------------------- */

/* Why a Unix-domain socket cannot be used, as a hint for the message. */
static const char *socket_hint(void)
{
    const char *path = socket_name;
    if (strncmp(path, "unix:", 5) == 0)
        path += 5;
    if (path[0] != '/')
        return "";
    if (access(path, F_OK) < 0)
        return errno == EACCES
                   ? " (permission denied on its directory: see agentXPerms)"
                   : " (no socket there yet)";
    if (access(path, R_OK | W_OK) < 0 && errno == EACCES)
        return " (permission denied: see agentXPerms in snmpd.conf)";
    return "";
}

/* The hint given with the last "not reachable" message. */
static const char *reported_hint = "";

static void report_unreachable(void)
{
    if (unreachable_reported || connected || stopping)
        return;
    unreachable_reported = 1;
    reported_hint = socket_hint();
    log_msg(LOG_WARNING, "AgentX master not reachable at %s%s; retrying every %u s",
            socket_name, reported_hint, ping_interval_s);
}

/* While retrying: say so again only if the reason we can see changed
 * (the socket appeared but we may not use it, typically). */
static void report_unreachable_change(void)
{
    if (!unreachable_reported || connected || stopping)
        return;
    const char *hint = socket_hint();
    if (strcmp(hint, reported_hint) == 0)
        return;
    reported_hint = hint;
    log_msg(LOG_WARNING, "AgentX master still not reachable at %s%s",
            socket_name, hint);
}

/* SNMPD_CALLBACK_INDEX_START: Net-SNMP opened a session to the master
 * (before registering the subtrees again on it). */
static int on_session_open(int major, int minor, void *serverarg,
                           void *clientarg)
{
    (void)major;
    (void)minor;
    (void)clientarg;
    master_session = serverarg;
    sessions_opened++;
    if (!connected)
        log_msg(LOG_INFO, "connected to AgentX master at %s", socket_name);
    connected = 1;
    ever_connected = 1;
    unreachable_reported = 0;
    duplicate_explained = 0;
    return 0;
}

/* SNMPD_CALLBACK_INDEX_STOP: the master closed the session, or stopped
 * answering pings; Net-SNMP retries every ping interval from now on. */
static int on_session_close(int major, int minor, void *serverarg,
                            void *clientarg)
{
    (void)major;
    (void)minor;
    (void)serverarg;
    (void)clientarg;
    master_session = NULL;
    if (stopping)
        return 0;
    if (connected)
        log_msg(LOG_WARNING, "lost the connection to the AgentX master at %s",
                socket_name);
    connected = 0;
    report_unreachable();
    return 0;
}

/* --- periodic work ------------------------------------------------------- */

/* Refresh the view even when nobody asks, so that the segment appearing,
 * going away or being re-created is logged when it happens. */
static void on_watch_alarm(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
    if (watched_cache)
        (void)mib_current_view(watched_cache);
    report_unreachable_change();
}

static void on_signal_fd(int fd, void *arg)
{
    (void)fd;
    (void)arg;
    signals_drain();
}

/* A signal other than TERM and INT, between two requests. */
static void on_signal_taken(int sig)
{
    char name[SIGNALS_NAME_MAX];
    switch (sig) {
    case SIGHUP:
        log_msg(LOG_NOTICE, "SIGHUP: the configuration is read at start "
                            "only; restart mtamond to apply changes");
        break;
    case SIGUSR1:
        agentx_log_status();
        break;
    default:
        log_msg(LOG_NOTICE, "%s received: ignored", signals_name(sig, name));
        break;
    }
}

/* --- setup --------------------------------------------------------------- */

static void set_library_defaults(const struct config *conf)
{
    /* Never read snmpd.conf/snmp.conf or the persistent state, never write
     * /var/lib/snmp: everything comes from mtamon.yaml. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    /* Without a configuration file Net-SNMP still looks for TLS
     * certificates under its configuration path (/etc/snmp/tls/...) and
     * creates an index directory under its persistent one
     * (/var/lib/snmp/cert_indexes).  /dev/null is a path under which
     * nothing can be found or created.  The certificate search reads
     * SNMPCONFPATH from the environment first. */
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
                          NETSNMP_DS_LIB_PERSISTENT_DIR, "/dev/null");
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
                          NETSNMP_DS_LIB_CONFIGURATION_DIR, "/dev/null");
    setenv("SNMPCONFPATH", "/dev/null", 1);
    /* A subagent serves numeric OIDs and needs no MIB file: load none (no
     * time spent, and none of the "Cannot find module" noise Debian's
     * missing IETF MIBs would cause).  MIBS is read from the environment
     * only, hence setenv() in our own process. */
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "");
    setenv("MIBS", "", 1);

    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE,
                           1 /* subagent */);
    if (conf->agentx_socket[0])
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
                              NETSNMP_DS_AGENT_X_SOCKET, conf->agentx_socket);
    /* A failed connection attempt is reported once, by report_unreachable(),
     * not by Net-SNMP at every retry. */
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
                           NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
}

/* Timers that init_agent() resets: call after it, before init_snmp(). */
static void set_session_timers(const struct config *conf)
{
    /* init_agent() (agentx_config_init()) sets the ping interval to its
     * default of 15 s: ours must be set after it.  init_snmp() reads it
     * when it first connects and schedules the reconnect attempts. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
                       NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       (int)conf->ping_interval_s);

    /* NETSNMP_DS_AGENT_AGENTX_TIMEOUT is in microseconds; the subagent
     * sends it, in whole seconds, in its AgentX Open PDU: how long the
     * master waits for our answers.  AGENTX_RETRIES is used by a master
     * only, but costs nothing. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
                       NETSNMP_DS_AGENT_AGENTX_TIMEOUT,
                       (int)conf->timeout_ms * 1000);
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
                       NETSNMP_DS_AGENT_AGENTX_RETRIES, (int)conf->retries);

    /* Our own requests to the master (Open, Register, ping) are made on a
     * session with the library's default timeout (in seconds) and retries:
     * they bound how long a stalled master can hold mtamond. */
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_TIMEOUT,
                       (int)((conf->timeout_ms + 999) / 1000));
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RETRIES,
                       (int)conf->retries);
}

int agentx_start(const struct config *conf, view_cache *vc)
{
    snprintf(socket_name, sizeof socket_name, "%s", agentx_socket_name(conf));
    ping_interval_s = conf->ping_interval_s;

    snmp_disable_log();
    snmp_enable_calllog();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
                           on_netsnmp_log, NULL);

    set_library_defaults(conf);
    /* snmp_sess_init() performs the library's one-time initialisation,
     * which sets the default retries: run it now so that it cannot undo
     * set_session_timers() later. */
    netsnmp_session dummy;
    snmp_sess_init(&dummy);

    if (init_agent(AGENT_NAME) != 0) {
        log_msg(LOG_ERR, "cannot initialise the Net-SNMP agent library");
        return EX_SOFTWARE;
    }
    set_session_timers(conf);

    snmp_register_callback(SNMP_CALLBACK_APPLICATION,
                           SNMPD_CALLBACK_INDEX_START, on_session_open, NULL);
    snmp_register_callback(SNMP_CALLBACK_APPLICATION,
                           SNMPD_CALLBACK_INDEX_STOP, on_session_close, NULL);

    if (mib_register_all(vc) != 0)
        return EX_SOFTWARE;   /* mib_register_all() logged which one */

    /* Reads no file (see above); connects to the master if it is there and
     * otherwise schedules a new attempt every ping interval. */
    init_snmp(AGENT_NAME);

    /* The first view now: a missing segment is logged at start. */
    watched_cache = vc;
    on_watch_alarm(0, NULL);
    snmp_alarm_register(conf->ping_interval_s, SA_REPEAT, on_watch_alarm,
                        NULL);
    return 0;
}

const char *agentx_socket_name(const struct config *conf)
{
    return conf->agentx_socket[0] ? conf->agentx_socket : NETSNMP_AGENTX_SOCKET;
}

enum agentx_link agentx_link(void)
{
    if (connected)
        return duplicate_explained ? AGENTX_LINK_REFUSED : AGENTX_LINK_UP;
    return ever_connected ? AGENTX_LINK_LOST : AGENTX_LINK_WAITING;
}

void agentx_run(void (*turn)(void *arg), void *arg)
{
    /* The first attempt was made by agentx_start(): report its failure
     * now, once the start-up is over. */
    report_unreachable();

    int fd = signals_wake_fd();
    if (fd >= 0)
        register_readfd(fd, on_signal_fd, NULL);
    for (;;) {
        int sig;
        while ((sig = signals_take()) != 0)
            on_signal_taken(sig);
        if (signals_stop_requested())
            break;
        if (turn)
            turn(arg);
        agent_check_and_process(1);
    }
    if (fd >= 0)
        unregister_readfd(fd);
}

void agentx_log_status(void)
{
    int64_t age_ms = 0;
    const struct view *v =
        watched_cache ? view_cache_peek(watched_cache, &age_ms) : NULL;
    if (!v) {
        log_msg(LOG_NOTICE, "status: AgentX master %s %s; no view built yet",
                socket_name, connected ? "connected" : "not connected");
        return;
    }
    log_msg(LOG_NOTICE,
            "status: AgentX master %s %s (%lu sessions opened); segment %s "
            "%s, generation %016llx; rows: applTable %zu, assocTable %zu, "
            "mtaGroupTable %zu, mtaGroupAssociationTable %zu, "
            "mtaGroupErrorTable %zu; view built %lld ms ago; "
            "%llu varbinds asked",
            socket_name, connected ? "connected" : "not connected",
            sessions_opened, v->conf->segment,
            v->segment_up ? "attached" : "not attached",
            (unsigned long long)v->generation, v->n_apps, v->n_assocs,
            v->n_groups, v->n_group_assocs, v->n_errors, (long long)age_ms,
            oid_table_varbinds_asked());
}

struct snmp_session *agentx_master_session(void)
{
    return connected && !stopping ? master_session : NULL;
}

void agentx_stop(void)
{
    stopping = 1;
    if (master_session) {
        master_session->timeout = CLOSE_TIMEOUT_US;
        master_session->retries = 0;
    }
    snmp_shutdown(AGENT_NAME);
    shutdown_agent();
    snmp_disable_log();
}
