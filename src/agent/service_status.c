/*
 * service_status.c - mtamond's messages to the service manager (see
 * service_status.h).
 */
#include "service_status.h"
#include "agentx.h"
#include "log.h"
#include "systemd_notify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct systemd_notify notifier = { .fd = -1 };
static const struct config *sconf;
static view_cache *svc;
static int send_failed;            /* logged once; quiet until one goes through */
static uint64_t watchdog_usec;     /* 0: no keep-alive expected */
static unsigned int watchdog_reg;  /* the Net-SNMP alarm, 0 when none */
static int ready;                  /* READY=1 sent: STATUS= follows changes */
static char last_status[600];      /* the STATUS= text last sent */

static void send_message(const char *msg)
{
    char err[300];
    if (systemd_notify_send(&notifier, msg, err, sizeof err) != 0) {
        if (!send_failed)
            log_msg(LOG_WARNING, "%s (not said again until a message goes "
                                 "through)", err);
        send_failed = 1;
        return;
    }
    if (notifier.fd < 0)
        return;
    if (send_failed)
        log_msg(LOG_NOTICE, "the service manager at %s is notified again",
                notifier.name);
    send_failed = 0;
}

void service_status_init(const struct config *conf, int foreground)
{
    char err[300];
    const char *socket_value = getenv("NOTIFY_SOCKET");
    const char *usec_value = getenv("WATCHDOG_USEC");
    const char *pid_value = getenv("WATCHDOG_PID");
    sconf = conf;
    if (socket_value && socket_value[0] && !foreground) {
        log_msg(LOG_WARNING, "NOTIFY_SOCKET is set but mtamond detaches "
                             "(no -f): the service manager is not notified "
                             "(a Type=notify unit runs mtamond -f)");
        socket_value = NULL;
    }
    if (systemd_notify_open(&notifier, socket_value, err, sizeof err) != 0)
        log_msg(LOG_WARNING, "%s: the service manager is not notified", err);
    if (notifier.fd >= 0 &&
        systemd_notify_watchdog_usec(usec_value, pid_value, getpid(),
                                     &watchdog_usec, err, sizeof err) != 0)
        log_msg(LOG_WARNING, "%s: no watchdog keep-alive is sent", err);
    if (notifier.fd >= 0) {
        log_msg(LOG_INFO, "notifying the service manager at %s%s",
                notifier.name, watchdog_usec ? ", with watchdog keep-alives"
                                             : "");
        /* The longest the loop can wait on a stalled master (agentx.h). */
        uint64_t stall_ms = 3ull * conf->timeout_ms * (conf->retries + 1u);
        if (watchdog_usec && watchdog_usec / 1000 <= stall_ms)
            log_msg(LOG_WARNING, "the watchdog timeout (%llu ms) is not "
                                 "longer than mtamond's longest wait on a "
                                 "stalled AgentX master (3 x timeout x "
                                 "(retries + 1) = %llu ms): a stalled snmpd "
                                 "will get mtamond killed by the watchdog",
                    (unsigned long long)(watchdog_usec / 1000),
                    (unsigned long long)stall_ms);
    }
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

/* The STATUS= text of the current state: one line. */
static void current_status(char *buf, size_t len)
{
    const char *master = agentx_socket_name(sconf);
    char link[400];
    switch (agentx_link()) {
    case AGENTX_LINK_UP:
        snprintf(link, sizeof link, "registered with AgentX master at %s",
                 master);
        break;
    case AGENTX_LINK_REFUSED:
        snprintf(link, sizeof link, "connected to AgentX master at %s, "
                 "which refused a registration (another mtamond?)", master);
        break;
    case AGENTX_LINK_LOST:
        snprintf(link, sizeof link, "lost AgentX master at %s (retrying "
                 "every %u s)", master, sconf->ping_interval_s);
        break;
    case AGENTX_LINK_WAITING:
    default:
        snprintf(link, sizeof link, "waiting for AgentX master at %s "
                 "(retrying every %u s)", master, sconf->ping_interval_s);
        break;
    }
    int64_t age_ms = 0;
    const struct view *v = svc ? view_cache_peek(svc, &age_ms) : NULL;
    snprintf(buf, len, "%s; segment %s %s", link,
             v && v->segment_name ? v->segment_name : sconf->segment,
             v && v->segment_up ? "attached" : "not attached");
    /* A newline would end the assignment; a name from the configuration
     * could hold any byte. */
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static void send_status(const char *prefix)
{
    char status[sizeof last_status];
    char msg[sizeof last_status + 32];
    current_status(status, sizeof status);
    if (!prefix && strcmp(status, last_status) == 0)
        return;
    snprintf(last_status, sizeof last_status, "%s", status);
    snprintf(msg, sizeof msg, "%sSTATUS=%s", prefix ? prefix : "", status);
    log_msg(LOG_DEBUG, "service manager: %s", msg);
    send_message(msg);
}

static void on_watchdog_alarm(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
    send_message("WATCHDOG=1");
}

void service_status_ready(view_cache *vc)
{
    svc = vc;
    if (notifier.fd < 0)
        return;
    ready = 1;
    send_status("READY=1\n");
    if (watchdog_usec) {
        /* Every half of the timeout, as sd_watchdog_enabled(3) advises
         * (1 ms at least, a day at most). */
        uint64_t half = watchdog_usec / 2;
        if (half < 1000)
            half = 1000;
        if (half > 86400ull * 1000000)
            half = 86400ull * 1000000;
        struct timeval every = { .tv_sec = (time_t)(half / 1000000),
                                 .tv_usec = (suseconds_t)(half % 1000000) };
        watchdog_reg = snmp_alarm_register_hr(every, SA_REPEAT,
                                              on_watchdog_alarm, NULL);
        if (watchdog_reg == 0)
            log_msg(LOG_ERR, "cannot start the watchdog keep-alive timer");
        else
            log_msg(LOG_DEBUG, "watchdog keep-alive every %llu ms",
                    (unsigned long long)(half / 1000));
    }
}

void service_status_turn(void *arg)
{
    (void)arg;
    if (ready && notifier.fd >= 0)
        send_status(NULL);
}

void service_status_stopping(void)
{
    if (notifier.fd < 0)
        return;
    snprintf(last_status, sizeof last_status, "stopping");
    send_message("STOPPING=1\nSTATUS=stopping");
}

void service_status_close(void)
{
    if (watchdog_reg)
        snmp_alarm_unregister(watchdog_reg);
    watchdog_reg = 0;
    ready = 0;
    systemd_notify_close(&notifier);
}
