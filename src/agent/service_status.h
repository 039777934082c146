/*
 * service_status.h - what mtamond tells its service manager: systemd's
 * Type=notify protocol (systemd_notify.h) fed from mtamond's own state.
 *
 *   READY=1      once start-up is over: the configuration is read, the
 *                pidfile written, privileges dropped, and the first
 *                attempt to reach the AgentX master made.  When the
 *                master answered, mtamond is registered with it by then;
 *                when it did not, mtamond is READY all the same and says
 *                in STATUS= that it waits: snmpd may start later or
 *                restart at any time (mtamond retries every ping
 *                interval), and `systemctl start mtamond` must succeed
 *                with a valid configuration whether snmpd is up or not.
 *   STATUS=...   with READY=1, then at each change of the session with
 *                the master (registered, refused, lost, waiting) or of
 *                the segment (attached, not attached), and only then:
 *                "registered with AgentX master at SOCKET; segment NAME
 *                attached", "waiting for AgentX master at SOCKET
 *                (retrying every N s); segment NAME not attached", ...
 *   WATCHDOG=1   every half of $WATCHDOG_USEC, when the service manager
 *                expects it of this process ($WATCHDOG_PID unset or
 *                ours), from a timer of the main loop: a loop that hangs
 *                stops the keep-alive.
 *   STOPPING=1   when a stop was asked (SIGTERM, SIGINT).
 *
 * mtamond reads its configuration at start only (SIGHUP is logged, not a
 * reload), so there is no RELOADING=1.  Without $NOTIFY_SOCKET every call
 * is a no-op.  A message that cannot be sent is logged once (a warning),
 * then nothing until one goes through again; mtamond runs on either way.
 */
#ifndef MTAMON_SERVICE_STATUS_H
#define MTAMON_SERVICE_STATUS_H

#include "mtamon_config.h"
#include "view.h"

/**
 * Read $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID, and unset them
 * (an alarm's mail command must not inherit them).  Changes the
 * environment: call before any thread starts.  A value that cannot be used
 * is logged as a warning and turns that part off; so is $NOTIFY_SOCKET
 * when mtamond detaches (@p foreground 0): the service manager would hear
 * from a process it did not start (a Type=notify unit runs mtamond -f).
 * A watchdog timeout shorter than the longest wait for a stalled master
 * (3 x agentx.timeout x (agentx.retries + 1)) is warned about too.
 */
void service_status_init(const struct config *conf, int foreground);

/**
 * Send READY=1 with the first STATUS= line, and start the watchdog timer
 * (a Net-SNMP alarm: call after agentx_start()).  The status reads the
 * segment's state from @p vc.
 */
void service_status_ready(view_cache *vc);

/**
 * Send STATUS= if the state changed since the last one sent: the turn
 * function of agentx_run() (@p arg unused).
 */
void service_status_turn(void *arg);

/** Send STOPPING=1 (with STATUS=stopping). */
void service_status_stopping(void);

/** Stop the watchdog timer and close the socket. */
void service_status_close(void);

#endif /* MTAMON_SERVICE_STATUS_H */
